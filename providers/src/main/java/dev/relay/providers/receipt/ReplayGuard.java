package dev.relay.providers.receipt;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The signed callbacks seen in the replay window, by what makes each unique (Plivo's nonce, Vonage's
 * timestamp and signature): a captured receipt sent again is refused. A callback is claimed when its
 * signature has passed and released when it could not be stored, so the vendor's own retry of a
 * receipt dlr-ingest answered 503 still gets through. Memory is per instance and bounded: past
 * {@code capacity} the oldest entries go first (a receipt replayed that late can only repeat what the
 * dispatcher already recorded, since the signature covers its parameters).
 */
public final class ReplayGuard {

  private final Duration window;
  private final int capacity;
  private final Clock clock;
  /** Insertion order is expiry order: every entry lives for the same window. */
  private final LinkedHashMap<String, Instant> seen = new LinkedHashMap<>();

  public ReplayGuard(Duration window, int capacity, Clock clock) {
    this.window = window;
    this.capacity = capacity;
    this.clock = clock;
  }

  /** True the first time {@code key} is claimed within the window, false for a replay. */
  public synchronized boolean claim(String key) {
    Instant now = clock.instant();
    for (Iterator<Map.Entry<String, Instant>> entries = seen.entrySet().iterator(); entries.hasNext(); ) {
      if (entries.next().getValue().isAfter(now)) {
        break;
      }
      entries.remove();
    }
    if (seen.containsKey(key)) {
      return false;
    }
    if (seen.size() >= capacity) {
      seen.remove(seen.keySet().iterator().next());
    }
    seen.put(key, now.plus(window));
    return true;
  }

  /** Forgets a claim whose receipt was not stored: the vendor will send the same callback again. */
  public synchronized void release(String key) {
    seen.remove(key);
  }
}
