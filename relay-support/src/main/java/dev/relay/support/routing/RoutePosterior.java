package dev.relay.support.routing;

import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.WindowStats;
import java.util.random.RandomGenerator;
import org.apache.commons.math3.distribution.BetaDistribution;

/**
 * The Beta posterior of a route's completion over its recent first sends (provider-scores' short
 * window), under a uniform prior: Beta(1 + completed, 1 + not completed). One draw per call, by
 * inverting the CDF at a uniform from the given generator, so a seeded generator draws the same.
 */
final class RoutePosterior {

  private RoutePosterior() {}

  /**
   * The rate of {@code hits} in {@code trials} that the posterior Beta(1 + hits, 1 + misses) puts
   * below it with probability {@code confidence}: what the rate may still be, on this evidence.
   */
  static double upperBound(long hits, long trials, double confidence) {
    long clamped = Math.max(0, Math.min(hits, trials));
    return new BetaDistribution(null, 1.0 + clamped, 1.0 + (trials - clamped)).inverseCumulativeProbability(confidence);
  }

  static double draw(ProviderScore score, RandomGenerator random) {
    WindowStats recent = score == null ? null : score.getShortWindow();
    long trials = recent == null ? 0 : recent.getFirstSends();
    long hits = recent == null ? 0 : Math.max(0, Math.min(recent.getFirstCompleted(), trials));
    double u = random.nextDouble();
    return new BetaDistribution(null, 1.0 + hits, 1.0 + (trials - hits)).inverseCumulativeProbability(u);
  }
}
