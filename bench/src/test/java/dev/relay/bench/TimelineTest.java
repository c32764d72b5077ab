package dev.relay.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Each start in the second it was due, collection time in the second it was sampled, and the report's line. */
class TimelineTest {

  private static final long BEGIN = 1_000_000_000L;
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private final AtomicLong now = new AtomicLong(BEGIN);
  private final AtomicLong gcSoFar = new AtomicLong(500);
  private final Timeline timeline = new Timeline(BEGIN, 3, now::get, gcSoFar::get);

  @Test
  void startsCountInTheSecondTheyWereDueWheneverTheirAnswerCame() {
    timeline.offered(BEGIN);
    timeline.offered(BEGIN + SECOND - 1);
    timeline.offered(BEGIN + SECOND);
    timeline.refused(BEGIN + SECOND);
    timeline.answered(BEGIN, TimeUnit.MILLISECONDS.toNanos(40));
    timeline.answered(BEGIN + SECOND - 1, TimeUnit.MILLISECONDS.toNanos(812));
    // Outside the phase: counted nowhere, and no failure.
    timeline.offered(BEGIN - 1);
    timeline.refused(BEGIN + 3 * SECOND);

    List<Map<String, Object>> seconds = timeline.seconds();

    assertThat(seconds).hasSize(3);
    assertThat(seconds.get(0)).containsEntry("offered", 2L).containsEntry("refused", 0L).containsEntry("slowestStartMs", 812.0);
    assertThat(seconds.get(1)).containsEntry("offered", 1L).containsEntry("refused", 1L).containsEntry("slowestStartMs", 0.0);
    assertThat(seconds.get(2)).containsEntry("offered", 0L);
  }

  @Test
  void collectionTimeGoesToTheSecondItWasSampledIn() {
    now.set(BEGIN + SECOND / 2);
    gcSoFar.addAndGet(30);
    timeline.sampleGc();
    now.set(BEGIN + 2 * SECOND + 1);
    gcSoFar.addAndGet(226);
    timeline.sampleGc();
    timeline.sampleGc();

    List<Map<String, Object>> seconds = timeline.seconds();

    assertThat(seconds).extracting(second -> second.get("gcMs")).containsExactly(30L, 0L, 226L);
  }

  @Test
  void theReportNamesTheSecondsThatRefusedAndTheLongestCollection() {
    timeline.offered(BEGIN + SECOND);
    timeline.refused(BEGIN + SECOND);
    timeline.answered(BEGIN + SECOND, TimeUnit.MILLISECONDS.toNanos(750));
    now.set(BEGIN + SECOND);
    gcSoFar.addAndGet(226);
    timeline.sampleGc();
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("offeredPerSecond", 500);
    run.put("seconds", timeline.seconds());

    assertThat(Bench.secondsWithRefusals(run)).contains("At 500/s")
        .contains("1: 1 of 1, slowest start 750 ms, GC 226 ms")
        .contains("Garbage collection in the phase: 226 ms, at most 226 ms in one second (second 1)");
    run.put("seconds", new Timeline(BEGIN, 2, now::get, gcSoFar::get).seconds());
    assertThat(Bench.secondsWithRefusals(run)).contains("starts refused by the second they were due (second of the phase: "
        + "refused of offered, the slowest answered start, garbage collection): none");
  }
}
