package dev.relay.support.facts;

import dev.relay.support.config.ConfigKey;
import java.util.List;

/**
 * What the dispatcher remembers to tell each route's facts once and to excuse what Relay's own outages
 * caused, declared once. The dispatcher reads them (it tells the facts, on route-facts); scoring still
 * accepts them, under the names they had when scoring derived the facts itself, so existing configs load.
 */
public final class RouteFactKeys {

  public static final ConfigKey MATCH_HORIZON = ConfigKey.optional(
      "relay.scoring.match-horizon", "2h",
      "How long a verification's counted attempts are remembered, so a late send result or a repeated event counts"
          + " nothing twice (a Duration, at least relay.scoring.window; read by the dispatcher)");
  public static final ConfigKey OUTAGE_MIN_GAP = ConfigKey.optional(
      "relay.scoring.outage-min-gap", "10s",
      "A silence of every input of a dispatcher task at least this long (and at least 50 mean intervals between its"
          + " inputs) is an outage of Relay itself: sends whose delivery window spans it are not charged to their"
          + " routes (a Duration; read by the dispatcher)");

  public static final List<ConfigKey> ALL = List.of(MATCH_HORIZON, OUTAGE_MIN_GAP);

  private RouteFactKeys() {}
}
