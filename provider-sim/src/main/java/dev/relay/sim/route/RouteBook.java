package dev.relay.sim.route;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The simulator's current behaviour per provider x channel x country, and which providers are in a
 * full outage. Every route is healthy until the admin API says otherwise; changes apply to the next
 * send at once.
 */
public final class RouteBook {

  private record RouteKey(Provider provider, SimChannel channel, String country) {}

  private final Duration defaultReceiptDelay;
  private final Map<RouteKey, RouteBehaviour> overrides = new ConcurrentHashMap<>();
  private final Set<Provider> down = ConcurrentHashMap.newKeySet();

  public RouteBook(Duration defaultReceiptDelay) {
    this.defaultReceiptDelay = defaultReceiptDelay;
  }

  /** The behaviour a route has when nobody changed it. */
  public RouteBehaviour healthy(Provider provider, SimChannel channel) {
    return RouteBehaviour.healthy(provider, channel, defaultReceiptDelay);
  }

  /**
   * @param country ISO 3166 alpha-2, upper case ({@code ZZ} for numbers without a region)
   */
  public RouteBehaviour behaviour(Provider provider, SimChannel channel, String country) {
    RouteBehaviour behaviour = overrides.get(new RouteKey(provider, channel, country));
    return behaviour != null ? behaviour : healthy(provider, channel);
  }

  public void set(Provider provider, SimChannel channel, String country, RouteBehaviour behaviour) {
    if (!provider.serves(channel)) {
      throw new IllegalArgumentException(provider.wireName() + " does not serve " + channel.wireName());
    }
    overrides.put(new RouteKey(provider, channel, country), behaviour);
  }

  public void reset(Provider provider, SimChannel channel, String country) {
    overrides.remove(new RouteKey(provider, channel, country));
  }

  public boolean isDown(Provider provider) {
    return down.contains(provider);
  }

  public void setDown(Provider provider, boolean isDown) {
    if (isDown) {
      down.add(provider);
    } else {
      down.remove(provider);
    }
  }

  /** Every route healthy again, no outage. */
  public void resetAll() {
    overrides.clear();
    down.clear();
  }
}
