package dev.relay.dispatcher.limits;

import dev.relay.schemas.serde.AvroSerde;
import dev.relay.schemas.state.RateCounts;
import dev.relay.schemas.state.WindowCounts;
import dev.relay.support.limits.Rates;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Sliding-window limits decided on counts per time bucket instead of every event's time: each window
 * of a {@link Rates} is cut into {@value #BUCKETS_PER_WINDOW} buckets, so a counter holds at most that
 * many counts per window however many events it saw (a 10,000-a-hour key keeps 60 numbers, not 10,000
 * timestamps).
 *
 * <p>The approximation, and its bound: an event counts as if it happened at the start of its bucket, so
 * it leaves the window up to one bucket ({@code window / 60}) early. The limit therefore holds exactly
 * over any span of {@code window - window/60}; over a full window at most {@code count} more events can
 * be admitted in the worst case (all of them in the last moment of the bucket that just left). Events
 * are never counted late, so nothing is refused that the exact limit would admit over that span.
 */
public final class BucketedRates {

  public static final int BUCKETS_PER_WINDOW = 60;

  static {
    // The counts are built here before any serde may have been created; Avro refuses untrusted classes.
    AvroSerde.trustContracts();
  }

  private BucketedRates() {}

  public static RateCounts empty() {
    return RateCounts.newBuilder().setWindows(new ArrayList<>()).setBlockedUntil(0).build();
  }

  /** The counts with one more event at {@code now}, buckets that left their window dropped. */
  public static RateCounts add(RateCounts counts, Rates rates, Instant now) {
    return add(counts, rates, now, 1);
  }

  /** The counts with {@code events} more at {@code now}, buckets that left their window dropped. */
  public static RateCounts add(RateCounts counts, Rates rates, Instant now, int events) {
    long nowMillis = now.toEpochMilli();
    List<WindowCounts> windows = new ArrayList<>();
    for (Rates.Rate rate : rates.rates()) {
      WindowCounts current = windowOf(counts, rate);
      long bucket = current.getBucketMillis();
      long start = Math.floorDiv(nowMillis, bucket) * bucket;
      List<Long> starts = new ArrayList<>();
      List<Integer> tallies = new ArrayList<>();
      for (int i = 0; i < current.getBucketStarts().size(); i++) {
        long at = current.getBucketStarts().get(i);
        if (inWindow(at, rate, nowMillis)) {
          starts.add(at);
          tallies.add(current.getBucketCounts().get(i));
        }
      }
      int last = starts.size() - 1;
      if (last >= 0 && starts.get(last) == start) {
        tallies.set(last, tallies.get(last) + events);
      } else {
        starts.add(start);
        tallies.add(events);
      }
      windows.add(new WindowCounts(rate.window().toMillis(), bucket, starts, tallies));
    }
    return RateCounts.newBuilder(counts).setWindows(windows).build();
  }

  /** When one more event would be within every limit again, or empty when it is now. */
  public static Optional<Instant> blockedUntil(RateCounts counts, Rates rates, Instant now) {
    long nowMillis = now.toEpochMilli();
    Long until = null;
    for (Rates.Rate rate : rates.rates()) {
      WindowCounts window = windowOf(counts, rate);
      List<Long> starts = new ArrayList<>();
      List<Integer> tallies = new ArrayList<>();
      long total = 0;
      for (int i = 0; i < window.getBucketStarts().size(); i++) {
        if (inWindow(window.getBucketStarts().get(i), rate, nowMillis)) {
          starts.add(window.getBucketStarts().get(i));
          tallies.add(window.getBucketCounts().get(i));
          total += window.getBucketCounts().get(i);
        }
      }
      // The oldest buckets must leave until there is room for one more.
      for (int i = 0; i < starts.size() && total >= rate.count(); i++) {
        total -= tallies.get(i);
        long free = starts.get(i) + rate.window().toMillis();
        if (total < rate.count() && (until == null || free > until)) {
          until = free;
        }
      }
    }
    return Optional.ofNullable(until).map(Instant::ofEpochMilli);
  }

  /** Whether nothing counted can matter any more at {@code now} (and no block is in force): the counter may go. */
  public static boolean isSpent(RateCounts counts, Instant now) {
    long nowMillis = now.toEpochMilli();
    if (counts.getBlockedUntil() > nowMillis) {
      return false;
    }
    for (WindowCounts window : counts.getWindows()) {
      for (long start : window.getBucketStarts()) {
        if (start > nowMillis - window.getWindowMillis()) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean inWindow(long bucketStart, Rates.Rate rate, long nowMillis) {
    return bucketStart > nowMillis - rate.window().toMillis();
  }

  /** The stored counts of this rate's window, or none when the window was not configured before. */
  private static WindowCounts windowOf(RateCounts counts, Rates.Rate rate) {
    long windowMillis = rate.window().toMillis();
    for (WindowCounts window : counts.getWindows()) {
      if (window.getWindowMillis() == windowMillis) {
        return window;
      }
    }
    return new WindowCounts(windowMillis, Math.max(1, windowMillis / BUCKETS_PER_WINDOW), List.of(), List.of());
  }
}
