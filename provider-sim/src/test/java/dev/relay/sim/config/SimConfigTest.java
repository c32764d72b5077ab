package dev.relay.sim.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.sim.SimFixture;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.RelayConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SimConfigTest {

  private static Map<String, String> valid() {
    Map<String, String> settings = new HashMap<>();
    settings.put(SimConfig.ENABLED.name(), "true");
    settings.put(SimConfig.TWILIO_ACCOUNT_SID.name(), SimFixture.ACCOUNT_SID);
    settings.put(SimConfig.TWILIO_AUTH_TOKEN.name(), SimFixture.AUTH_TOKEN);
    settings.put(SimConfig.VONAGE_API_KEY.name(), SimFixture.API_KEY);
    settings.put(SimConfig.VONAGE_API_SECRET.name(), SimFixture.API_SECRET);
    return settings;
  }

  private static SimConfig config(Map<String, String> settings) {
    return SimConfig.from(RelayConfig.of(SimConfig.SCHEMA, settings));
  }

  @Test
  void refusesToExistUnlessEnabled() {
    Map<String, String> settings = valid();
    settings.remove(SimConfig.ENABLED.name());

    assertThatThrownBy(() -> config(settings)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("relay.sim.enabled is not true")
        .hasMessageContaining("never runs in a production configuration")
        .hasMessageContaining("RELAY_SIM_ENABLED=true");
    settings.put(SimConfig.ENABLED.name(), "false");
    assertThatThrownBy(() -> config(settings)).isInstanceOf(ConfigException.class);
  }

  @Test
  void anEmptyConfigurationHearsFirstThatTheSimulatorIsNotEnabled() {
    assertThatThrownBy(() -> config(Map.of())).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("relay.sim.enabled is not true");
  }

  @Test
  void hasTheDocumentedDefaults() {
    SimConfig config = config(valid());

    assertThat(config.httpPort()).isEqualTo(8090);
    assertThat(config.dlrUrl()).hasValueSatisfying(url -> assertThat(url.toString()).isEqualTo("http://localhost:8082"));
    assertThat(config.receiptDelay()).isEqualTo(Duration.ofMillis(200));
    assertThat(config.callbackAttempts()).isEqualTo(5);
    assertThat(config.vonageSignatureSecret()).isEmpty();
    assertThat(config.vonageSignatureMethod()).isEqualTo(SimConfig.VonageSignatureMethod.MD5HASH);
    assertThat(config.vonageDlrMethod()).isEqualTo(SimConfig.VonageDlrMethod.POST_JSON);
    assertThat(config.randomSeed()).isEmpty();
  }

  @Test
  void keepsSecretsOutOfThePrintableConfig() {
    Map<String, String> settings = valid();
    settings.put(SimConfig.VONAGE_SIGNATURE_SECRET.name(), "sig-secret");
    Map<String, String> printable = RelayConfig.of(SimConfig.SCHEMA, settings).printable();

    assertThat(printable.values()).doesNotContain(SimFixture.AUTH_TOKEN, SimFixture.API_SECRET, "sig-secret");
  }

  @Test
  void requiresTheVendorAccounts() {
    Map<String, String> settings = valid();
    settings.remove(SimConfig.TWILIO_AUTH_TOKEN.name());

    assertThatThrownBy(() -> config(settings)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("relay.sim.twilio.auth-token");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "relay.sim.twilio.account-sid | SK0123456789abcdef0123456789abcdef",
      "relay.sim.twilio.account-sid | AC123",
      "relay.sim.dlr-url | localhost:8082",
      "relay.sim.dlr-url | ftp://host/x",
      "relay.sim.vonage.signature-method | sha3",
      "relay.sim.vonage.dlr-method | PUT",
      "relay.sim.receipt-delay | soon",
      "relay.sim.receipt-delay | PT1H",
      "relay.sim.callback-timeout | PT0S",
      "relay.sim.callback-attempts | 0",
      "relay.sim.inbox-size | -1",
      "relay.sim.random-seed | lucky",
      "relay.http.port | 70000"})
  void namesTheKeyOfABadValue(String key, String value) {
    Map<String, String> settings = valid();
    settings.put(key, value);

    assertThatThrownBy(() -> config(settings)).isInstanceOf(ConfigException.class).hasMessageContaining(key);
  }

  @Test
  void anEmptyDlrUrlMeansOnlyTheCallbacksARequestNames() {
    Map<String, String> settings = valid();
    settings.put(SimConfig.DLR_URL.name(), "");

    assertThat(config(settings).dlrUrl()).isEmpty();
  }

  @Test
  void plivoIsOffUnlessBothItsCredentialsAreSet() {
    Map<String, String> settings = valid();
    assertThat(config(settings).plivo()).isEmpty();

    settings.put(SimConfig.PLIVO_AUTH_ID.name(), "MAID");
    assertThatThrownBy(() -> config(settings)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("relay.sim.plivo.auth-token");

    settings.put(SimConfig.PLIVO_AUTH_TOKEN.name(), "plivo-secret-token");
    SimConfig config = config(settings);
    assertThat(config.plivo()).contains(new SimConfig.PlivoAccount("MAID", "plivo-secret-token"));
    assertThat(config.plivo().orElseThrow().toString()).doesNotContain("plivo-secret-token");
  }
}
