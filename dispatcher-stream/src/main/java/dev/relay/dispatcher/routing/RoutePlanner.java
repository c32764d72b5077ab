package dev.relay.dispatcher.routing;

import dev.relay.schemas.Route;
import dev.relay.support.routing.RouteOrder;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * The dispatcher's side of {@link RouteOrder} (in relay-support, shared with scoring's console so
 * operators see the order the dispatcher gives): its policy, pins and standings in, the routes in
 * order out, each with its reason.
 */
public final class RoutePlanner {

  public static final String TABLE = RoutingTable.TABLE_REASON;
  public static final String SCORE = RouteOrder.SCORE;
  public static final String DEMOTION = RouteOrder.DEMOTION;
  public static final String EXPLORATION = RouteOrder.EXPLORATION;
  public static final String PIN = RouteOrder.PIN;

  private final RouteOrder order;

  public RoutePlanner(RoutingPolicy policy) {
    this.order = new RouteOrder(new RouteOrder.Policy(policy.minSamples(), policy.explorationShare(), policy.scoreMargin(),
        policy.explorationCap(), policy.explorationFloor()));
  }

  /**
   * @param table the operator's routes for one country and channel, in order
   * @param standings each provider's standing on this country and channel, empty when it has none yet
   */
  public List<Route> plan(List<Route> table, RoutePins.Pins pins, Function<String, Optional<RouteStanding>> standings,
      RandomGenerator random) {
    return order.order(table, new RouteOrder.Pins(pins.first(), pins.forbidden()),
        provider -> standings.apply(provider).map(s -> new RouteOrder.Standing(s.score(), s.demoted())), random);
  }
}
