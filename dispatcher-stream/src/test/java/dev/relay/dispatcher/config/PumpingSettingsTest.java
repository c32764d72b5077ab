package dev.relay.dispatcher.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.support.config.CommonKeys;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.ConfigKey;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.secrets.Keyring;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PumpingSettingsTest {

  @Test
  void theDefaultsAreTheDocumentedOnesAndReadFromTheDispatchersConfig() {
    Map<String, String> values = new HashMap<>();
    values.put(CommonKeys.CODE_HMAC_KEYS.name(), Keyring.generateSetting("h1"));
    values.put(CommonKeys.CODE_ENCRYPTION_KEYS.name(), Keyring.generateSetting("e1"));
    values.put(CommonKeys.GUESS_ENCRYPTION_KEYS.name(), Keyring.generateSetting("g1"));
    values.put(CommonKeys.ID_KEYS.name(), Keyring.generateSetting("i1"));
    values.put("relay.pumping.window", "PT30M");

    PumpingSettings settings = PumpingSettings.from(RelayConfig.of(DispatcherConfig.SCHEMA, values));

    assertThat(settings).isEqualTo(new PumpingSettings(true, 5, Duration.ofMinutes(30), Duration.ofMinutes(1),
        Duration.ofHours(24), 20, 5.0, 0.2, Duration.ofMinutes(2), Duration.ofHours(1), Duration.ofHours(1)));
    assertThat(PumpingSettings.defaults().window()).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void aPrefixIsTheFirstDigitsWithoutThePlus() {
    PumpingSettings settings = PumpingSettings.defaults();

    assertThat(settings.prefixOf("+4915112345678")).isEqualTo("49151");
    assertThat(settings.prefixOf("+1234")).isEqualTo("1234");
    assertThat(PumpingSettings.defaultsWith(Map.of(PumpingSettings.PREFIX_DIGITS, "7")).prefixOf("+447700900123"))
        .isEqualTo("4477009");
  }

  @Test
  void badValuesNameTheirKey() {
    assertRefused(PumpingSettings.PREFIX_DIGITS, "1");
    assertRefused(PumpingSettings.PREFIX_DIGITS, "five");
    assertRefused(PumpingSettings.WINDOW, "0s");
    assertRefused(PumpingSettings.BUCKET, "1h");
    assertRefused(PumpingSettings.COMPLETION_DELAY, "15m");
    assertRefused(PumpingSettings.MIN_STARTS, "0");
    assertRefused(PumpingSettings.SPIKE_FACTOR, "0.5");
    assertRefused(PumpingSettings.MAX_COMPLETION, "0");
    assertRefused(PumpingSettings.MAX_COMPLETION, "1.5");
    assertRefused(PumpingSettings.BLOCK_FOR, "soon");
    assertRefused(PumpingSettings.ENABLED, "yes");
  }

  private static void assertRefused(ConfigKey key, String value) {
    assertThatThrownBy(() -> PumpingSettings.defaultsWith(Map.of(key, value)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(key.name());
  }
}
