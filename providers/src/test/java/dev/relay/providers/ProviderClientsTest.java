package dev.relay.providers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.providers.receipt.ReceiptReaders;
import dev.relay.schemas.Channel;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.ConfigSchema;
import dev.relay.support.config.RelayConfig;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProviderClientsTest {

  private static final ConfigSchema SCHEMA = ConfigSchema.of(ProviderKeys.ALL);

  private static RelayConfig config(Map<String, String> values) {
    return RelayConfig.of(SCHEMA, values);
  }

  private static Map<String, String> allCredentials() {
    Map<String, String> values = new HashMap<>();
    values.put("relay.providers.enabled", "vonage, Twilio,plivo");
    values.put("relay.providers.twilio.account-sid", "AC1");
    values.put("relay.providers.twilio.auth-token", "t");
    values.put("relay.providers.twilio.from", "+14155552345");
    values.put("relay.providers.twilio.voice-from", "+14155550000");
    values.put("relay.providers.vonage.api-key", "k");
    values.put("relay.providers.vonage.api-secret", "s");
    values.put("relay.providers.vonage.signature-secret", "sig");
    values.put("relay.providers.vonage.from", "Acme");
    values.put("relay.providers.plivo.auth-id", "MA1");
    values.put("relay.providers.plivo.auth-token", "p");
    values.put("relay.providers.plivo.from", "14155552345");
    return values;
  }

  @Test
  void buildsTheEnabledVendorsInTheConfiguredOrder() {
    Map<String, ProviderClient> clients = ProviderClients.fromConfig(config(allCredentials()));

    assertThat(clients).containsOnlyKeys("vonage", "twilio", "plivo");
    assertThat(clients.keySet()).containsExactly("vonage", "twilio", "plivo");
    assertThat(clients.get("twilio").channels()).containsExactlyInAnyOrder(Channel.SMS, Channel.VOICE);
    assertThat(clients.get("twilio")).isInstanceOf(CircuitBreakingClient.class);
    assertThat(ReceiptReaders.fromConfig(config(allCredentials()), Clock.systemUTC())).containsOnlyKeys("vonage", "twilio", "plivo");
  }

  @Test
  void whatsAppIsOnPerVendorWhenItsSenderIsConfigured() {
    Map<String, String> values = allCredentials();
    values.put("relay.providers.twilio.whatsapp-from", "+14155238886");
    values.put("relay.providers.twilio.whatsapp-content-sid", "HX0123456789abcdef0123456789abcdef");
    values.put("relay.providers.vonage.whatsapp-from", "+447700900001");
    values.put("relay.providers.vonage.application-id", "app-1");
    values.put("relay.providers.vonage.private-key", dev.relay.providers.vonage.VonageKeys.privatePem());
    values.put("relay.providers.vonage.signature-secret", "a-signature-secret-of-at-least-32-bytes");

    Map<String, ProviderClient> clients = ProviderClients.fromConfig(config(values));

    assertThat(clients.get("twilio").channels()).containsExactlyInAnyOrder(Channel.SMS, Channel.VOICE, Channel.WHATSAPP);
    assertThat(clients.get("vonage").channels()).containsExactlyInAnyOrder(Channel.SMS, Channel.WHATSAPP);
    assertThat(clients.get("plivo").channels()).containsExactly(Channel.SMS);
    assertThat(ReceiptReaders.fromConfig(config(values), Clock.systemUTC()))
        .containsOnlyKeys("vonage", "vonage-messages", "twilio", "plivo");
  }

  @Test
  void vonageWhatsAppWithoutItsKeyOrWithAWeakSecretIsAConfigErrorNamingTheKey() {
    Map<String, String> values = allCredentials();
    values.put("relay.providers.vonage.whatsapp-from", "+447700900001");
    values.put("relay.providers.vonage.application-id", "app-1");

    assertThatThrownBy(() -> ProviderClients.fromConfig(config(values)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.providers.vonage.private-key");
    values.put("relay.providers.vonage.private-key", "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----");
    assertThatThrownBy(() -> ProviderClients.fromConfig(config(values)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("PKCS#8");
    // "sig" is far shorter than the 32 bytes an HS256 key needs.
    assertThatThrownBy(() -> ReceiptReaders.fromConfig(config(values), Clock.systemUTC()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.providers.vonage.signature-secret");
  }

  @Test
  void aDisabledVendorNeedsNoCredentials() {
    Map<String, String> values = new HashMap<>();
    values.put("relay.providers.enabled", "plivo");
    values.put("relay.providers.plivo.auth-id", "MA1");
    values.put("relay.providers.plivo.auth-token", "p");
    values.put("relay.providers.plivo.from", "14155552345");
    values.put("relay.providers.circuit-breaker.enabled", "false");

    Map<String, ProviderClient> clients = ProviderClients.fromConfig(config(values));

    assertThat(clients).containsOnlyKeys("plivo");
    assertThat(clients.get("plivo")).isNotInstanceOf(CircuitBreakingClient.class);
  }

  @Test
  void anEnabledVendorWithoutACredentialFailsNamingTheKey() {
    Map<String, String> values = allCredentials();
    values.remove("relay.providers.twilio.auth-token");

    assertThatThrownBy(() -> ProviderClients.fromConfig(config(values)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("relay.providers.twilio.auth-token")
        .hasMessageContaining("RELAY_PROVIDERS_TWILIO_AUTH_TOKEN");
  }

  @Test
  void receiptsNeedTheVonageSignatureSecretEvenThoughSendingDoesNot() {
    Map<String, String> values = allCredentials();
    values.remove("relay.providers.vonage.signature-secret");

    assertThat(ProviderClients.fromConfig(config(values))).containsKey("vonage");
    assertThatThrownBy(() -> ReceiptReaders.fromConfig(config(values), Clock.systemUTC()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("relay.providers.vonage.signature-secret");
  }

  @Test
  void refusesAnUnknownVendorABadPublicUrlAndBadBreakerSettings() {
    Map<String, String> unknown = allCredentials();
    unknown.put("relay.providers.enabled", "twilio,sinch");
    Map<String, String> badUrl = allCredentials();
    badUrl.put("relay.dlr.public-url", "relay.example.com");
    Map<String, String> badBreaker = allCredentials();
    badBreaker.put("relay.providers.circuit-breaker.window-calls", "2");

    assertThatThrownBy(() -> ProviderClients.fromConfig(config(unknown))).hasMessageContaining("sinch");
    assertThatThrownBy(() -> ProviderClients.fromConfig(config(badUrl))).hasMessageContaining("relay.dlr.public-url");
    assertThatThrownBy(() -> ProviderClients.fromConfig(config(badBreaker))).hasMessageContaining("window-calls");
  }

  @Test
  void secretsArePrintedMasked() {
    Map<String, String> printable = config(allCredentials()).printable();

    assertThat(printable.get("relay.providers.twilio.auth-token")).isEqualTo("******");
    assertThat(printable.get("relay.providers.vonage.api-secret")).isEqualTo("******");
    assertThat(printable.get("relay.providers.plivo.auth-token")).isEqualTo("******");
  }
}
