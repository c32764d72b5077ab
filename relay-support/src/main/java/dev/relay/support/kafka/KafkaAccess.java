package dev.relay.support.kafka;

import dev.relay.support.config.CommonKeys;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.ConfigPrefix;
import dev.relay.support.config.RelayConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * How every Relay client reaches Kafka: the bootstrap servers and the client properties that say
 * how to authenticate (security.protocol, SASL, TLS stores). Read once from a service's config,
 * from a properties file ({@code relay.kafka.client-properties-file}) overridden by
 * {@code relay.kafka.client.*} keys, and applied by {@link KafkaSettings} to every producer,
 * consumer, admin and Streams app. Values are never printed: {@link #toString()} masks secrets.
 */
public final class KafkaAccess {

  public static final String CLIENT_PREFIX = "relay.kafka.client.";

  /**
   * Settings Relay chooses per client because its guarantees rest on them (acks=all, read_committed,
   * its own commits and ids); a deployment may not override them.
   */
  private static final Set<String> RELAY_OWNED = Set.of(
      CommonClientConfigs.CLIENT_ID_CONFIG, CommonClientConfigs.GROUP_ID_CONFIG,
      ProducerConfig.ACKS_CONFIG, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, ProducerConfig.TRANSACTIONAL_ID_CONFIG,
      ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
      ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
      ConsumerConfig.ISOLATION_LEVEL_CONFIG, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
      ConsumerConfig.AUTO_OFFSET_RESET_CONFIG);

  /** The {@code relay.kafka.client.*} keys: each must be a Kafka client property Relay does not own. */
  public static final ConfigPrefix CLIENT_KEYS = new ConfigPrefix(CLIENT_PREFIX,
      "Kafka client properties applied to every client (security.protocol, sasl.*, ssl.*)",
      KafkaAccess::problem, KafkaAccess::isSecret);

  private final String bootstrapServers;
  private final Map<String, String> clientProperties;

  private KafkaAccess(String bootstrapServers, Map<String, String> clientProperties) {
    this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    this.clientProperties = Collections.unmodifiableMap(new LinkedHashMap<>(clientProperties));
  }

  /** An open broker: bootstrap servers only (the embedded run, tests). */
  public static KafkaAccess plaintext(String bootstrapServers) {
    return new KafkaAccess(bootstrapServers, Map.of());
  }

  /** Validates {@code clientProperties} as the config does, naming a bad one. */
  public static KafkaAccess of(String bootstrapServers, Map<String, String> clientProperties) {
    clientProperties.keySet().forEach(name -> problem(name).ifPresent(problem -> {
      throw new ConfigException("bad Kafka client property '" + name + "': " + problem);
    }));
    return new KafkaAccess(bootstrapServers, clientProperties);
  }

  /** From a service's config: the bootstrap servers, the properties file, then the prefixed keys. */
  public static KafkaAccess from(RelayConfig config) {
    Map<String, String> properties = new LinkedHashMap<>();
    config.find(CommonKeys.KAFKA_CLIENT_PROPERTIES_FILE).map(String::trim).filter(file -> !file.isEmpty())
        .ifPresent(file -> properties.putAll(readFile(Path.of(file))));
    properties.putAll(config.under(CLIENT_KEYS));
    // An empty value means not set: how a deployment template leaves a property out (${VAR:-}).
    properties.values().removeIf(String::isBlank);
    return new KafkaAccess(config.get(CommonKeys.BOOTSTRAP_SERVERS), properties);
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The client properties besides the bootstrap servers, secrets in the clear: hand them to clients only. */
  public Map<String, String> clientProperties() {
    return clientProperties;
  }

  /** The bootstrap servers and the client properties: what every client's settings start from. */
  public Map<String, Object> clientSettings() {
    Map<String, Object> settings = new java.util.HashMap<>(clientProperties);
    settings.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return settings;
  }

  /** The client properties with every secret replaced by {@value RelayConfig#MASK}: safe to log. */
  public Map<String, String> printable() {
    Map<String, String> printable = new LinkedHashMap<>();
    clientProperties.forEach((name, value) -> printable.put(name, isSecret(name) ? RelayConfig.MASK : value));
    return printable;
  }

  @Override
  public String toString() {
    return bootstrapServers + " " + printable();
  }

  /** Why {@code name} cannot be set as a client property, or empty when it can. */
  static Optional<String> problem(String name) {
    if (name.equals(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
      return Optional.of("set the brokers with " + CommonKeys.BOOTSTRAP_SERVERS.name());
    }
    if (RELAY_OWNED.contains(name)) {
      return Optional.of("Relay sets " + name + " itself, per client: its delivery guarantees depend on it");
    }
    if (!clientPropertyNames().contains(name)) {
      return Optional.of(name + " is not a Kafka client property (see the producer, consumer and admin configs)");
    }
    return Optional.empty();
  }

  /**
   * Whether a client property holds a secret: Kafka's own PASSWORD type (sasl.jaas.config, the
   * store and key passwords, ssl.keystore.key), and anything named like one in case a future
   * property is not typed so.
   */
  static boolean isSecret(String name) {
    for (ConfigDef def : new ConfigDef[] {ProducerConfig.configDef(), ConsumerConfig.configDef(), AdminClientConfig.configDef()}) {
      ConfigDef.ConfigKey key = def.configKeys().get(name);
      if (key != null && key.type == ConfigDef.Type.PASSWORD) {
        return true;
      }
    }
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.contains("password") || lower.contains("secret") || lower.contains("jaas") || lower.endsWith(".key");
  }

  private static Set<String> clientPropertyNames() {
    Set<String> names = new TreeSet<>(ProducerConfig.configNames());
    names.addAll(ConsumerConfig.configNames());
    names.addAll(AdminClientConfig.configNames());
    return names;
  }

  private static Map<String, String> readFile(Path file) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new ConfigException("cannot read " + CommonKeys.KAFKA_CLIENT_PROPERTIES_FILE.name() + " " + file + ": " + e.getMessage());
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (String name : properties.stringPropertyNames()) {
      problem(name).ifPresent(problem -> {
        throw new ConfigException("bad Kafka client property '" + name + "' in " + file + ": " + problem);
      });
      values.put(name, properties.getProperty(name).trim());
    }
    return values;
  }
}
