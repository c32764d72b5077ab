package dev.relay.support.routing;

import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.Route;
import java.util.Optional;

/**
 * A route's price per message for ordering: what the vendor reported on its recent sends (the
 * short window's figure, else the long window's, from provider-scores), else the operator's price
 * from the routing table; {@code Long.MAX_VALUE} when unknown (the order then compares no price).
 */
final class RoutePrices {

  private RoutePrices() {}

  static long perMessage(Optional<RouteOrder.Standing> standing, Route route) {
    if (standing.isPresent()) {
      ProviderScore score = standing.get().score();
      if (score.getShortWindow() != null && score.getShortWindow().getCostPerMessageMicros() != null) {
        return score.getShortWindow().getCostPerMessageMicros();
      }
      if (score.getCostPerMessageMicros() != null) {
        return score.getCostPerMessageMicros();
      }
    }
    return route.getPriceMicros() != null ? route.getPriceMicros() : Long.MAX_VALUE;
  }
}
