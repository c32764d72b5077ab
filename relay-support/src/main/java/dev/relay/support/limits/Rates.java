package dev.relay.support.limits;

import dev.relay.schemas.topics.Durations;
import dev.relay.support.config.ConfigException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A set of sliding-window limits on one thing ({@code 5/1m,20/1h}: at most 5 in any minute and 20
 * in any hour), decided from the times of the events already admitted. Only admitted events are
 * kept, so a history never holds more entries than the largest count.
 */
public record Rates(List<Rate> rates) {

  /** At most {@code count} events in any {@code window}. */
  public record Rate(int count, Duration window) {

    @Override
    public String toString() {
      return count + "/" + window;
    }
  }

  public Rates {
    rates = List.copyOf(rates);
  }

  public static Rates none() {
    return new Rates(List.of());
  }

  /** Reads {@code COUNT/DURATION[,COUNT/DURATION...]}; empty means unlimited. */
  public static Rates parse(String settingName, String value) {
    List<Rate> rates = new ArrayList<>();
    for (String item : value.split(",")) {
      String entry = item.trim();
      if (entry.isEmpty()) {
        continue;
      }
      int slash = entry.indexOf('/');
      try {
        int count = Integer.parseInt(entry.substring(0, Math.max(slash, 0)).trim());
        Duration window = Durations.parse(entry.substring(slash + 1).trim());
        if (count < 1 || window.isZero() || window.isNegative()) {
          throw new IllegalArgumentException("not positive");
        }
        rates.add(new Rate(count, window));
      } catch (RuntimeException e) {
        throw new ConfigException(settingName + ": each limit is written COUNT/DURATION with both positive"
            + " (for example 5/1m,20/1h), not '" + entry + "'");
      }
    }
    return new Rates(rates);
  }

  public boolean isEmpty() {
    return rates.isEmpty();
  }

  /** The largest count: no limit looks further back than this many admitted events. */
  public int largestCount() {
    return rates.stream().mapToInt(Rate::count).max().orElse(0);
  }

  /** The longest window: history older than this can never matter again. */
  public Duration horizon() {
    return rates.stream().map(Rate::window).max(Duration::compareTo).orElse(Duration.ZERO);
  }

  /**
   * When one more event would be within every limit again, or empty when it is now.
   *
   * @param admitted times of the events admitted so far, in any order
   */
  public Optional<Instant> blockedUntil(List<Instant> admitted, Instant now) {
    Instant until = null;
    for (Rate rate : rates) {
      Instant from = now.minus(rate.window());
      List<Instant> inWindow = admitted.stream().filter(at -> at.isAfter(from)).sorted().toList();
      if (inWindow.size() >= rate.count()) {
        // The window must lose enough of its oldest events to leave room for one more.
        Instant free = inWindow.get(inWindow.size() - rate.count()).plus(rate.window());
        if (until == null || free.isAfter(until)) {
          until = free;
        }
      }
    }
    return Optional.ofNullable(until);
  }

  @Override
  public String toString() {
    return rates.toString();
  }
}
