package dev.relay.dlr.config;

import dev.relay.support.kafka.KafkaAccess;
import dev.relay.providers.ProviderKeys;
import dev.relay.support.config.CommonKeys;
import dev.relay.support.config.ConfigKey;
import dev.relay.support.config.ConfigSchema;
import dev.relay.support.polling.ReceiptPollKeys;
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

  public static final ConfigKey APPLICATION_ID = ConfigKey.optional(
      "relay.streams.application-id", "relay-dlr",
      "Names the status poller's consumer group (<id>-poller); once also the application id of the polling topology,"
          + " which the dispatcher's schedule replaced");
  public static final ConfigKey STATE_DIR = ConfigKey.optional(
      "relay.streams.state-dir", "data/streams",
      "Not read any more: dlr-ingest keeps no state since the dispatcher schedules status polls. Kept so existing configs load");
  public static final ConfigKey COMMIT_INTERVAL = ConfigKey.optional(
      "relay.streams.commit-interval", "1s",
      "Not read any more: dlr-ingest runs no Streams app since the dispatcher schedules status polls. Kept so existing configs load");

  public static final ConfigSchema SCHEMA = ConfigSchema.combine(
      List.of(CommonKeys.BOOTSTRAP_SERVERS, CommonKeys.KAFKA_CLIENT_PROPERTIES_FILE),
      CommonKeys.topicKeys(),
      ProviderKeys.ALL,
      List.of(HTTP_PORT, HTTP_HOST, CommonKeys.MANAGEMENT_PORT, ACK_TIMEOUT, PROVISION_TIMEOUT),
      ReceiptPollKeys.ALL,
      List.of(APPLICATION_ID, STATE_DIR, COMMIT_INTERVAL)).withPrefix(KafkaAccess.CLIENT_KEYS);

  private DlrConfig() {}
}
