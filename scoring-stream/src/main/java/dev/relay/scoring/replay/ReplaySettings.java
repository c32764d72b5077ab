package dev.relay.scoring.replay;

import dev.relay.support.routing.CountryChannels;
import dev.relay.support.routing.RouteOrder;
import java.time.Duration;

/**
 * How the recorded verifications are replayed: by the recorded scores' order ({@code useScores}, the
 * dispatcher's {@link RouteOrder} with {@code policy}) or by the table alone; the failover window, the
 * verification's expiry and send cap as the dispatcher has them; the channel order where the table
 * gives none; evidence needed per hour; the seed that makes a replay repeatable.
 */
public record ReplaySettings(boolean useScores, Duration failoverWindow, Duration expiry, int maxSends,
    CountryChannels channelOrder, RouteOrder.Policy policy, int minSamples, long seed, Priors priors) {

  public ReplaySettings {
    if (failoverWindow.isNegative() || failoverWindow.isZero()) {
      throw new IllegalArgumentException("the failover window must be positive");
    }
    if (maxSends < 1 || minSamples < 1) {
      throw new IllegalArgumentException("the send cap and the samples per hour must be at least 1");
    }
  }
}
