package dev.relay.support.config;

import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A family of keys a service accepts by prefix rather than one by one, because their names belong
 * to someone else (Kafka's client properties under {@code relay.kafka.client.}). A key under the
 * prefix is still validated: {@code problem} names what is wrong with its suffix, or is empty.
 *
 * @param prefix the dotted prefix, ending in a dot
 * @param problem for a suffix, why it is not accepted; empty when it is
 * @param secret whether the value of a suffix must never be printed
 */
public record ConfigPrefix(String prefix, String description, Function<String, Optional<String>> problem,
    Predicate<String> secret) {

  public ConfigPrefix {
    if (!prefix.endsWith(".")) {
      throw new IllegalArgumentException("a config prefix ends with a dot: " + prefix);
    }
  }

  public boolean covers(String name) {
    return name.startsWith(prefix) && name.length() > prefix.length();
  }

  public String suffix(String name) {
    return name.substring(prefix.length());
  }

  /** The environment variables of this prefix start with this ({@code RELAY_KAFKA_CLIENT_}). */
  public String envPrefix() {
    return ConfigKey.envNameOf(prefix);
  }

  /**
   * The key an environment variable under {@link #envPrefix()} sets: the rest lower-cased, with
   * underscores as dots ({@code RELAY_KAFKA_CLIENT_SASL_JAAS_CONFIG} to
   * {@code relay.kafka.client.sasl.jaas.config}), as Kafka's own container images derive theirs.
   */
  public String nameOfEnv(String envName) {
    return prefix + envName.substring(envPrefix().length()).toLowerCase(java.util.Locale.ROOT).replace('_', '.');
  }
}
