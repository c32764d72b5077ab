package dev.relay.support.limits;

import java.time.Instant;
import java.util.Optional;

/**
 * The times of the events admitted under one {@link Rates}, oldest first, keeping only the most
 * recent {@link Rates#largestCount()} of them: no limit can look further back. A limit of
 * {@code count/window} holds when the {@code count}-th most recent admitted event is no longer within
 * the window, so each decision reads one entry per limit instead of filtering and sorting the whole
 * history (a busy API key's hour holds thousands). The same answers as
 * {@link Rates#blockedUntil(java.util.List, Instant)} for times recorded in order; a time earlier
 * than the last one (a clock stepped back) is recorded as the last one. Not thread-safe.
 */
public final class AdmittedTimes {

  private static final int INITIAL_CAPACITY = 8;

  private final int capacity;
  /** A ring: {@code size} entries from {@code first}, oldest first; grows up to {@code capacity}. */
  private Instant[] times;
  private int first;
  private int size;

  public AdmittedTimes(Rates rates) {
    this.capacity = Math.max(1, rates.largestCount());
    this.times = new Instant[Math.min(capacity, INITIAL_CAPACITY)];
  }

  /** When one more event would be within every limit again, or empty when it is now. */
  public Optional<Instant> blockedUntil(Rates rates, Instant now) {
    Instant until = null;
    for (Rates.Rate rate : rates.rates()) {
      if (size < rate.count()) {
        continue;
      }
      // The window must lose its count-th most recent event before it has room for one more.
      Instant oldestThatCounts = recent(rate.count());
      if (oldestThatCounts.isAfter(now.minus(rate.window()))) {
        Instant free = oldestThatCounts.plus(rate.window());
        if (until == null || free.isAfter(until)) {
          until = free;
        }
      }
    }
    return Optional.ofNullable(until);
  }

  /** Records one admitted event, forgetting the oldest once {@link Rates#largestCount()} are held. */
  public void record(Instant at) {
    Instant kept = size > 0 && at.isBefore(recent(1)) ? recent(1) : at;
    if (size == times.length && size < capacity) {
      grow();
    }
    if (size < times.length) {
      times[(first + size) % times.length] = kept;
      size++;
    } else {
      times[first] = kept;
      first = (first + 1) % times.length;
    }
  }

  /** Whether every admitted event is at or before {@code oldest}: nothing here can limit anything after it. */
  public boolean allAtOrBefore(Instant oldest) {
    return size == 0 || !recent(1).isAfter(oldest);
  }

  /** The {@code n}-th most recent admitted time, 1-based. */
  private Instant recent(int n) {
    return times[(first + size - n) % times.length];
  }

  private void grow() {
    Instant[] larger = new Instant[Math.min(capacity, times.length * 2)];
    for (int i = 0; i < size; i++) {
      larger[i] = times[(first + i) % times.length];
    }
    times = larger;
    first = 0;
  }
}
