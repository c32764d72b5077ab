package dev.relay.scoring.replay;

import dev.relay.schemas.ProviderScore;
import dev.relay.scoring.model.RouteKey;
import dev.relay.support.routing.RouteOrder;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Each route's recorded scores over time: the standing the dispatcher routed by at any instant (the latest published). */
final class ScoreTimeline {

  private final Map<String, TreeMap<Instant, ProviderScore>> byRoute = new HashMap<>();

  ScoreTimeline(List<ProviderScore> scores) {
    for (ProviderScore score : scores) {
      String key = new RouteKey(score.getProvider(), score.getCountry(), score.getChannel()).value();
      byRoute.computeIfAbsent(key, k -> new TreeMap<>()).put(score.getUpdatedAt(), score);
    }
  }

  Optional<RouteOrder.Standing> standing(RouteKey route, Instant at) {
    TreeMap<Instant, ProviderScore> scores = byRoute.get(route.value());
    if (scores == null) {
      return Optional.empty();
    }
    Map.Entry<Instant, ProviderScore> latest = scores.floorEntry(at);
    return latest == null ? Optional.empty()
        : Optional.of(new RouteOrder.Standing(latest.getValue(), latest.getValue().getDemoted()));
  }
}
