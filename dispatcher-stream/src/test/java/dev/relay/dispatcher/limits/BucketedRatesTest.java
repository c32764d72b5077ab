package dev.relay.dispatcher.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.state.RateCounts;
import dev.relay.support.limits.Rates;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Limits on counts per bucket: what they admit, when they free up, and the bound of the approximation. */
class BucketedRatesTest {

  private static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");
  private static final Rates FIVE_A_MINUTE = Rates.parse("test", "5/1m");
  /** A minute cut into sixty buckets. */
  private static final Duration BUCKET = Duration.ofMinutes(1).dividedBy(BucketedRates.BUCKETS_PER_WINDOW);

  private static RateCounts admitted(RateCounts counts, Rates rates, Instant at, int times) {
    RateCounts current = counts;
    for (int i = 0; i < times; i++) {
      current = BucketedRates.add(current, rates, at);
    }
    return current;
  }

  @Test
  void theCountAtTheLimitBlocksUntilTheOldestBucketLeavesTheWindow() {
    RateCounts counts = admitted(BucketedRates.empty(), FIVE_A_MINUTE, T0, 4);
    assertThat(BucketedRates.blockedUntil(counts, FIVE_A_MINUTE, T0)).isEmpty();

    counts = admitted(counts, FIVE_A_MINUTE, T0.plusSeconds(30), 1);

    assertThat(BucketedRates.blockedUntil(counts, FIVE_A_MINUTE, T0.plusSeconds(30))).contains(T0.plus(Duration.ofMinutes(1)));
    assertThat(BucketedRates.blockedUntil(counts, FIVE_A_MINUTE, T0.plus(Duration.ofMinutes(1)))).isEmpty();
  }

  @Test
  void aMillionEventsKeepAtMostOneCountPerBucketAndWindow() {
    Rates rates = Rates.parse("test", "600/1m,10000/1h");
    RateCounts counts = BucketedRates.empty();
    for (int i = 0; i < 7_200; i++) {
      counts = BucketedRates.add(counts, rates, T0.plusMillis(i * 500L));
    }

    assertThat(counts.getWindows()).hasSize(2);
    counts.getWindows().forEach(window -> assertThat(window.getBucketStarts().size())
        .isLessThanOrEqualTo(BucketedRates.BUCKETS_PER_WINDOW + 1)
        .isEqualTo(window.getBucketCounts().size()));
  }

  /**
   * The bound: an event counts as if it happened when its bucket began, so it leaves the window up to one
   * bucket early. Five events at the very end of a bucket free the limit one bucket before the exact
   * sliding window would, and never sooner.
   */
  @Test
  void eventsLeaveTheWindowAtMostOneBucketEarly() {
    Instant lateInBucket = T0.plus(BUCKET).minusMillis(1);
    RateCounts counts = admitted(BucketedRates.empty(), FIVE_A_MINUTE, lateInBucket, 5);
    Instant exactFree = lateInBucket.plus(Duration.ofMinutes(1));

    Instant free = BucketedRates.blockedUntil(counts, FIVE_A_MINUTE, lateInBucket).orElseThrow();

    assertThat(free).isBefore(exactFree).isAfterOrEqualTo(exactFree.minus(BUCKET));
    assertThat(BucketedRates.blockedUntil(counts, FIVE_A_MINUTE, free.minusMillis(1))).isPresent();
    assertThat(BucketedRates.blockedUntil(counts, FIVE_A_MINUTE, free)).isEmpty();
  }

  @Test
  void theLongerWindowDecidesWhenItIsFullerForLonger() {
    Rates rates = Rates.parse("test", "2/1m,3/1h");
    RateCounts counts = admitted(BucketedRates.empty(), rates, T0, 2);
    counts = admitted(counts, rates, T0.plus(Duration.ofMinutes(2)), 1);

    assertThat(BucketedRates.blockedUntil(counts, rates, T0.plus(Duration.ofMinutes(4))))
        .contains(T0.plus(Duration.ofHours(1)));
  }

  @Test
  void aCounterIsSpentOnlyOnceNothingIsLeftInAnyWindowAndNoBlockHolds() {
    Rates rates = Rates.parse("test", "5/1m,20/1h");
    RateCounts counts = admitted(BucketedRates.empty(), rates, T0, 1);

    assertThat(BucketedRates.isSpent(counts, T0.plus(Duration.ofMinutes(2)))).isFalse();
    assertThat(BucketedRates.isSpent(counts, T0.plus(Duration.ofHours(1)))).isTrue();
    counts.setBlockedUntil(T0.plus(Duration.ofHours(2)).toEpochMilli());
    assertThat(BucketedRates.isSpent(counts, T0.plus(Duration.ofHours(1)))).isFalse();
  }
}
