package dev.relay.sender.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.support.config.CommonKeys;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.secrets.Keyring;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MessageSettingsTest {

  private static MessageSettings read(Map<String, String> values) {
    Map<String, String> withKeys = new HashMap<>(values);
    withKeys.put(CommonKeys.CODE_ENCRYPTION_KEYS.name(), Keyring.generateSetting("e1"));
    return MessageSettings.from(RelayConfig.of(SenderConfig.SCHEMA, withKeys));
  }

  @Test
  void byDefaultTheAppIsRelayAndNoAutofillLineIsAdded() {
    assertThat(read(Map.of())).isEqualTo(new MessageSettings("Relay", Optional.empty(), Optional.empty()));
    assertThat(SenderConfig.FRIENDLY_NAME.name()).isEqualTo("relay.messages.friendly-name");
    assertThat(SenderConfig.WEB_OTP_DOMAIN.name()).isEqualTo("relay.messages.web-otp-domain");
    assertThat(SenderConfig.ANDROID_APP_HASH.name()).isEqualTo("relay.messages.android-app-hash");
  }

  @Test
  void readsTheNameAndBothAutofillSettings() {
    MessageSettings settings = read(Map.of(
        "relay.messages.friendly-name", " Acme ",
        "relay.messages.web-otp-domain", "Login.Example.com",
        "relay.messages.android-app-hash", "FA+9qCX9VSu"));

    assertThat(settings).isEqualTo(new MessageSettings("Acme", Optional.of("login.example.com"), Optional.of("FA+9qCX9VSu")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"Acme\n@evil.com #123456", "A name that is much longer than thirty characters"})
  void refusesANameThatCouldForgeALineOrIsTooLong(String name) {
    assertThatThrownBy(() -> read(Map.of("relay.messages.friendly-name", name)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.messages.friendly-name");
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://example.com", "example.com/login", "example.com:8443", "exa mple.com", "-example.com"})
  void refusesAWebOtpDomainThatIsNoHostName(String domain) {
    assertThatThrownBy(() -> read(Map.of("relay.messages.web-otp-domain", domain)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.messages.web-otp-domain");
  }

  @ParameterizedTest
  @ValueSource(strings = {"FA+9qCX9VS", "FA+9qCX9VSuX", "FA+9qCX9VS!"})
  void refusesAnAppHashThatIsNotElevenBase64Characters(String hash) {
    assertThatThrownBy(() -> read(Map.of("relay.messages.android-app-hash", hash)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.messages.android-app-hash");
  }
}
