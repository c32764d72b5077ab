package dev.relay.support.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelayConfigTest {

  private static final ConfigKey PORT = ConfigKey.optional("relay.http.port", "8080", "port");
  private static final ConfigKey WINDOW = ConfigKey.optional("relay.verification.delivery-window", "30s", "window");
  private static final ConfigKey TOKEN = ConfigKey.secret("relay.providers.twilio.auth-token", "token");
  private static final ConfigSchema SCHEMA = ConfigSchema.of(List.of(PORT, WINDOW, TOKEN));

  @TempDir Path dir;

  @Test
  void laterLayersWinDefaultsThenFileThenEnvironmentThenFlags() throws Exception {
    Path file = dir.resolve("relay.properties");
    Files.writeString(file, "relay.http.port=9000\nrelay.verification.delivery-window=PT45S\nrelay.providers.twilio.auth-token=from-file\n");
    Map<String, String> env = Map.of("RELAY_CONFIG_FILE", file.toString(), "RELAY_HTTP_PORT", "9100");

    RelayConfig config = RelayConfig.load(SCHEMA, env, new String[] {"--relay.providers.twilio.auth-token=from-flag"});

    assertThat(config.getInt(PORT)).isEqualTo(9100);
    assertThat(config.getDuration(WINDOW)).isEqualTo(Duration.ofSeconds(45));
    assertThat(config.get(TOKEN)).isEqualTo("from-flag");
  }

  @Test
  void aMissingRequiredKeyIsNamedWithItsEnvironmentVariable() {
    assertThatThrownBy(() -> RelayConfig.load(SCHEMA, Map.of(), new String[0]))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("relay.providers.twilio.auth-token")
        .hasMessageContaining("RELAY_PROVIDERS_TWILIO_AUTH_TOKEN");
  }

  @Test
  void anUnknownKeyIsRefusedSoATypoDoesNotPassSilently() {
    assertThatThrownBy(() -> RelayConfig.of(SCHEMA, Map.of("relay.http.prot", "1", TOKEN.name(), "x")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("relay.http.prot");
  }

  @Test
  void badValuesNameTheKey() {
    RelayConfig config = RelayConfig.of(SCHEMA, Map.of(PORT.name(), "eighty", WINDOW.name(), "soon", TOKEN.name(), "x"));

    assertThatThrownBy(() -> config.getInt(PORT)).hasMessageContaining("relay.http.port");
    assertThatThrownBy(() -> config.getDuration(WINDOW)).hasMessageContaining("relay.verification.delivery-window");
  }

  @Test
  void aFractionIsANumberFromZeroToOne() {
    ConfigKey share = ConfigKey.optional("relay.routing.exploration-share", "0.05", "share");
    ConfigSchema schema = ConfigSchema.of(List.of(share));

    assertThat(RelayConfig.of(schema, Map.of()).getFraction(share)).isEqualTo(0.05);
    assertThat(RelayConfig.of(schema, Map.of(share.name(), " 1 ")).getFraction(share)).isEqualTo(1.0);
    assertThatThrownBy(() -> RelayConfig.of(schema, Map.of(share.name(), "five percent")).getFraction(share))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.routing.exploration-share must be a number");
    assertThatThrownBy(() -> RelayConfig.of(schema, Map.of(share.name(), "1.5")).getFraction(share))
        .isInstanceOf(ConfigException.class).hasMessageContaining("between 0 and 1, not 1.5");
    assertThatThrownBy(() -> RelayConfig.requireFraction(share, Double.NaN)).isInstanceOf(ConfigException.class);
  }

  @Test
  void printableMasksSecrets() {
    RelayConfig config = RelayConfig.of(SCHEMA, Map.of(TOKEN.name(), "very-secret"));

    assertThat(config.printable()).containsEntry(TOKEN.name(), "******").doesNotContainValue("very-secret");
  }

  @Test
  void environmentNamesDeriveFromKeys() {
    assertThat(ConfigKey.envNameOf("relay.kafka.bootstrap-servers")).isEqualTo("RELAY_KAFKA_BOOTSTRAP_SERVERS");
  }
}
