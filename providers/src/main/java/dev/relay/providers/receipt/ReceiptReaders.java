package dev.relay.providers.receipt;

import dev.relay.providers.ProviderKeys;
import dev.relay.providers.plivo.PlivoReceipts;
import dev.relay.providers.plivo.PlivoSignature;
import dev.relay.providers.twilio.TwilioReceipts;
import dev.relay.providers.vonage.VonageMessagesClient;
import dev.relay.providers.vonage.VonageMessagesReceipts;
import dev.relay.providers.vonage.VonageReceipts;
import dev.relay.providers.vonage.VonageSignature;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.RelayConfig;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds the receipt readers of the enabled vendors by their dlr-ingest route ({@code /dlr/<route>}:
 * the vendor's name, and {@code vonage-messages} for Vonage's WhatsApp statuses), each with the
 * secret that checks its signatures and its memory of the callbacks already taken.
 */
public final class ReceiptReaders {

  /** Callbacks remembered per vendor against replays; a few hundred bytes each at most. */
  static final int REPLAY_MEMORY = 100_000;

  private ReceiptReaders() {}

  /**
   * @throws ConfigException naming the key when an enabled vendor lacks the secret its callbacks are signed with
   */
  public static Map<String, ReceiptReader> fromConfig(RelayConfig config, Clock clock) {
    Map<String, ReceiptReader> readers = new LinkedHashMap<>();
    for (String provider : ProviderKeys.enabled(config)) {
      ReceiptReader reader = switch (provider) {
        case ProviderKeys.TWILIO -> new TwilioReceipts(ProviderKeys.require(config, ProviderKeys.TWILIO_AUTH_TOKEN, provider));
        case ProviderKeys.VONAGE -> new VonageReceipts(new VonageSignature(
            ProviderKeys.require(config, ProviderKeys.VONAGE_SIGNATURE_SECRET, provider),
            vonageMethod(config), clock), new ReplayGuard(VonageReceipts.REPLAY_WINDOW, REPLAY_MEMORY, clock));
        case ProviderKeys.PLIVO -> new PlivoReceipts(new PlivoSignature(ProviderKeys.require(config, ProviderKeys.PLIVO_AUTH_TOKEN, provider)),
            new ReplayGuard(config.getDuration(ProviderKeys.PLIVO_NONCE_WINDOW), REPLAY_MEMORY, clock));
        default -> throw new ConfigException("no receipt reader for provider " + provider);
      };
      readers.put(provider, reader);
      if (provider.equals(ProviderKeys.VONAGE) && config.find(ProviderKeys.VONAGE_WHATSAPP_FROM).filter(from -> !from.isBlank()).isPresent()) {
        readers.put(VonageMessagesClient.RECEIPT_ROUTE, vonageMessages(config, clock));
      }
    }
    return Collections.unmodifiableMap(readers);
  }

  /** WhatsApp status webhooks: their own route, since their format and signature are not the SMS API's. */
  private static ReceiptReader vonageMessages(RelayConfig config, Clock clock) {
    try {
      return new VonageMessagesReceipts(
          ProviderKeys.require(config, ProviderKeys.VONAGE_SIGNATURE_SECRET, ProviderKeys.VONAGE),
          ProviderKeys.require(config, ProviderKeys.VONAGE_API_KEY, ProviderKeys.VONAGE), clock,
          new ReplayGuard(VonageMessagesReceipts.REPLAY_WINDOW, REPLAY_MEMORY, clock));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(ProviderKeys.VONAGE_SIGNATURE_SECRET.name() + ": " + e.getMessage());
    }
  }

  private static VonageSignature.Method vonageMethod(RelayConfig config) {
    try {
      return VonageSignature.Method.parse(config.get(ProviderKeys.VONAGE_SIGNATURE_METHOD));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(ProviderKeys.VONAGE_SIGNATURE_METHOD.name() + ": " + e.getMessage());
    }
  }
}
