package dev.relay.support.config;

import dev.relay.schemas.topics.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

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
      "AES-256 keys sealing codes (dispatcher and sender only): id:base64(32 bytes)[,...]; the first seals, all open");
  public static final ConfigKey GUESS_ENCRYPTION_KEYS = ConfigKey.secret(
      "relay.secrets.guess-encryption-keys",
      "AES-256 keys sealing users' guesses from the API to the dispatcher, never the code keys:"
          + " id:base64(32 bytes)[,...]; the first seals, all open");
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

  /**
   * The port of {@code /metrics} and the health endpoints when they must not share the public port:
   * a deployment publishes the service port and keeps this one on its internal network.
   */
  public static final ConfigKey MANAGEMENT_PORT = ConfigKey.optional(
      "relay.management.port", "",
      "port of /metrics and /health/* apart from the public port, on the same bind address (0 picks a free one);"
          + " empty: both served on relay.http.port");

  /** The management port when one is configured. */
  public static OptionalInt managementPort(RelayConfig config) {
    Optional<String> value = config.find(MANAGEMENT_PORT).map(String::trim).filter(port -> !port.isEmpty());
    if (value.isEmpty()) {
      return OptionalInt.empty();
    }
    int port = config.getInt(MANAGEMENT_PORT);
    if (port < 0 || port > 65_535) {
      throw new ConfigException(MANAGEMENT_PORT.name() + " must be between 0 and 65535, not " + port);
    }
    return OptionalInt.of(port);
  }

  public static ConfigKey httpHost() {
    return ConfigKey.optional("relay.http.host", "0.0.0.0", "HTTP bind address");
  }
}
