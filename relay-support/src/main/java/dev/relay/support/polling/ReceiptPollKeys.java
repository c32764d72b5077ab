package dev.relay.support.polling;

import dev.relay.support.config.ConfigKey;
import java.util.List;

/**
 * Status polling of sends whose final receipt is overdue, declared once: the dispatcher, which holds every
 * send and its receipt, decides when a send is polled and writes it to {@code receipt-polls}; dlr-ingest's
 * poller, which holds the vendors' API credentials, looks the status up. Both read {@link #ENABLED}, so
 * one settings file switches both.
 */
public final class ReceiptPollKeys {

  // Polling needs the vendors' API credentials in dlr-ingest, which otherwise holds only webhook
  // secrets: it is switched on where a vendor's callbacks are known to be unreliable.
  public static final ConfigKey ENABLED = ConfigKey.optional(
      "relay.dlr.poll.enabled", "false",
      "poll the status of accepted sends whose final receipt is overdue: the dispatcher asks, dlr-ingest looks it up"
          + " (needs the vendors' API credentials there); set it in both");
  public static final ConfigKey AFTER = ConfigKey.optional(
      "relay.dlr.poll.after", "60s",
      "time from a send's acceptance without a final receipt to its first status poll (read by the dispatcher)");
  public static final ConfigKey INTERVAL = ConfigKey.optional(
      "relay.dlr.poll.interval", "60s",
      "time between status polls of a message whose status is still intermediate (read by the dispatcher)");
  public static final ConfigKey MAX_POLLS = ConfigKey.optional(
      "relay.dlr.poll.max-polls", "3", "status polls per message before it is given up (read by the dispatcher)");
  public static final ConfigKey PROVIDERS = ConfigKey.optional(
      "relay.dlr.poll.providers", "twilio,plivo",
      "vendors whose sends are polled: those with a status lookup (read by the dispatcher)");
  public static final ConfigKey SCAN_INTERVAL = ConfigKey.optional(
      "relay.dlr.poll.scan-interval", "1s",
      "Not read any more: the dispatcher wakes when a poll is due. Kept so existing configs load");

  public static final List<ConfigKey> ALL = List.of(ENABLED, AFTER, INTERVAL, MAX_POLLS, PROVIDERS, SCAN_INTERVAL);

  private ReceiptPollKeys() {}
}
