package dev.relay.api;

import dev.relay.api.config.ApiConfig;
import dev.relay.support.secrets.Keyring;
import java.util.HashMap;
import java.util.Map;

/** Settings for a verification-api under test: fixed secrets, loopback, a free port, no API keys (the development switch). */
public final class TestSettings {

  /** Fixed so a test can seal and open guesses with the same keys the service uses. */
  public static final String GUESS_KEYS = "g1:" + "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
  public static final String ID_KEYS = "i1:" + "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

  private TestSettings() {}

  public static Map<String, String> base() {
    Map<String, String> settings = new HashMap<>();
    settings.put("relay.secrets.guess-encryption-keys", GUESS_KEYS);
    settings.put("relay.secrets.id-keys", ID_KEYS);
    settings.put("relay.http.host", "127.0.0.1");
    settings.put("relay.http.port", "0");
    // Most route tests are about something other than keys; those about keys configure some.
    settings.put("relay.api.allow-unauthenticated", "true");
    return settings;
  }

  public static ApiConfig config(Map<String, String> overrides) {
    Map<String, String> settings = base();
    settings.putAll(overrides);
    return ApiConfig.of(settings);
  }

  public static ApiConfig config() {
    return config(Map.of());
  }

  /** A keyring setting other than the service's, for ids and guesses sealed elsewhere. */
  public static String foreignKeys(String id) {
    return Keyring.generateSetting(id);
  }
}
