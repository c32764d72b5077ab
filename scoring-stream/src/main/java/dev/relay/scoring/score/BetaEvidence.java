package dev.relay.scoring.score;

import org.apache.commons.math3.distribution.BetaDistribution;

/**
 * What a route's own tries say about its rate, with their uncertainty: the Beta posterior of
 * {@code successes} in {@code trials} under a uniform prior, Beta(1 + successes, 1 + failures).
 * Its lower bound at a confidence is a rate the route reaches with that probability, so five lucky
 * tries out of five bound it at 0.61 (95 %), thirty out of thirty at 0.91.
 */
public final class BetaEvidence {

  private BetaEvidence() {}

  /**
   * How many tries, every one a success, it takes to bound the rate at {@code rate} or more at this
   * confidence: the fewest a route must show before its lower bound can reach {@code rate} at all.
   * {@code Long.MAX_VALUE} for a rate of 1 or more, which no number of tries bounds.
   */
  public static long cleanTriesToReach(double rate, double confidence) {
    if (rate >= 1) {
      return Long.MAX_VALUE;
    }
    if (rate <= 0) {
      return 0;
    }
    // A clean record's posterior is Beta(n + 1, 1), whose lower bound is (1 - confidence)^(1 / (n + 1)).
    long tries = Math.max(0, (long) Math.ceil(Math.log(1 - confidence) / Math.log(rate)) - 1);
    while (lowerBound(tries, tries, confidence) < rate) {
      tries++;
    }
    return tries;
  }

  /** The rate below which the posterior puts only {@code 1 - confidence} of its mass; 0 without trials. */
  public static double lowerBound(long successes, long trials, double confidence) {
    if (trials <= 0) {
      return 0;
    }
    long hits = Math.max(0, Math.min(successes, trials));
    // No random generator: only the inverse CDF is used, which is deterministic.
    BetaDistribution posterior = new BetaDistribution(null, 1.0 + hits, 1.0 + (trials - hits));
    return posterior.inverseCumulativeProbability(1 - confidence);
  }

  /** The rate above which the posterior puts only {@code 1 - confidence} of its mass: what it may still be. 1 without trials. */
  public static double upperBound(long successes, long trials, double confidence) {
    if (trials <= 0) {
      return 1;
    }
    long hits = Math.max(0, Math.min(successes, trials));
    return new BetaDistribution(null, 1.0 + hits, 1.0 + (trials - hits)).inverseCumulativeProbability(confidence);
  }
}
