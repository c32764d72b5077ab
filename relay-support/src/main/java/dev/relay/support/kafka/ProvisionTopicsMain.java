package dev.relay.support.kafka;

import dev.relay.support.kafka.acl.ServiceAcls;
import dev.relay.schemas.topics.Topics;
import dev.relay.support.config.CommonKeys;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.ConfigKey;
import dev.relay.support.config.ConfigSchema;
import dev.relay.support.config.RelayConfig;
import java.util.List;

/**
 * Creates Relay's topics and exits: the one-shot step a deployment runs before the services
 * (docker-compose's {@code relay-topics}). Exits 0 when every topic exists, non-zero otherwise.
 */
public final class ProvisionTopicsMain {

  public static final ConfigKey TIMEOUT = ConfigKey.optional(
      "relay.topics.provision-timeout", "60s", "how long to wait for the broker before giving up");
  public static final ConfigSchema SCHEMA = ConfigSchema.combine(
      List.of(CommonKeys.BOOTSTRAP_SERVERS, CommonKeys.KAFKA_CLIENT_PROPERTIES_FILE, TIMEOUT), CommonKeys.topicKeys())
      .withPrefix(KafkaAccess.CLIENT_KEYS);

  private ProvisionTopicsMain() {}

  /**
   * What the provisioner's principal must be allowed: creating and describing Relay's topics, by
   * their common prefix ({@code relay.topics.prefix}), and nothing on their records.
   */
  public static ServiceAcls kafkaAcls(Topics topics) {
    return ServiceAcls.builder("relay-topics").createTopics(topics.prefix()).build();
  }

  public static void main(String[] args) {
    try {
      RelayConfig config = RelayConfig.load(SCHEMA, args);
      Topics topics = Topics.fromConfig(config.lookup());
      TopicProvisioner.ensure(KafkaAccess.from(config), topics.all(), config.getDuration(TIMEOUT));
      System.out.println("topics ready: " + topics.all());
    } catch (ConfigException e) {
      System.err.println("configuration error: " + e.getMessage());
      System.exit(2);
    } catch (RuntimeException e) {
      System.err.println("cannot provision topics: " + e.getMessage());
      System.exit(1);
    }
  }
}
