package dev.relay.scoring.replay;

import dev.relay.scoring.model.RouteKey;
import dev.relay.scoring.replay.RouteEstimate.Level;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Estimates each route's outcome from its own recorded tries in a country and hour of day (UTC): the
 * hour's tries when it has at least {@code minSamples} of them, else the route's tries over the whole
 * range when those are enough, else the {@link Priors}. Two figures of a country's people come from all
 * its routes: engagement (of the first sends delivered, the share checked) and late presence (how much
 * less a failover send completes than a first send on the same route, the person having waited a
 * window). A route's completion counts its failover sends at the late presence, so a backup that only
 * ever got failovers is not blamed for the people who had left; its reach is that completion over the
 * engagement. Pure.
 */
public final class RouteEstimates {

  private final Map<RouteKey, List<RouteSend>> byRoute = new HashMap<>();
  private final Map<String, Double> latePresence = new HashMap<>();
  private final Map<String, Double> engagement = new HashMap<>();
  private final Map<String, RouteEstimate> cache = new HashMap<>();
  private final int minSamples;
  private final Priors priors;

  public RouteEstimates(List<RouteSend> sends, int minSamples, Priors priors) {
    this.minSamples = minSamples;
    this.priors = priors;
    for (RouteSend send : sends) {
      byRoute.computeIfAbsent(send.route(), k -> new ArrayList<>()).add(send);
    }
    Map<String, double[]> late = new HashMap<>();
    Map<String, long[]> engaged = new HashMap<>();
    byRoute.forEach((route, routeSends) -> {
      Counts counts = Counts.of(routeSends);
      long[] delivered = engaged.computeIfAbsent(route.country(), k -> new long[2]);
      delivered[0] += counts.firstDeliveredCompleted;
      delivered[1] += counts.firstDelivered;
      if (counts.firstAccepted >= minSamples && counts.lateAccepted > 0) {
        double[] sums = late.computeIfAbsent(route.country(), k -> new double[3]);
        sums[0] += counts.lateCompleted;
        sums[1] += counts.lateAccepted * ((double) counts.firstCompleted / counts.firstAccepted);
        sums[2] += counts.lateAccepted;
      }
    });
    late.forEach((country, sums) -> {
      if (sums[2] >= minSamples && sums[1] > 0) {
        latePresence.put(country, Math.min(1.0, sums[0] / sums[1]));
      }
    });
    engaged.forEach((country, counts) -> {
      if (counts[1] >= minSamples && counts[0] > 0) {
        engagement.put(country, (double) counts[0] / counts[1]);
      }
    });
  }

  /** Every route with at least one recorded try. */
  public Set<RouteKey> routes() {
    return byRoute.keySet();
  }

  /** The chance that a person still waits for a failover send in this country (estimated, else the prior). */
  public double latePresence(String country) {
    return latePresence.getOrDefault(country, priors.latePresence());
  }

  public boolean latePresenceEstimated(String country) {
    return latePresence.containsKey(country);
  }

  /** The share of people in this country who check a code that reaches them (estimated, else the prior). */
  public double engagement(String country) {
    return engagement.getOrDefault(country, priors.engagement());
  }

  public boolean engagementEstimated(String country) {
    return engagement.containsKey(country);
  }

  public RouteEstimate estimate(RouteKey route, int hourOfDay) {
    return cache.computeIfAbsent(route.value() + "@" + hourOfDay, k -> compute(route, hourOfDay));
  }

  private RouteEstimate compute(RouteKey route, int hourOfDay) {
    List<RouteSend> sends = byRoute.getOrDefault(route, List.of());
    List<RouteSend> hour = sends.stream().filter(s -> s.startedAt().atZone(ZoneOffset.UTC).getHour() == hourOfDay).toList();
    if (hour.size() >= minSamples) {
      return from(route, Level.HOUR, hour);
    }
    if (sends.size() >= minSamples) {
      return from(route, Level.RANGE, sends);
    }
    return new RouteEstimate(route, Level.PRIOR, sends.size(), priors.acceptance(), priors.deliveryRate(),
        priors.reach(), priors.failedReceiptIfUndelivered(), List.of(), List.of(), List.of(), Optional.empty());
  }

  private RouteEstimate from(RouteKey route, Level level, List<RouteSend> sends) {
    Counts counts = Counts.of(sends);
    double weighted = counts.firstAccepted + latePresence(route.country()) * counts.lateAccepted;
    double reach = weighted > 0
        ? Math.min(1.0, (counts.firstCompleted + counts.lateCompleted) / weighted / engagement(route.country()))
        : priors.reach();
    long undelivered = counts.accepted - counts.delivered;
    List<Duration> deliveryTimes = new ArrayList<>();
    List<Duration> verifyDelays = new ArrayList<>();
    List<Duration> failTimes = new ArrayList<>();
    long priced = 0;
    long priceSum = 0;
    for (RouteSend send : sends) {
      send.deliveredAfter().ifPresent(deliveryTimes::add);
      send.verifiedAfter().ifPresent(verifyDelays::add);
      send.failedAfter().ifPresent(failTimes::add);
      if (send.accepted() && send.priceMicros().isPresent()) {
        priced++;
        priceSum += send.priceMicros().get();
      }
    }
    return new RouteEstimate(route, level, sends.size(), (double) counts.accepted / sends.size(),
        counts.accepted > 0 ? (double) counts.delivered / counts.accepted : priors.deliveryRate(), reach,
        undelivered > 0 ? (double) counts.failed / undelivered : priors.failedReceiptIfUndelivered(),
        deliveryTimes, verifyDelays, failTimes, priced > 0 ? Optional.of(priceSum / priced) : Optional.empty());
  }

  /** Tallies of a route's accepted tries. */
  private static final class Counts {
    long accepted;
    long delivered;
    long failed;
    long firstAccepted;
    long firstCompleted;
    long firstDelivered;
    long firstDeliveredCompleted;
    long lateAccepted;
    long lateCompleted;

    static Counts of(List<RouteSend> sends) {
      Counts counts = new Counts();
      for (RouteSend send : sends) {
        if (!send.accepted()) {
          continue;
        }
        boolean delivered = send.deliveredAfter().isPresent();
        counts.accepted++;
        counts.delivered += delivered ? 1 : 0;
        counts.failed += send.failedAfter().isPresent() ? 1 : 0;
        if (send.first()) {
          counts.firstAccepted++;
          counts.firstCompleted += send.completed() ? 1 : 0;
          counts.firstDelivered += delivered ? 1 : 0;
          counts.firstDeliveredCompleted += delivered && send.completed() ? 1 : 0;
        } else if (send.late()) {
          counts.lateAccepted++;
          counts.lateCompleted += send.completed() ? 1 : 0;
        }
      }
      return counts;
    }
  }
}
