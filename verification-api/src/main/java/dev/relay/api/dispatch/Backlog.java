package dev.relay.api.dispatch;

import java.time.Clock;
import java.time.Duration;

/**
 * One path to the dispatcher as this instance sees it: how many requests it handed over and has not
 * yet seen answered, and how fast replies came back over the last {@link #RATE_WINDOW}. By Little's
 * law their quotient is how long a request handed over now should expect to wait for its reply,
 * whether the time goes to a Kafka backlog, a rebalance or a stalled dispatcher. Not thread-safe:
 * {@link DispatcherAdmission} guards it.
 */
final class Backlog {

  /**
   * Long enough to span many of the dispatcher's transaction commits (replies come in bursts at each),
   * short enough that a stalled dispatcher shows as a falling rate within a fraction of the reply timeout.
   */
  static final Duration RATE_WINDOW = Duration.ofSeconds(2);
  private static final int BUCKETS = 10;
  private static final long BUCKET_MILLIS = RATE_WINDOW.toMillis() / BUCKETS;

  private final Clock clock;
  /** Replies per bucket; {@code bucketNumber} says which period of time a slot holds now. */
  private final long[] replies = new long[BUCKETS];
  private final long[] bucketNumber = new long[BUCKETS];
  private int inFlight;

  Backlog(Clock clock) {
    this.clock = clock;
    java.util.Arrays.fill(bucketNumber, Long.MIN_VALUE);
  }

  void handedOver() {
    inFlight++;
  }

  /** The request left the backlog; {@code replied} when the dispatcher answered it (not a timeout or a failed send). */
  void answered(boolean replied) {
    inFlight--;
    if (replied) {
      long now = clock.millis();
      int slot = slot(now);
      long number = Math.floorDiv(now, BUCKET_MILLIS);
      if (bucketNumber[slot] != number) {
        bucketNumber[slot] = number;
        replies[slot] = 0;
      }
      replies[slot]++;
    }
  }

  int inFlight() {
    return inFlight;
  }

  /**
   * Replies per second over the window. Just after start-up the window reaches back before the first
   * request, so the rate reads low rather than high: a few early replies must not open the door wide
   * ({@link DispatcherAdmission} assumes a minimum rate instead).
   */
  double replyRate() {
    long now = clock.millis();
    long current = Math.floorDiv(now, BUCKET_MILLIS);
    long count = 0;
    for (int i = 0; i < BUCKETS; i++) {
      if (bucketNumber[i] > current - BUCKETS && bucketNumber[i] <= current) {
        count += replies[i];
      }
    }
    // The current bucket is only partly over: count the time it has covered, not its whole length.
    long covered = (BUCKETS - 1) * BUCKET_MILLIS + (now - current * BUCKET_MILLIS);
    return count * 1000.0 / covered;
  }

  private static int slot(long millis) {
    return (int) Math.floorMod(Math.floorDiv(millis, BUCKET_MILLIS), (long) BUCKETS);
  }
}
