package dev.relay.support.secrets;

import dev.relay.support.config.ConfigException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * Named 256-bit keys read from one setting ({@code id:base64[,id:base64...]}). The first key is the
 * current one, used for everything new; the others stay to read what older keys produced, which is
 * how keys rotate without breaking verifications in flight.
 */
public final class Keyring {

  private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_-]{1,16}");
  private static final int KEY_BYTES = 32;

  private final String currentId;
  private final Map<String, byte[]> keys;

  private Keyring(String currentId, Map<String, byte[]> keys) {
    this.currentId = currentId;
    this.keys = keys;
  }

  /** Parses a keyring setting; {@code settingName} appears in errors, the key material never does. */
  public static Keyring parse(String settingName, String value) {
    Map<String, byte[]> keys = new LinkedHashMap<>();
    String first = null;
    for (String entry : value.split(",")) {
      String trimmed = entry.trim();
      int colon = trimmed.indexOf(':');
      if (colon <= 0) {
        throw new ConfigException(settingName + ": each key is written id:base64 (keys separated by commas)");
      }
      String id = trimmed.substring(0, colon);
      if (!KEY_ID.matcher(id).matches()) {
        throw new ConfigException(settingName + ": key id '" + id + "' must be 1-16 letters, digits, - or _");
      }
      byte[] material;
      try {
        material = Base64.getDecoder().decode(trimmed.substring(colon + 1));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(settingName + ": key '" + id + "' is not valid base64");
      }
      if (material.length != KEY_BYTES) {
        throw new ConfigException(settingName + ": key '" + id + "' must be 32 bytes, it has " + material.length);
      }
      if (keys.put(id, material) != null) {
        throw new ConfigException(settingName + ": key id '" + id + "' appears twice");
      }
      if (first == null) {
        first = id;
      }
    }
    return new Keyring(first, keys);
  }

  /** A fresh keyring setting with one random key, for a development stack's first start. */
  public static String generateSetting(String id) {
    byte[] material = new byte[KEY_BYTES];
    new SecureRandom().nextBytes(material);
    return id + ":" + Base64.getEncoder().encodeToString(material);
  }

  public String currentId() {
    return currentId;
  }

  public SecretKey current(String algorithm) {
    return new SecretKeySpec(keys.get(currentId), algorithm);
  }

  public Optional<SecretKey> find(String id, String algorithm) {
    return Optional.ofNullable(keys.get(id)).map(material -> new SecretKeySpec(material, algorithm));
  }
}
