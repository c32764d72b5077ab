package dev.relay.dispatcher.routing;

import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.serde.StateSerde;
import org.apache.kafka.common.serialization.Serde;

/**
 * A route's latest score and whether it is demoted. Demotion (with its hysteresis) is decided by
 * scoring-stream and published in the score itself ({@code ProviderScore.demoted}), so every
 * dispatcher instance, the status page, dashboards and analytics read the same standing, and a
 * dispatcher rebuilding its store from the compacted topic gets it back from the latest record alone.
 */
public record RouteStanding(ProviderScore score, boolean demoted) {

  /** Stored as the score it was published with, its {@code demoted} field the standing's. */
  public static final Serde<RouteStanding> SERDE = StateSerde.of(ProviderScore.class,
      standing -> standing.demoted() == standing.score().getDemoted()
          ? standing.score()
          : ProviderScore.newBuilder(standing.score()).setDemoted(standing.demoted()).build(),
      RouteStanding::of);

  /** The standing a published score carries. */
  public static RouteStanding of(ProviderScore score) {
    return new RouteStanding(score, score.getDemoted());
  }
}
