package dev.relay.api.dispatch;

import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Whether a Kafka client holds at least one open connection, read from its own
 * {@code connection-count} metric: the client reconnects by itself, so this follows a broker going
 * away and coming back without any probing of ours.
 */
final class ConnectionGauge {

  private final Metric connectionCount;

  private ConnectionGauge(Metric connectionCount) {
    this.connectionCount = connectionCount;
  }

  /** @param group the client's metric group: {@code producer-metrics} or {@code consumer-metrics} */
  static ConnectionGauge of(Map<MetricName, ? extends Metric> metrics, String group) {
    for (Map.Entry<MetricName, ? extends Metric> entry : metrics.entrySet()) {
      if (entry.getKey().name().equals("connection-count") && entry.getKey().group().equals(group)) {
        return new ConnectionGauge(entry.getValue());
      }
    }
    return new ConnectionGauge(null);
  }

  boolean connected() {
    // A client without metrics (a mock in tests) reports nothing; then we cannot tell, and say yes.
    return connectionCount == null || ((Number) connectionCount.metricValue()).doubleValue() > 0;
  }
}
