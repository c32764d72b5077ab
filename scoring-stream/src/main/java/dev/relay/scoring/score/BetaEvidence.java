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
}
