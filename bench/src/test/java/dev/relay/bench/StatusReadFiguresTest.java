package dev.relay.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report's status-read table: only for runs that read status, a p99 only over enough samples. */
class StatusReadFiguresTest {

  @Test
  void aRunThatReadStatusGetsARowWithItsAnswersAndLatencies() {
    Map<String, Object> run = Map.of("offeredPerSecond", 500,
        "statusReadAnswers", Map.of("answered", 2000L, "refused503", 3L, "timedOut504", 0L, "otherFailed", 1L),
        "statusReadLatencyMs", Map.of("p50", 2.5, "p95", 8.0, "p99", 14.25, "max", 40.0, "count", 2000.0));

    String table = Bench.statusReads(Map.of("statusReadEvery", 5, "runs", List.of(run)));

    assertThat(table).contains("Every 5. verification's app read its status")
        .contains("| 500 | 2000 | 2.5 / 8.0 / 14.3 / 40.0 | 3 | 0 | 1 |");
  }

  @Test
  void runsThatReadNoStatusPrintNothing() {
    assertThat(Bench.statusReads(Map.of("statusReadEvery", 0, "runs", List.of()))).isEmpty();
    assertThat(Bench.statusReads(Map.of("runs", List.of()))).isEmpty();
  }
}
