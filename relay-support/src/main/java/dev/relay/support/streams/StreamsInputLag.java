package dev.relay.support.streams;

import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * How many input records a Kafka Streams instance has yet to read, from its stream threads' own
 * consumer metrics. {@code RUNNING} means the state is restored, not that the requests that queued up
 * while the instance was down (a restart, a kill -9) have been worked off: until they are, a new request
 * waits behind them and its caller times out.
 */
public final class StreamsInputLag {

  private static final String FETCH_GROUP = "consumer-fetch-manager-metrics";
  private static final String RECORDS_LAG = "records-lag";

  private StreamsInputLag() {}

  /**
   * The summed lag of every input partition the stream threads have fetched; empty while they have
   * fetched none (nothing known yet).
   */
  public static OptionalLong of(Supplier<? extends Map<MetricName, ? extends Metric>> metrics) {
    long lag = 0;
    boolean reported = false;
    for (Map.Entry<MetricName, ? extends Metric> entry : metrics.get().entrySet()) {
      MetricName name = entry.getKey();
      String client = name.tags().getOrDefault("client-id", "");
      // The main consumer only: the restore consumer reads changelogs, not input.
      if (!name.name().equals(RECORDS_LAG) || !name.group().equals(FETCH_GROUP) || !name.tags().containsKey("partition")
          || !client.contains("-StreamThread-") || !client.endsWith("-consumer") || client.endsWith("-restore-consumer")) {
        continue;
      }
      Object value = entry.getValue().metricValue();
      if (value instanceof Number number && !Double.isNaN(number.doubleValue())) {
        reported = true;
        lag += Math.max(0, (long) number.doubleValue());
      }
    }
    return reported ? OptionalLong.of(lag) : OptionalLong.empty();
  }
}
