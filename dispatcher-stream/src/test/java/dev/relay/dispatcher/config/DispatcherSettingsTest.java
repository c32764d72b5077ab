package dev.relay.dispatcher.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.dispatcher.facts.RouteFactSettings;
import dev.relay.schemas.Channel;
import dev.relay.support.config.CommonKeys;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.secrets.Keyring;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DispatcherSettingsTest {

  private static Map<String, String> secrets() {
    Map<String, String> values = new HashMap<>();
    values.put(CommonKeys.CODE_HMAC_KEYS.name(), Keyring.generateSetting("h1"));
    values.put(CommonKeys.CODE_ENCRYPTION_KEYS.name(), Keyring.generateSetting("e1"));
    values.put(CommonKeys.GUESS_ENCRYPTION_KEYS.name(), Keyring.generateSetting("g1"));
    values.put(CommonKeys.ID_KEYS.name(), Keyring.generateSetting("i1"));
    return values;
  }

  private static DispatcherSettings with(String key, String value) {
    Map<String, String> values = secrets();
    values.put(key, value);
    return DispatcherSettings.from(RelayConfig.of(DispatcherConfig.SCHEMA, values));
  }

  @Test
  void theDefaultsAreTheDocumentedOnes() {
    DispatcherSettings settings = DispatcherSettings.from(RelayConfig.of(DispatcherConfig.SCHEMA, secrets()));

    assertThat(settings.applicationId()).isEqualTo("relay-dispatcher");
    assertThat(settings.stateDir()).isEqualTo(Path.of("data/dispatcher-state"));
    assertThat(settings.commitInterval()).isEqualTo(Duration.ofMillis(20));
    assertThat(settings.codeLength()).isEqualTo(6);
    assertThat(settings.ttl()).isEqualTo(Duration.ofMinutes(10));
    assertThat(settings.deliveryWindow()).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.maxWrongGuesses()).isEqualTo(5);
    assertThat(settings.maxSends()).isEqualTo(5);
    assertThat(settings.routeFacts()).isEqualTo(new RouteFactSettings(Duration.ofHours(2), Duration.ofSeconds(10)));
    assertThat(settings.routeFacts()).isEqualTo(RouteFactSettings.defaults());
  }

  @Test
  void theRouteFactsKeepTheNamesScoringReadThemBy() {
    assertThat(with("relay.scoring.match-horizon", "3h").routeFacts().matchHorizon()).isEqualTo(Duration.ofHours(3));
    assertThat(with("relay.scoring.outage-min-gap", "30s").routeFacts().minOutage()).isEqualTo(Duration.ofSeconds(30));
    assertThatThrownBy(() -> with("relay.scoring.outage-min-gap", "0s"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.scoring.outage-min-gap must be a positive duration");
  }

  @Test
  void theSchemaHoldsTheSharedKeysAndTheDispatchersPort() {
    assertThat(DispatcherConfig.SCHEMA.find("relay.kafka.bootstrap-servers")).isPresent();
    assertThat(DispatcherConfig.SCHEMA.find("relay.topics.partitions")).isPresent();
    assertThat(DispatcherConfig.SCHEMA.find("relay.secrets.code-hmac-keys")).isPresent();
    assertThat(DispatcherConfig.SCHEMA.find("relay.http.port").orElseThrow().defaultValue()).isEqualTo("8081");
    assertThat(DispatcherConfig.SCHEMA.keys()).containsAll(dev.relay.providers.ProviderKeys.ALL);
  }

  @Test
  void theChannelOrderIsReadPerCountryWithItsDefault() {
    DispatcherSettings settings = with(DispatcherConfig.CHANNEL_ORDER.name(), "DE:sms,whatsapp,voice;*:sms,voice");

    assertThat(settings.channelOrderFor("DE")).containsExactly(Channel.SMS, Channel.WHATSAPP, Channel.VOICE);
    assertThat(settings.channelOrderFor("FR")).containsExactly(Channel.SMS, Channel.VOICE);
  }

  @Test
  void withoutAChannelOrderTheDeprecatedVoiceCountriesGiveIt() {
    DispatcherSettings none = DispatcherSettings.from(RelayConfig.of(DispatcherConfig.SCHEMA, secrets()));
    DispatcherSettings voiceInDe = with(DispatcherConfig.VOICE_FALLBACK_COUNTRIES.name(), "de");
    DispatcherSettings voiceEverywhere = with(DispatcherConfig.VOICE_FALLBACK_COUNTRIES.name(), "*");

    assertThat(none.channelOrderFor("DE")).containsExactly(Channel.SMS);
    assertThat(voiceInDe.channelOrderFor("DE")).containsExactly(Channel.SMS, Channel.VOICE);
    assertThat(voiceInDe.channelOrderFor("FR")).containsExactly(Channel.SMS);
    assertThat(voiceEverywhere.channelOrderFor("FR")).containsExactly(Channel.SMS, Channel.VOICE);
  }

  @Test
  void aBadChannelOrderIsRefusedNamingTheKey() {
    Map<String, String> both = secrets();
    both.put(DispatcherConfig.CHANNEL_ORDER.name(), "*:sms,voice");
    both.put(DispatcherConfig.VOICE_FALLBACK_COUNTRIES.name(), "DE");

    assertThatThrownBy(() -> DispatcherSettings.from(RelayConfig.of(DispatcherConfig.SCHEMA, both)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("relay.fallback.voice-countries and relay.fallback.channel-order are both set");
    assertThatThrownBy(() -> with(DispatcherConfig.CHANNEL_ORDER.name(), "DE:sms,whatsapp"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.fallback.channel-order needs a default entry");
    assertThatThrownBy(() -> with(DispatcherConfig.CHANNEL_ORDER.name(), "DE:sms,fax;*:sms"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'fax' in the entry for DE is not a channel");
    assertThatThrownBy(() -> with(DispatcherConfig.CHANNEL_ORDER.name(), "*:sms,sms"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("sms appears twice in the entry for *");
    assertThatThrownBy(() -> with(DispatcherConfig.CHANNEL_ORDER.name(), "DEU:sms;*:sms"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'DEU' is not an ISO 3166");
  }

  @Test
  void durationsAreReadInEitherForm() {
    assertThat(with("relay.verification.delivery-window", "PT45S").deliveryWindow()).isEqualTo(Duration.ofSeconds(45));
    assertThat(with("relay.verification.ttl", "5m").ttl()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void outOfRangeValuesAreRefusedNamingTheKey() {
    assertThatThrownBy(() -> with("relay.verification.code-length", "3"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.verification.code-length");
    assertThatThrownBy(() -> with("relay.verification.code-length", "11"))
        .hasMessageContaining("relay.verification.code-length");
    assertThatThrownBy(() -> with("relay.verification.max-sends", "0"))
        .hasMessageContaining("relay.verification.max-sends");
    assertThatThrownBy(() -> with("relay.verification.delivery-window", "0s"))
        .hasMessageContaining("relay.verification.delivery-window");
    assertThatThrownBy(() -> with("relay.verification.ttl", "ten minutes"))
        .hasMessageContaining("relay.verification.ttl");
  }

  @Test
  void aCountryMayHaveItsOwnDeliveryWindow() {
    DispatcherSettings settings = with("relay.verification.delivery-window-by-country", "in:60s, NG:PT45S");

    assertThat(settings.deliveryWindowFor("IN")).isEqualTo(Duration.ofSeconds(60));
    assertThat(settings.deliveryWindowFor("NG")).isEqualTo(Duration.ofSeconds(45));
    assertThat(settings.deliveryWindowFor("DE")).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void aBadPerCountryWindowNamesTheKey() {
    assertThatThrownBy(() -> with("relay.verification.delivery-window-by-country", "India:60s"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.verification.delivery-window-by-country");
    assertThatThrownBy(() -> with("relay.verification.delivery-window-by-country", "IN:soon"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("IN");
    assertThatThrownBy(() -> with("relay.verification.delivery-window-by-country", "IN:0s"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("positive");
  }
}
