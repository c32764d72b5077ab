package dev.relay.support.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

class StreamsInputLagTest {

  private static final String MAIN = "app-1-StreamThread-1-consumer";
  private final Map<MetricName, Metric> metrics = new HashMap<>();

  @Test
  void sumsTheMainConsumersPartitionLagsOnly() {
    lag(MAIN, "requests", 0, 30);
    lag(MAIN, "requests", 1, 12);
    lag("app-1-StreamThread-1-restore-consumer", "app-store-changelog", 0, 5000);
    lag("app-1-producer", "requests", 0, 7);
    assertThat(StreamsInputLag.of(() -> metrics)).hasValue(42);
  }

  @Test
  void nothingFetchedYetIsUnknownNotZero() {
    lag("app-1-StreamThread-1-restore-consumer", "app-store-changelog", 0, 0);
    assertThat(StreamsInputLag.of(() -> metrics)).isEqualTo(OptionalLong.empty());
  }

  @Test
  void aPartitionNotMeasuredYetCountsAsNothing() {
    lag(MAIN, "requests", 0, Double.NaN);
    lag(MAIN, "requests", 1, 3);
    assertThat(StreamsInputLag.of(() -> metrics)).hasValue(3);
  }

  private void lag(String client, String topic, int partition, double value) {
    MetricName name = new MetricName("records-lag", "consumer-fetch-manager-metrics", "",
        Map.of("client-id", client, "topic", topic, "partition", Integer.toString(partition)));
    metrics.put(name, new Metric() {
      @Override
      public MetricName metricName() {
        return name;
      }

      @Override
      public Object metricValue() {
        return value;
      }
    });
  }
}
