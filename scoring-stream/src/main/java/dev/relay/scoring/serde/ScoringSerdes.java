package dev.relay.scoring.serde;

import dev.relay.schemas.serde.StateSerde;
import dev.relay.schemas.state.RoutePane;
import dev.relay.schemas.state.ScoringRouteMark;
import dev.relay.schemas.state.ScoringRouteScore;
import dev.relay.scoring.model.RouteMark;
import dev.relay.scoring.model.RouteScore;
import dev.relay.scoring.model.RouteStats;

/**
 * The serdes of scoring's internal data, the facts on its repartition topic and the values of its
 * stores: each its Avro contract under {@code schemas} (mapped by {@link ScoringContracts}), so they
 * evolve by released versions like the topics. A value of the hand-written layouts an earlier release
 * stored reads as absent (see {@link StateSerde}): every reader takes null for "nothing known".
 */
public final class ScoringSerdes {

  public static final StateSerde<RouteStats, RoutePane> ROUTE_STATS =
      StateSerde.of(RoutePane.class, ScoringContracts::pane, ScoringContracts::pane);

  public static final StateSerde<RouteMark, ScoringRouteMark> ROUTE_MARK =
      StateSerde.of(ScoringRouteMark.class, ScoringContracts::routeMark, ScoringContracts::routeMark);

  public static final StateSerde<RouteScore, ScoringRouteScore> ROUTE_SCORE =
      StateSerde.of(ScoringRouteScore.class, ScoringContracts::routeScore, ScoringContracts::routeScore);

  private ScoringSerdes() {}
}
