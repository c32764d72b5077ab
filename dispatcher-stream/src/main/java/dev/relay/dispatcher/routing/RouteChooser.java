package dev.relay.dispatcher.routing;

import dev.relay.schemas.Channel;
import dev.relay.schemas.Route;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The seam where the lifecycle asks for the routes of a send, in the order they are to be tried. */
@FunctionalInterface
public interface RouteChooser {

  /** The routes for a country and channel, first to try first, each with its routing reason; empty when there is none. */
  List<Route> routes(String country, Channel channel);

  /**
   * The channel fallback order for a country where the routes' source sets one (a published routing
   * table); empty: the dispatcher's configured order holds.
   */
  default Optional<List<Channel>> channelOrder(String country) {
    return Optional.empty();
  }

  /**
   * How long after its acceptance a send through this route has an overdue receipt, judged on the
   * route's own record (see {@link OverdueReceipts}); empty: only the delivery window holds.
   */
  default Optional<Duration> receiptOverdueAfter(String provider, String country, Channel channel) {
    return Optional.empty();
  }
}
