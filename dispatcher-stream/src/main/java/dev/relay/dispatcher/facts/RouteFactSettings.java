package dev.relay.dispatcher.facts;

import dev.relay.support.config.ConfigException;
import dev.relay.support.config.ConfigSchema;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.facts.RouteFactKeys;
import java.time.Duration;
import java.util.Map;

/**
 * What telling the route facts needs, read once from config and checked.
 *
 * @param matchHorizon how long a verification's counted attempts are remembered (a late send result counts nothing twice)
 * @param minOutage the shortest silence of every input that counts as an outage of Relay itself (it must also be
 *     50 mean intervals between inputs, see {@link InputClock}); sends whose delivery window spans one are not
 *     charged to their routes
 */
public record RouteFactSettings(Duration matchHorizon, Duration minOutage) {

  public RouteFactSettings {
    positive(matchHorizon, RouteFactKeys.MATCH_HORIZON.name());
    positive(minOutage, RouteFactKeys.OUTAGE_MIN_GAP.name());
  }

  public static RouteFactSettings from(RelayConfig config) {
    return new RouteFactSettings(config.getDuration(RouteFactKeys.MATCH_HORIZON),
        config.getDuration(RouteFactKeys.OUTAGE_MIN_GAP));
  }

  /** The documented defaults. */
  public static RouteFactSettings defaults() {
    return from(RelayConfig.of(ConfigSchema.of(RouteFactKeys.ALL), Map.of()));
  }

  private static void positive(Duration value, String key) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new ConfigException(key + " must be a positive duration, not " + value);
    }
  }
}
