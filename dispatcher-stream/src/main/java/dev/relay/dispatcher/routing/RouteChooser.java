package dev.relay.dispatcher.routing;

import dev.relay.schemas.Channel;
import dev.relay.schemas.Route;
import java.util.List;

/** The seam where the lifecycle asks for the routes of a send, in the order they are to be tried. */
@FunctionalInterface
public interface RouteChooser {

  /** The routes for a country and channel, first to try first, each with its routing reason; empty when there is none. */
  List<Route> routes(String country, Channel channel);
}
