package dev.relay.dlr.config;

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

  public static final ConfigSchema SCHEMA = ConfigSchema.combine(
      List.of(CommonKeys.BOOTSTRAP_SERVERS),
      CommonKeys.topicKeys(),
      ProviderKeys.ALL,
      List.of(HTTP_PORT, HTTP_HOST, ACK_TIMEOUT, PROVISION_TIMEOUT));

  private DlrConfig() {}
}
