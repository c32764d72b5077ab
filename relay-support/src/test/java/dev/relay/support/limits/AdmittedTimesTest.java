package dev.relay.support.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The ring of admitted times decides exactly as the whole history does, reading one entry per limit. */
class AdmittedTimesTest {

  private static final Instant T0 = Instant.parse("2026-12-04T12:00:00Z");

  @Test
  void decidesAsTheWholeHistoryWouldForManyRandomRunsOfEvents() {
    Random random = new Random(12);
    for (int run = 0; run < 200; run++) {
      Rates rates = new Rates(List.of(
          new Rates.Rate(1 + random.nextInt(5), Duration.ofSeconds(1 + random.nextInt(10))),
          new Rates.Rate(3 + random.nextInt(30), Duration.ofSeconds(20 + random.nextInt(100)))));
      AdmittedTimes ring = new AdmittedTimes(rates);
      List<Instant> history = new ArrayList<>();
      Instant now = T0;
      for (int event = 0; event < 300; event++) {
        now = now.plusMillis(random.nextInt(2_000));
        Optional<Instant> expected = rates.blockedUntil(history, now);
        assertThat(ring.blockedUntil(rates, now)).as("run %d, event %d", run, event).isEqualTo(expected);
        if (expected.isEmpty()) {
          history.add(now);
          ring.record(now);
        }
      }
    }
  }

  @Test
  void afterThousandsOfEventsTheLimitIsDecidedByTheMostRecentOnes() {
    Rates rates = Rates.parse("test", "3/1m");
    AdmittedTimes ring = new AdmittedTimes(rates);
    for (int i = 0; i < 1_000; i++) {
      ring.record(T0.plusMillis(i));
    }
    // The third most recent (T0 + 997 ms) leaves the minute at T0 + 60.997 s.
    assertThat(ring.blockedUntil(rates, T0.plusSeconds(1))).contains(T0.plusMillis(60_997));
    assertThat(ring.blockedUntil(rates, T0.plusMillis(60_997))).isEmpty();
  }

  @Test
  void aTimeBeforeTheLastIsRecordedAsTheLastSoTheOrderHolds() {
    Rates rates = Rates.parse("test", "2/10s");
    AdmittedTimes ring = new AdmittedTimes(rates);
    ring.record(T0.plusSeconds(5));
    ring.record(T0); // the clock stepped back

    assertThat(ring.blockedUntil(rates, T0.plusSeconds(6))).contains(T0.plusSeconds(15));
  }

  @Test
  void saysWhenEverythingItHoldsIsOld() {
    AdmittedTimes ring = new AdmittedTimes(Rates.parse("test", "5/1m"));
    assertThat(ring.allAtOrBefore(T0)).isTrue();
    ring.record(T0);
    assertThat(ring.allAtOrBefore(T0)).isTrue();
    assertThat(ring.allAtOrBefore(T0.minusMillis(1))).isFalse();
  }
}
