package dev.relay.providers;

import dev.relay.providers.http.VendorHttp;
import dev.relay.providers.plivo.PlivoClient;
import dev.relay.providers.twilio.TwilioClient;
import dev.relay.providers.vonage.VonageApplicationJwt;
import dev.relay.providers.vonage.VonageClient;
import dev.relay.providers.vonage.VonageMessagesClient;
import java.time.Clock;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.RelayConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the adapters of the enabled vendors from config, each behind its circuit breakers. */
public final class ProviderClients {

  private ProviderClients() {}

  /**
   * The enabled vendors' clients by name, in the configured order.
   *
   * @throws ConfigException naming the key when an enabled vendor lacks a credential or a sender
   */
  public static Map<String, ProviderClient> fromConfig(RelayConfig config) {
    VendorHttp.Settings http = VendorHttp.Settings.fromConfig(config);
    String callbackBase = ProviderKeys.publicUrl(config);
    boolean breakers = config.getBoolean(ProviderKeys.CIRCUIT_ENABLED);
    CircuitBreakingClient.Settings breakerSettings = breakers ? breakerSettings(config) : null;
    Map<String, ProviderClient> clients = new LinkedHashMap<>();
    for (String provider : ProviderKeys.enabled(config)) {
      ProviderClient client = switch (provider) {
        case ProviderKeys.TWILIO -> twilio(config, http, callbackBase);
        case ProviderKeys.VONAGE -> vonage(config, http, callbackBase);
        case ProviderKeys.PLIVO -> plivo(config, http, callbackBase);
        default -> throw new ConfigException("no adapter for provider " + provider);
      };
      clients.put(provider, breakers ? new CircuitBreakingClient(client, breakerSettings) : client);
    }
    return Collections.unmodifiableMap(clients);
  }

  private static ProviderClient twilio(RelayConfig config, VendorHttp.Settings http, String callbackBase) {
    String provider = ProviderKeys.TWILIO;
    String messagingService = config.find(ProviderKeys.TWILIO_MESSAGING_SERVICE_SID).orElse("");
    String from = messagingService.isBlank()
        ? ProviderKeys.require(config, ProviderKeys.TWILIO_FROM, provider)
        : config.find(ProviderKeys.TWILIO_FROM).orElse("");
    TwilioClient.Settings settings = new TwilioClient.Settings(
        config.get(ProviderKeys.TWILIO_BASE_URL),
        ProviderKeys.require(config, ProviderKeys.TWILIO_ACCOUNT_SID, provider),
        ProviderKeys.require(config, ProviderKeys.TWILIO_AUTH_TOKEN, provider),
        from, messagingService,
        config.find(ProviderKeys.TWILIO_VOICE_FROM).orElse(""),
        config.find(ProviderKeys.TWILIO_WHATSAPP_FROM).orElse(""),
        config.find(ProviderKeys.TWILIO_WHATSAPP_CONTENT_SID).orElse(""),
        callbackBase);
    return new TwilioClient(settings, new VendorHttp(provider, http));
  }

  private static ProviderClient vonage(RelayConfig config, VendorHttp.Settings http, String callbackBase) {
    String provider = ProviderKeys.VONAGE;
    VonageClient.Settings settings = new VonageClient.Settings(
        config.get(ProviderKeys.VONAGE_BASE_URL),
        ProviderKeys.require(config, ProviderKeys.VONAGE_API_KEY, provider),
        ProviderKeys.require(config, ProviderKeys.VONAGE_API_SECRET, provider),
        ProviderKeys.require(config, ProviderKeys.VONAGE_FROM, provider),
        callbackBase);
    VonageClient sms = new VonageClient(settings, new VendorHttp(provider, http));
    String whatsappFrom = config.find(ProviderKeys.VONAGE_WHATSAPP_FROM).map(String::trim).orElse("");
    if (whatsappFrom.isEmpty()) {
      return sms;
    }
    VonageApplicationJwt jwt;
    try {
      jwt = new VonageApplicationJwt(ProviderKeys.require(config, ProviderKeys.VONAGE_APPLICATION_ID, provider),
          ProviderKeys.require(config, ProviderKeys.VONAGE_PRIVATE_KEY, provider), Clock.systemUTC());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(ProviderKeys.VONAGE_PRIVATE_KEY.name() + ": " + e.getMessage());
    }
    VonageMessagesClient whatsapp = new VonageMessagesClient(new VonageMessagesClient.Settings(
        config.get(ProviderKeys.VONAGE_MESSAGES_BASE_URL), whatsappFrom,
        config.find(ProviderKeys.VONAGE_WHATSAPP_TEMPLATE).map(String::trim).orElse(""),
        config.get(ProviderKeys.VONAGE_WHATSAPP_LOCALE), callbackBase), jwt, new VendorHttp(provider, http));
    return new ChannelRoutedClient(provider, sms, whatsapp);
  }

  private static ProviderClient plivo(RelayConfig config, VendorHttp.Settings http, String callbackBase) {
    String provider = ProviderKeys.PLIVO;
    PlivoClient.Settings settings = new PlivoClient.Settings(
        config.get(ProviderKeys.PLIVO_BASE_URL),
        ProviderKeys.require(config, ProviderKeys.PLIVO_AUTH_ID, provider),
        ProviderKeys.require(config, ProviderKeys.PLIVO_AUTH_TOKEN, provider),
        ProviderKeys.require(config, ProviderKeys.PLIVO_FROM, provider),
        callbackBase);
    return new PlivoClient(settings, new VendorHttp(provider, http));
  }

  private static CircuitBreakingClient.Settings breakerSettings(RelayConfig config) {
    int failureRate = config.getInt(ProviderKeys.CIRCUIT_FAILURE_RATE);
    int minimumCalls = config.getInt(ProviderKeys.CIRCUIT_MINIMUM_CALLS);
    int window = config.getInt(ProviderKeys.CIRCUIT_WINDOW);
    if (failureRate < 1 || failureRate > 100) {
      throw new ConfigException(ProviderKeys.CIRCUIT_FAILURE_RATE.name() + " must be between 1 and 100, not " + failureRate);
    }
    if (minimumCalls < 1 || window < minimumCalls) {
      throw new ConfigException(ProviderKeys.CIRCUIT_WINDOW.name() + " must be at least "
          + ProviderKeys.CIRCUIT_MINIMUM_CALLS.name() + " (" + minimumCalls + "), and both at least 1");
    }
    return new CircuitBreakingClient.Settings(failureRate, minimumCalls, window, config.getDuration(ProviderKeys.CIRCUIT_OPEN_FOR));
  }
}
