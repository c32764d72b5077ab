package dev.relay.schemas.topics;

import java.time.Duration;
import org.apache.kafka.common.serialization.Serde;

/**
 * Everything a producer, a consumer, a topology or the provisioner needs to know of one topic.
 *
 * @param id the stable logical name, used in config keys and docs
 * @param name the topic's name on the broker (from config)
 * @param retention how long records are kept; {@code null} keeps them forever (compacted topics)
 */
public record Topic<K, V>(
    String id,
    String name,
    Serde<K> keySerde,
    Serde<V> valueSerde,
    int partitions,
    short replicationFactor,
    Cleanup cleanup,
    Duration retention) {

  /** Kafka's {@code cleanup.policy}. */
  public enum Cleanup {
    DELETE("delete"),
    COMPACT("compact");

    private final String policy;

    Cleanup(String policy) {
      this.policy = policy;
    }

    public String policy() {
      return policy;
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
