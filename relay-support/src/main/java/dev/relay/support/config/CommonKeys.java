package dev.relay.support.config;

import dev.relay.schemas.topics.Topics;
import java.util.ArrayList;
import java.util.List;

/** Keys several services read: the broker, the topics, the secrets and the HTTP port. */
public final class CommonKeys {

  public static final ConfigKey BOOTSTRAP_SERVERS = ConfigKey.optional(
      "relay.kafka.bootstrap-servers", "localhost:9092", "Kafka bootstrap servers, host:port[,host:port]");
  public static final ConfigKey KAFKA_CLIENT_PROPERTIES_FILE = ConfigKey.optional(
      "relay.kafka.client-properties-file", "",
      "A Kafka client properties file (security.protocol, sasl.*, ssl.*) applied to every client;"
          + " relay.kafka.client.* keys override it. See docs/deploy.md");

  public static final ConfigKey CODE_HMAC_KEYS = ConfigKey.secret(
      "relay.secrets.code-hmac-keys",
      "Keys for the verifying copy of codes: id:base64(32 bytes)[,id:base64...]; the first signs, all verify");
  public static final ConfigKey CODE_ENCRYPTION_KEYS = ConfigKey.secret(
      "relay.secrets.code-encryption-keys",
      "AES-256 keys sealing codes and guesses: id:base64(32 bytes)[,...]; the first seals, all open");
  public static final ConfigKey ID_KEYS = ConfigKey.secret(
      "relay.secrets.id-keys",
      "AES-256 keys sealing the number inside verification ids: id:base64(32 bytes)[,...]");

  private CommonKeys() {}

  /** The keys behind {@link Topics}: names, partitions, replication and retention. */
  public static List<ConfigKey> topicKeys() {
    List<ConfigKey> keys = new ArrayList<>();
    Topics.settings().forEach((name, defaultValue) ->
        keys.add(ConfigKey.optional(name, defaultValue, "topic setting, see docs/topics.md")));
    return keys;
  }

  public static ConfigKey httpPort(int defaultPort) {
    return ConfigKey.optional("relay.http.port", Integer.toString(defaultPort), "HTTP port (0 picks a free one)");
  }

  public static ConfigKey httpHost() {
    return ConfigKey.optional("relay.http.host", "0.0.0.0", "HTTP bind address");
  }
}
