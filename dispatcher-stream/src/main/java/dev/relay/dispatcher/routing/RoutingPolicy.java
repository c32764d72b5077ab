package dev.relay.dispatcher.routing;

import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.routing.RouteOrder;

/**
 * How scores move routes: a route with fewer than {@code minSamples} tries in the long window keeps
 * its table place; a route goes ahead of one the table puts before it only when its score is higher
 * by more than {@code scoreMargin} (scores closer than that are noise, and the operator's order
 * stands); a share {@code explorationShare} of sends still goes first to a route the scores hold
 * back (demoted, or passed by a route the table puts after it) so its recovery is seen, and up to
 * {@code explorationCap} more when Thompson sampling on its recent first sends says it may be the
 * better route; in a country with little traffic the share is raised so that a demoted route (or a
 * cheaper one not yet scored) gets {@code explorationFloor} first sends per scoring short window (at
 * most {@code explorationCap}). Whether a
 * route is demoted is not decided here: scoring-stream publishes it with the score
 * ({@code relay.scoring.demote-below}, {@code relay.scoring.promote-above}, a sharp completion drop).
 */
public record RoutingPolicy(long minSamples, double explorationShare, double scoreMargin, double explorationCap,
    long explorationFloor) {

  public RoutingPolicy {
    RelayConfig.requireFraction(DispatcherConfig.EXPLORATION_SHARE, explorationShare);
    RelayConfig.requireFraction(DispatcherConfig.EXPLORATION_CAP, explorationCap);
    RelayConfig.requireFraction(DispatcherConfig.SCORE_MARGIN, scoreMargin);
    if (minSamples < 0) {
      throw new ConfigException(DispatcherConfig.MIN_SAMPLES.name() + " must not be negative, not " + minSamples);
    }
    if (explorationFloor < 0) {
      throw new ConfigException(DispatcherConfig.EXPLORATION_FLOOR.name() + " must not be negative, not " + explorationFloor);
    }
  }

  /** Without a floor of exploration sends. */
  public RoutingPolicy(long minSamples, double explorationShare, double scoreMargin, double explorationCap) {
    this(minSamples, explorationShare, scoreMargin, explorationCap, 0);
  }

  /** Without Thompson sampling: the exploration share alone. */
  public RoutingPolicy(long minSamples, double explorationShare, double scoreMargin) {
    this(minSamples, explorationShare, scoreMargin, 0, 0);
  }

  public static RoutingPolicy fromConfig(RelayConfig config) {
    return new RoutingPolicy(
        config.getInt(DispatcherConfig.MIN_SAMPLES),
        config.getFraction(DispatcherConfig.EXPLORATION_SHARE),
        config.getFraction(DispatcherConfig.SCORE_MARGIN),
        config.getFraction(DispatcherConfig.EXPLORATION_CAP),
        config.getInt(DispatcherConfig.EXPLORATION_FLOOR));
  }

  /** The config's defaults (the {@code relay.routing.*} keys', shared with scoring's console). */
  public static RoutingPolicy defaults() {
    RouteOrder.Policy order = RouteOrder.Policy.defaults();
    return new RoutingPolicy(order.minSamples(), order.explorationShare(), order.scoreMargin(), order.explorationCap(),
        order.explorationFloor());
  }
}
