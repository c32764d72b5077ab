package dev.relay.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report's latency figures: a p99 only where enough samples stand behind it. */
class LatencyFiguresTest {

  @Test
  void aP99IsPrintedFromAThousandSamplesAndNotBelow() {
    Map<String, Double> enough = Map.of("p50", 12.34, "p95", 40.0, "p99", 88.88, "max", 120.0, "count", 1000.0);
    Map<String, Double> tooFew = Map.of("p50", 12.34, "p95", 40.0, "p99", 88.88, "max", 120.0, "count", 999.0);

    assertThat(Bench.latencies(enough)).isEqualTo("12.3 / 40.0 / 88.9 / 120.0");
    assertThat(Bench.latencies(tooFew)).isEqualTo("12.3 / 40.0 / - / 120.0");
    assertThat(Bench.latencies(Map.of())).isEqualTo("-");
  }
}
