package dev.relay.bench.study;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Who the study's people are: how long each waits for a code before giving up (drawn from bands of
 * patience), how long they take to type it once it is there, and whether and when they press
 * resend. Every person is drawn from the seed and their index alone, so every run with the same
 * population and seed meets the same people.
 *
 * @param patience bands of patience; their shares add up to 1
 * @param resendShare share of people who press resend once if no code has arrived after their resend delay
 */
record People(String label, List<Band> patience, Duration minTyping, Duration maxTyping, double resendShare,
    Duration minResendAfter, Duration maxResendAfter) {

  /** A share of the people whose patience lies uniformly between two bounds. */
  record Band(double share, Duration min, Duration max) {}

  /**
   * One person: patience, typing time, and when they press resend (null: never). A resend asks the
   * API for the same code again; it is pressed only before the person's patience runs out.
   */
  record Person(Duration patience, Duration typing, Duration resendAfter) {}

  /** The time-scaled runs' people: five times faster than life (see docs/routing-study.md), nobody presses resend. */
  static final People TIME_SCALED = new People("time-scaled: patience 4-16 s, typing 2-6 s, no resend",
      List.of(new Band(1.0, Duration.ofSeconds(4), Duration.ofSeconds(16))), Duration.ofSeconds(2), Duration.ofSeconds(6),
      0, Duration.ZERO, Duration.ZERO);

  /**
   * The production-defaults run's people: most (80 %) give up between 10 and 60 s, a few (10 %) sooner,
   * a few (10 %) wait up to 90 s; a third of them press resend once if the code has not come after 15
   * to 30 s.
   */
  static final People REALISTIC = new People(
      "realistic: patience 5-10 s (10 %), 10-60 s (80 %), 60-90 s (10 %); typing 5-20 s; 30 % press resend once after 15-30 s",
      List.of(new Band(0.10, Duration.ofSeconds(5), Duration.ofSeconds(10)),
          new Band(0.80, Duration.ofSeconds(10), Duration.ofSeconds(60)),
          new Band(0.10, Duration.ofSeconds(60), Duration.ofSeconds(90))),
      Duration.ofSeconds(5), Duration.ofSeconds(20), 0.30, Duration.ofSeconds(15), Duration.ofSeconds(30));

  People {
    patience = List.copyOf(patience);
    double total = patience.stream().mapToDouble(Band::share).sum();
    if (patience.isEmpty() || Math.abs(total - 1.0) > 1e-9) {
      throw new IllegalArgumentException("the patience bands' shares must add up to 1, not " + total);
    }
  }

  /** The i-th person: the same in every run with the same seed. */
  Person person(long seed, int i) {
    SplittableRandom random = new SplittableRandom(seed * 1_000_003L + i);
    // One band draws nothing for its choice, so the time-scaled people are those of the earlier studies.
    Band band = patience.get(0);
    if (patience.size() > 1) {
      double pick = random.nextDouble();
      for (Band candidate : patience) {
        band = candidate;
        pick -= candidate.share();
        if (pick < 0) {
          break;
        }
      }
    }
    Duration waits = between(random, band.min(), band.max());
    Duration typing = between(random, minTyping, maxTyping);
    Duration resendAfter = null;
    if (resendShare > 0 && random.nextDouble() < resendShare) {
      Duration after = between(random, minResendAfter, maxResendAfter);
      resendAfter = after.compareTo(waits) < 0 ? after : null;
    }
    return new Person(waits, typing, resendAfter);
  }

  /** The longest a person can take from the start to the check: the longest patience and the longest typing. */
  Duration longest() {
    return patience.stream().map(Band::max).max(Duration::compareTo).orElseThrow().plus(maxTyping);
  }

  private static Duration between(SplittableRandom random, Duration min, Duration max) {
    long span = max.toMillis() - min.toMillis();
    return min.plusMillis(span <= 0 ? 0 : random.nextLong(span + 1));
  }
}
