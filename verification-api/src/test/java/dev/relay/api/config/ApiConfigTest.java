package dev.relay.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.api.TestSettings;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.ConfigKey;
import dev.relay.support.config.RelayConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApiConfigTest {

  @Test
  void defaults() {
    ApiConfig config = TestSettings.config(Map.of("relay.http.port", "8080", "relay.http.host", "0.0.0.0"));

    assertThat(config.httpPort()).isEqualTo(8080);
    assertThat(config.httpHost()).isEqualTo("0.0.0.0");
    assertThat(config.bootstrapServers()).isEqualTo("localhost:9092");
    assertThat(config.replyTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.produceTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.startupTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.codeLength()).isEqualTo(new ApiConfig.CodeLength(4, 10));
    assertThat(config.enabledCountries()).isEmpty();
    assertThat(config.requireMobile()).isTrue();
    assertThat(config.apiKeys().required()).isFalse();
    assertThat(config.topics().verificationRequests.name()).isEqualTo("relay.verification-requests");
  }

  @Test
  void theSchemaDeclaresTheSharedAndTheOwnKeys() {
    assertThat(ApiConfig.SCHEMA.keys()).extracting(ConfigKey::name).contains(
        "relay.kafka.bootstrap-servers", "relay.secrets.guess-encryption-keys", "relay.secrets.id-keys",
        "relay.http.port", "relay.http.host", "relay.topics.prefix", "relay.topics.verification-replies.name",
        "relay.api.reply-timeout", "relay.api.produce-timeout", "relay.api.startup-timeout", "relay.api.code-length",
        "relay.api.enabled-countries", "relay.api.require-mobile", "relay.api.keys",
        "relay.api.overload.start-wait-share", "relay.api.overload.wait-share", "relay.api.overload.min-reply-rate");
    assertThat(ApiConfig.SCHEMA.find("relay.http.port")).hasValueSatisfying(key -> assertThat(key.defaultValue()).isEqualTo("8080"));
  }

  @Test
  void readsItsSettingsFromTheEnvironmentAndFlags() {
    Map<String, String> env = new HashMap<>();
    env.put("RELAY_SECRETS_GUESS_ENCRYPTION_KEYS", TestSettings.GUESS_KEYS);
    env.put("RELAY_API_ALLOW_UNAUTHENTICATED", "true");
    env.put("RELAY_SECRETS_ID_KEYS", TestSettings.ID_KEYS);
    env.put("RELAY_API_REPLY_TIMEOUT", "PT2S");

    ApiConfig config = new ApiConfig(RelayConfig.load(ApiConfig.SCHEMA, env, new String[] {"--relay.api.code-length=6"}));

    assertThat(config.replyTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.codeLength()).isEqualTo(new ApiConfig.CodeLength(6, 6));
  }

  @Test
  void theSecretsAreRequiredAndNamedWhenMissing() {
    assertThatThrownBy(() -> ApiConfig.of(Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("relay.secrets.guess-encryption-keys")
        .hasMessageContaining("relay.secrets.id-keys");
  }

  @Test
  void theApiHoldsNoKeyThatOpensACode() {
    assertThat(ApiConfig.SCHEMA.keys()).extracting(ConfigKey::name)
        .doesNotContain("relay.secrets.code-encryption-keys", "relay.secrets.code-hmac-keys");
    Map<String, String> settings = TestSettings.base();
    settings.put("relay.secrets.code-encryption-keys", TestSettings.foreignKeys("k1"));
    assertThatThrownBy(() -> ApiConfig.of(settings)).as("a code key handed to the API is refused, not kept")
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.secrets.code-encryption-keys");
    assertThat(TestSettings.config().guessSealer().purpose()).isEqualTo(dev.relay.support.secrets.SecretSealer.Purpose.GUESS);
  }

  @Test
  void withoutApiKeysTheApiRefusesToStartUnlessTheDevelopmentSwitchIsSet() {
    Map<String, String> settings = TestSettings.base();
    settings.remove("relay.api.allow-unauthenticated");

    assertThatThrownBy(() -> ApiConfig.of(settings))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("relay.api.keys")
        .hasMessageContaining("relay.api.allow-unauthenticated");
    settings.put("relay.api.keys", dev.relay.api.http.ApiKeys.generate("app").settingEntry());
    assertThat(ApiConfig.of(settings).apiKeys().required()).isTrue();
    settings.remove("relay.api.keys");
    settings.put("relay.api.allow-unauthenticated", "true");
    assertThat(ApiConfig.of(settings).allowUnauthenticated()).isTrue();
  }

  @Test
  void codeLengthIsAnAcceptedRange() {
    ApiConfig.CodeLength range = TestSettings.config(Map.of("relay.api.code-length", " 5 - 8 ")).codeLength();

    assertThat(range.accepts("12345")).isTrue();
    assertThat(range.accepts("12345678")).isTrue();
    assertThat(range.accepts("1234")).isFalse();
    assertThat(range.accepts("123456789")).isFalse();
    assertThat(range.accepts("12a45")).isFalse();
    assertThat(range.accepts("\u0661\u0662\u0663\u0664\u0665")).isFalse();
    assertThat(range.describe()).isEqualTo("5 to 8 digits");
  }

  @ParameterizedTest
  @ValueSource(strings = {"3", "11", "3-6", "4-11", "8-6", "six", "4-", "-6", "", "4-6-8"})
  void aCodeLengthOutside4To10IsRefusedNamingTheKey(String value) {
    assertThatThrownBy(() -> TestSettings.config(Map.of("relay.api.code-length", value)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("relay.api.code-length");
  }

  @ParameterizedTest
  @ValueSource(strings = {"relay.api.reply-timeout", "relay.api.produce-timeout", "relay.api.startup-timeout"})
  void timeoutsMustBePositiveDurations(String key) {
    assertThatThrownBy(() -> TestSettings.config(Map.of(key, "0s"))).hasMessageContaining(key);
    assertThatThrownBy(() -> TestSettings.config(Map.of(key, "5"))).hasMessageContaining(key);
    assertThat(TestSettings.config(Map.of(key, "250ms"))).isNotNull();
  }

  @Test
  void overloadLimitsAreSharesOfTheReplyTimeout() {
    assertThat(TestSettings.config().overloadLimits()).isEqualTo(
        new ApiConfig.OverloadLimits(Duration.ofMillis(750), Duration.ofSeconds(4), 20, Duration.ofSeconds(5)));
    // A longer reply timeout lets requests wait longer before they are refused.
    assertThat(TestSettings.config(Map.of("relay.api.reply-timeout", "20s", "relay.api.overload.start-wait-share", "0.25",
        "relay.api.overload.min-reply-rate", "2.5")).overloadLimits()).isEqualTo(
        new ApiConfig.OverloadLimits(Duration.ofSeconds(5), Duration.ofSeconds(16), 2.5, Duration.ofSeconds(20)));
  }

  @Test
  void overloadLimitsAreCheckedNamingTheKey() {
    for (String share : new String[] {"0", "1.5", "-0.1", "half"}) {
      assertThatThrownBy(() -> TestSettings.config(Map.of("relay.api.overload.start-wait-share", share)))
          .isInstanceOf(ConfigException.class).hasMessageContaining("relay.api.overload.start-wait-share");
      assertThatThrownBy(() -> TestSettings.config(Map.of("relay.api.overload.wait-share", share)))
          .isInstanceOf(ConfigException.class).hasMessageContaining("relay.api.overload.wait-share");
    }
    // Starts are refused first: their share may not be the larger one.
    assertThatThrownBy(() -> TestSettings.config(Map.of("relay.api.overload.start-wait-share", "0.9")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.api.overload.start-wait-share");
    for (String rate : new String[] {"0", "-1", "fast", "Infinity"}) {
      assertThatThrownBy(() -> TestSettings.config(Map.of("relay.api.overload.min-reply-rate", rate)))
          .isInstanceOf(ConfigException.class).hasMessageContaining("relay.api.overload.min-reply-rate");
    }
  }

  @Test
  void enabledCountriesAreCheckedRegions() {
    assertThat(TestSettings.config(Map.of("relay.api.enabled-countries", "de, at,FR")).enabledCountries())
        .contains(Set.of("DE", "AT", "FR"));
    assertThatThrownBy(() -> TestSettings.config(Map.of("relay.api.enabled-countries", "DE,XX,Germany")))
        .hasMessageContaining("relay.api.enabled-countries").hasMessageContaining("XX").hasMessageContaining("Germany");
    assertThatThrownBy(() -> TestSettings.config(Map.of("relay.api.enabled-countries", " ")))
        .hasMessageContaining("relay.api.enabled-countries");
  }

  @Test
  void portsAreChecked() {
    assertThatThrownBy(() -> TestSettings.config(Map.of("relay.http.port", "70000"))).hasMessageContaining("relay.http.port");
    assertThatThrownBy(() -> TestSettings.config(Map.of("relay.http.port", "http"))).hasMessageContaining("relay.http.port");
  }

  @Test
  void badKeysAreRefusedAtStartUp() {
    assertThatThrownBy(() -> TestSettings.config(Map.of("relay.secrets.id-keys", "i1:short")))
        .hasMessageContaining("relay.secrets.id-keys");
    assertThatThrownBy(() -> TestSettings.config(Map.of("relay.api.keys", "shop:not-a-hash")))
        .hasMessageContaining("relay.api.keys");
  }
}
