package dev.relay.dlr.config;

import dev.relay.support.kafka.KafkaAccess;
import dev.relay.providers.ProviderKeys;
import dev.relay.support.config.CommonKeys;
import dev.relay.support.config.ConfigKey;
import dev.relay.support.config.ConfigSchema;
import java.util.List;

/** The settings dlr-ingest reads: the broker, the topics, the providers' secrets and public URL, its HTTP port. */
public final class DlrConfig {

  public static final ConfigKey HTTP_PORT = CommonKeys.httpPort(8082);
  public static final ConfigKey HTTP_HOST = CommonKeys.httpHost();
  public static final ConfigKey ACK_TIMEOUT = ConfigKey.optional(
      "relay.dlr.ack-timeout", "6s",
      "longest wait for Kafka's ack of a receipt before the vendor gets 503 and retries");
  public static final ConfigKey PROVISION_TIMEOUT = ConfigKey.optional(
      "relay.dlr.provision-timeout", "30s", "how long start-up may wait for the broker to create missing topics");

  // Polling needs the vendors' API credentials in dlr-ingest, which otherwise holds only webhook
  // secrets: it is switched on where a vendor's callbacks are known to be unreliable.
  public static final ConfigKey POLL_ENABLED = ConfigKey.optional(
      "relay.dlr.poll.enabled", "false",
      "poll the status of accepted sends whose final receipt is overdue (needs the vendors' API credentials)");
  public static final ConfigKey POLL_AFTER = ConfigKey.optional(
      "relay.dlr.poll.after", "60s", "time from a send's acceptance without a final receipt to its first status poll");
  public static final ConfigKey POLL_INTERVAL = ConfigKey.optional(
      "relay.dlr.poll.interval", "60s", "time between status polls of a message whose status is still intermediate");
  public static final ConfigKey POLL_MAX_POLLS = ConfigKey.optional(
      "relay.dlr.poll.max-polls", "3", "status polls per message before it is given up");
  public static final ConfigKey POLL_PROVIDERS = ConfigKey.optional(
      "relay.dlr.poll.providers", "twilio,plivo", "vendors whose sends are polled: those with a status lookup");
  public static final ConfigKey POLL_SCAN_INTERVAL = ConfigKey.optional(
      "relay.dlr.poll.scan-interval", "1s", "how often the polling topology looks for due polls (wall-clock time)");
  public static final ConfigKey APPLICATION_ID = ConfigKey.optional(
      "relay.streams.application-id", "relay-dlr",
      "Kafka Streams application id of the polling topology: consumer group and prefix of its internal topics");
  public static final ConfigKey STATE_DIR = ConfigKey.optional(
      "relay.streams.state-dir", "data/streams", "Directory of the polling topology's local state stores");
  public static final ConfigKey COMMIT_INTERVAL = ConfigKey.optional(
      "relay.streams.commit-interval", "1s", "How often the polling topology commits (a Duration)");

  public static final ConfigSchema SCHEMA = ConfigSchema.combine(
      List.of(CommonKeys.BOOTSTRAP_SERVERS, CommonKeys.KAFKA_CLIENT_PROPERTIES_FILE),
      CommonKeys.topicKeys(),
      ProviderKeys.ALL,
      List.of(HTTP_PORT, HTTP_HOST, CommonKeys.MANAGEMENT_PORT, ACK_TIMEOUT, PROVISION_TIMEOUT),
      List.of(POLL_ENABLED, POLL_AFTER, POLL_INTERVAL, POLL_MAX_POLLS, POLL_PROVIDERS, POLL_SCAN_INTERVAL,
          APPLICATION_ID, STATE_DIR, COMMIT_INTERVAL)).withPrefix(KafkaAccess.CLIENT_KEYS);

  private DlrConfig() {}
}
