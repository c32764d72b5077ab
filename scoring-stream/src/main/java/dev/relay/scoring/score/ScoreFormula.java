package dev.relay.scoring.score;

import dev.relay.scoring.model.RouteStats;

/**
 * The one number per route that routing sorts by, in [0, 1], higher is better.
 *
 * <pre>
 *   score = 0.45 · reach · completion + 0.30 · reach · delivery + 0.15 · speed + 0.10 · cost
 *
 *   reach      = accepted / tried                  (submission success)
 *   delivery   = final delivered / accepted        (intermediate receipt statuses never count)
 *   completion = first sends approved / first sends (the truest signal, so the largest weight; a
 *                failover starts late through no fault of its route, so it is not judged on it)
 *   speed      = T / (T + p95 time to delivery),   T = 10 s: a 10 s p95 scores 0.5, 2 s about 0.83
 *   cost       = R · completed / (R · completed + money spent),  R = 100,000 micros (0.10):
 *                R / (R + cost per successful verification); 0 when money went and nothing completed
 * </pre>
 *
 * Completion, then delivery, then speed, then cost, as the routing issue orders them; reach scales
 * both rates, so a route that rejects every try cannot keep a good score on no deliveries.
 *
 * <p><b>Sample-size prior.</b> Each component is estimated twice, like a Beta prior with a
 * pseudo-count of {@code k} samples ({@code relay.scoring.prior-samples}, default 20):
 * <pre>
 *   baseline = (x_old + k · prior) / (n_old + k)        over the long window minus the short one
 *   estimate = (x_new + k · baseline) / (n_new + k)     over the short window
 * </pre>
 * A route with no samples has the prior's score; with a few it moves a little; once its recent
 * samples far outnumber {@code k} it follows them within minutes, which is the short window's
 * purpose. The priors describe a healthy route ({@link #PRIOR_REACH} etc.), so a new route is
 * neither favoured nor buried before its first results. Speed and cost are averaged the same way
 * in score space, weighted by delivered samples and priced sends.
 */
public final class ScoreFormula {

  public static final double WEIGHT_COMPLETION = 0.45;
  public static final double WEIGHT_DELIVERY = 0.30;
  public static final double WEIGHT_SPEED = 0.15;
  public static final double WEIGHT_COST = 0.10;

  public static final double PRIOR_REACH = 0.95;
  public static final double PRIOR_DELIVERY = 0.90;
  public static final double PRIOR_COMPLETION = 0.75;
  /** p95 time to delivery a route is assumed to have before it shows its own. */
  public static final long PRIOR_P95_MILLIS = 5_000;
  /** p95 at which speed scores one half. */
  public static final long SPEED_HALF_MILLIS = 10_000;
  /** Cost per successful verification at which cost scores one half, in micros of the currency unit. */
  public static final long COST_HALF_MICROS = 100_000;
  /** The cost component of a route that shows no price: neutral. */
  public static final double PRIOR_COST = 0.5;

  private final int priorSamples;

  public ScoreFormula(int priorSamples) {
    if (priorSamples < 0) {
      throw new IllegalArgumentException("prior samples must not be negative");
    }
    this.priorSamples = priorSamples;
  }

  /** The score of a route with no samples at all. */
  public Score prior() {
    return evaluate(RouteStats.empty(), RouteStats.empty());
  }

  /**
   * @param baseline the older part of the long window (long window without the short one)
   * @param recent the short window
   */
  public Score evaluate(RouteStats baseline, RouteStats recent) {
    double reach = rate(baseline.accepted(), baseline.tried(), recent.accepted(), recent.tried(), PRIOR_REACH);
    double delivery = rate(baseline.delivered(), baseline.accepted(), recent.delivered(), recent.accepted(), PRIOR_DELIVERY);
    double completion = rate(baseline.firstCompleted(), baseline.firstSends(), recent.firstCompleted(), recent.firstSends(),
        PRIOR_COMPLETION);
    double speed = blend(speedScore(baseline), baseline.timeToDelivery().count(),
        speedScore(recent), recent.timeToDelivery().count(), speedOf(PRIOR_P95_MILLIS));
    double cost = blend(costScore(baseline), baseline.pricedSends(), costScore(recent), recent.pricedSends(), PRIOR_COST);
    double score = WEIGHT_COMPLETION * reach * completion
        + WEIGHT_DELIVERY * reach * delivery
        + WEIGHT_SPEED * speed
        + WEIGHT_COST * cost;
    return new Score(score, reach, delivery, completion, speed, cost);
  }

  /**
   * The score and its parts, each in [0, 1] and already shrunk towards the prior.
   */
  public record Score(double score, double reach, double delivery, double completion, double speed, double cost) {}

  /** Speed of a p95 time to delivery: 1 at zero, ½ at {@link #SPEED_HALF_MILLIS}, towards 0 as it grows. */
  public static double speedOf(long p95Millis) {
    return (double) SPEED_HALF_MILLIS / (SPEED_HALF_MILLIS + Math.max(0, p95Millis));
  }

  /** Cost of a route that spent {@code spentMicros} for {@code completed} approved verifications. */
  public static double costOf(long spentMicros, long completed) {
    double half = (double) COST_HALF_MICROS * completed;
    if (half + spentMicros <= 0) {
      return PRIOR_COST;
    }
    return half / (half + Math.max(0, spentMicros));
  }

  private double rate(long oldHits, long oldTrials, long newHits, long newTrials, double prior) {
    double baseline = shrink(Math.min(oldHits, oldTrials), oldTrials, prior);
    return shrink(Math.min(newHits, newTrials), newTrials, baseline);
  }

  private double shrink(double hits, double trials, double prior) {
    if (trials + priorSamples == 0) {
      // k = 0 and no samples: nothing but the prior to go by.
      return prior;
    }
    return (hits + priorSamples * prior) / (trials + priorSamples);
  }

  private double blend(double oldScore, long oldSamples, double newScore, long newSamples, double prior) {
    double baseline = shrink(oldScore * oldSamples, oldSamples, prior);
    return shrink(newScore * newSamples, newSamples, baseline);
  }

  private static double speedScore(RouteStats stats) {
    return stats.timeToDelivery().quantile(0.95).stream().mapToDouble(ScoreFormula::speedOf).findFirst().orElse(0);
  }

  private static double costScore(RouteStats stats) {
    return costOf(stats.spentMicros(), stats.completed());
  }
}
