package dev.relay.dispatcher.config;

import dev.relay.support.limits.Rates;
import dev.relay.support.config.ConfigKey;
import dev.relay.support.config.RelayConfig;
import java.time.Duration;
import java.util.List;

/**
 * The abuse limits, each a list of sliding windows ({@code COUNT/DURATION}); an empty setting
 * switches that limit off. Per-IP and per-network limits are decided before a request reaches the
 * number's state, and a single network may use only part of a number's budget, so one source
 * cannot spend a number's whole budget and lock its owner out.
 */
public record LimitSettings(Rates perIp, Rates perNetwork, Rates perApiKey, Rates perNumber, Rates perNumberPerNetwork) {

  public static final ConfigKey PER_IP = ConfigKey.optional("relay.limits.per-ip", "5/1m,20/1h",
      "Verification starts and resends per client IP");
  public static final ConfigKey PER_NETWORK = ConfigKey.optional("relay.limits.per-network", "20/1m,100/1h",
      "Verification starts and resends per client network (the IP's /24 or /48)");
  public static final ConfigKey PER_API_KEY = ConfigKey.optional("relay.limits.per-api-key", "600/1m,10000/1h",
      "Verification starts and resends per API key");
  public static final ConfigKey PER_NUMBER = ConfigKey.optional("relay.limits.per-number", "5/10m,10/1d",
      "Sends a user asked for (starts, repeated starts, resends) per phone number");
  public static final ConfigKey PER_NUMBER_PER_NETWORK = ConfigKey.optional("relay.limits.per-number-per-network",
      "3/10m,5/1d",
      "The part of a number's sends one client network may ask for; below per-number so one network cannot lock a number's owner out");

  public static final List<ConfigKey> KEYS = List.of(PER_IP, PER_NETWORK, PER_API_KEY, PER_NUMBER, PER_NUMBER_PER_NETWORK);

  public static LimitSettings from(RelayConfig config) {
    return new LimitSettings(
        Rates.parse(PER_IP.name(), config.get(PER_IP)),
        Rates.parse(PER_NETWORK.name(), config.get(PER_NETWORK)),
        Rates.parse(PER_API_KEY.name(), config.get(PER_API_KEY)),
        Rates.parse(PER_NUMBER.name(), config.get(PER_NUMBER)),
        Rates.parse(PER_NUMBER_PER_NETWORK.name(), config.get(PER_NUMBER_PER_NETWORK)));
  }

  /** The longest per-number window: how far back a number's sends still count (zero with both limits off). */
  public Duration perNumberHorizon() {
    Duration all = perNumber.horizon();
    Duration fromOneNetwork = perNumberPerNetwork.horizon();
    return all.compareTo(fromOneNetwork) >= 0 ? all : fromOneNetwork;
  }

  /** The defaults above, for code that is given no config. */
  public static LimitSettings defaults() {
    return new LimitSettings(
        Rates.parse(PER_IP.name(), PER_IP.defaultValue()),
        Rates.parse(PER_NETWORK.name(), PER_NETWORK.defaultValue()),
        Rates.parse(PER_API_KEY.name(), PER_API_KEY.defaultValue()),
        Rates.parse(PER_NUMBER.name(), PER_NUMBER.defaultValue()),
        Rates.parse(PER_NUMBER_PER_NETWORK.name(), PER_NUMBER_PER_NETWORK.defaultValue()));
  }
}
