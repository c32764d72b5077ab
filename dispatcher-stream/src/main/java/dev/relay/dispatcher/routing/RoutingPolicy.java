package dev.relay.dispatcher.routing;

import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.ConfigKey;
import dev.relay.support.config.RelayConfig;

/**
 * How scores move routes: below {@code demoteBelow} a route is demoted and comes back only at
 * {@code promoteAbove} or more (the gap is the hysteresis that keeps routing from flapping); a route
 * with fewer than {@code minSamples} tries in the long window keeps its table place; a share
 * {@code explorationShare} of sends still goes first to a demoted route so its recovery is seen.
 */
public record RoutingPolicy(double demoteBelow, double promoteAbove, long minSamples, double explorationShare) {

  public RoutingPolicy {
    requireUnit(DispatcherConfig.DEMOTE_BELOW, demoteBelow);
    requireUnit(DispatcherConfig.PROMOTE_ABOVE, promoteAbove);
    requireUnit(DispatcherConfig.EXPLORATION_SHARE, explorationShare);
    if (promoteAbove < demoteBelow) {
      throw new ConfigException(DispatcherConfig.PROMOTE_ABOVE.name() + " (" + promoteAbove + ") must not be below "
          + DispatcherConfig.DEMOTE_BELOW.name() + " (" + demoteBelow + "), or a demoted route would flap");
    }
    if (minSamples < 0) {
      throw new ConfigException(DispatcherConfig.MIN_SAMPLES.name() + " must not be negative, not " + minSamples);
    }
  }

  public static RoutingPolicy fromConfig(RelayConfig config) {
    return new RoutingPolicy(
        fraction(config, DispatcherConfig.DEMOTE_BELOW),
        fraction(config, DispatcherConfig.PROMOTE_ABOVE),
        config.getInt(DispatcherConfig.MIN_SAMPLES),
        fraction(config, DispatcherConfig.EXPLORATION_SHARE));
  }

  /** The config's defaults. */
  public static RoutingPolicy defaults() {
    return new RoutingPolicy(Double.parseDouble(DispatcherConfig.DEMOTE_BELOW.defaultValue()),
        Double.parseDouble(DispatcherConfig.PROMOTE_ABOVE.defaultValue()),
        Long.parseLong(DispatcherConfig.MIN_SAMPLES.defaultValue()),
        Double.parseDouble(DispatcherConfig.EXPLORATION_SHARE.defaultValue()));
  }

  private static double fraction(RelayConfig config, ConfigKey key) {
    String value = config.get(key).trim();
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new ConfigException(key.name() + " must be a number between 0 and 1, not '" + value + "'");
    }
  }

  private static void requireUnit(ConfigKey key, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new ConfigException(key.name() + " must be between 0 and 1, not " + value);
    }
  }
}
