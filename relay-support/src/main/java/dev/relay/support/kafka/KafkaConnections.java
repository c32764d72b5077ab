package dev.relay.support.kafka;

import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Whether a Kafka client (producer, consumer, admin or a whole Streams instance) holds an open
 * connection to a broker, read from its own {@code connection-count} metrics: clients reconnect by
 * themselves, so this follows a broker going away and coming back without any probing of ours.
 * A consumer in a group heartbeats every few seconds, so its count never idles to zero while the
 * broker is up.
 */
public final class KafkaConnections {

  private static final String CONNECTION_COUNT = "connection-count";
  /** Consumers heartbeat every 3 s by default: three missed beats mean the coordinator is gone. */
  private static final java.time.Duration HEARTBEAT_SILENCE = java.time.Duration.ofSeconds(10);

  private final Supplier<? extends Map<MetricName, ? extends Metric>> metrics;

  private KafkaConnections(Supplier<? extends Map<MetricName, ? extends Metric>> metrics) {
    this.metrics = metrics;
  }

  /** @param metrics the client's {@code metrics()} (read again on every question: Streams adds threads) */
  public static KafkaConnections of(Supplier<? extends Map<MetricName, ? extends Metric>> metrics) {
    return new KafkaConnections(metrics);
  }

  /**
   * For a Streams instance: whether its stream threads' consumers heard from their group coordinator
   * lately. Connection counts do not work here: a stream thread blocked on a send to a broker that
   * is gone stops polling, so its consumer's count keeps its last value, and the other clients
   * (restore consumer, admin, producers) keep dialling, which counts as a connection too. The
   * heartbeat runs on its own thread every few seconds, whatever the stream thread does.
   */
  public static Readiness ofStreams(Supplier<? extends Map<MetricName, ? extends Metric>> metrics) {
    return () -> {
      boolean reported = false;
      for (Map.Entry<MetricName, ? extends Metric> entry : metrics.get().entrySet()) {
        MetricName name = entry.getKey();
        if (!name.name().equals("last-heartbeat-seconds-ago")
            || !name.tags().getOrDefault("client-id", "").contains("-StreamThread-")) {
          continue;
        }
        reported = true;
        double secondsAgo = ((Number) entry.getValue().metricValue()).doubleValue();
        // -1 means no heartbeat was ever sent: a member that joined and lost its broker at once
        // would otherwise look healthy for ever.
        if (secondsAgo >= 0 && secondsAgo <= HEARTBEAT_SILENCE.toSeconds()) {
          return true;
        }
      }
      return !reported;
    };
  }

  /** A client without metrics (a mock) cannot tell, and answers true; so does {@link #connected()}. */
  public interface Readiness {
    boolean connected();
  }

  /** True when any of the client's connection counts is above zero. */
  public boolean connected() {
    boolean reported = false;
    for (Map.Entry<MetricName, ? extends Metric> entry : metrics.get().entrySet()) {
      if (!entry.getKey().name().equals(CONNECTION_COUNT)) {
        continue;
      }
      reported = true;
      if (((Number) entry.getValue().metricValue()).doubleValue() > 0) {
        return true;
      }
    }
    // A client without metrics (a mock in tests) reports nothing; then we cannot tell, and say yes.
    return !reported;
  }
}
