package dev.relay.support.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

class KafkaConnectionsTest {

  private static final String STREAM_THREAD = "app-1-StreamThread-1-consumer";

  @Test
  void aStreamsAppIsConnectedWhileItsThreadsHeartbeat() {
    assertThat(streamsWithHeartbeat(2).connected()).isTrue();
    assertThat(streamsWithHeartbeat(20).connected()).as("the coordinator has been silent too long").isFalse();
  }

  @Test
  void aMemberThatNeverSentAHeartbeatIsNotConnected() {
    // Kafka reports -1 until the first heartbeat; a broker lost right after the join leaves it there.
    assertThat(streamsWithHeartbeat(-1).connected()).isFalse();
  }

  @Test
  void clientsCountAsConnectedWithAnOpenConnection() {
    Map<MetricName, Metric> metrics = new HashMap<>();
    put(metrics, "connection-count", "producer-1", 0);
    assertThat(KafkaConnections.of(() -> metrics).connected()).isFalse();
    put(metrics, "connection-count", "producer-1", 1);
    assertThat(KafkaConnections.of(() -> metrics).connected()).isTrue();
  }

  private static KafkaConnections.Readiness streamsWithHeartbeat(double secondsAgo) {
    Map<MetricName, Metric> metrics = new HashMap<>();
    put(metrics, "last-heartbeat-seconds-ago", STREAM_THREAD, secondsAgo);
    put(metrics, "last-heartbeat-seconds-ago", "app-1-admin", 1);
    return KafkaConnections.ofStreams(() -> metrics);
  }

  private static void put(Map<MetricName, Metric> metrics, String name, String clientId, double value) {
    MetricName metricName = new MetricName(name, "coordinator-metrics", "", Map.of("client-id", clientId));
    metrics.put(metricName, new Metric() {
      @Override
      public MetricName metricName() {
        return metricName;
      }

      @Override
      public Object metricValue() {
        return value;
      }
    });
  }
}
