package dev.relay.scoring.model;

import dev.relay.schemas.SendReason;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The figures of one route over one window, as published and served: the raw counts and the rates
 * derived from them. A rate is {@code null} when its denominator is zero (nothing to divide), never
 * a made-up 0 or 1; the score formula, not these figures, decides what no data is worth.
 *
 * @param submissionRate accepted / tried
 * @param deliveryRate final delivered / accepted
 * @param completionRate verifications approved through the route / accepted
 * @param failovers failovers the route triggered, by reason (REJECTION, TIMEOUT, FAILED_RECEIPT, ...)
 * @param costPerMessageMicros money spent / priced sends
 * @param costPerSuccessMicros money spent / verifications approved through the route
 * @param firstSends accepted first sends (see {@code ScoreFact.Tried#firstSend})
 * @param firstCompleted first sends whose code was entered
 * @param firstCompletionRate firstCompleted / firstSends: the completion a route is judged on
 * @param newerHalfFirstSends of firstSends, those in the newer half of the window's panes: how recent the
 *     sends its rate comes from are (half of them when traffic is steady)
 */
public record WindowFigures(
    Instant start,
    Instant end,
    long tried,
    long accepted,
    long delivered,
    long undelivered,
    long completed,
    Map<String, Long> failovers,
    Double submissionRate,
    Double deliveryRate,
    Double completionRate,
    Long timeToDeliveryP50Millis,
    Long timeToDeliveryP95Millis,
    long spentMicros,
    Long costPerMessageMicros,
    Long costPerSuccessMicros,
    long firstSends,
    long firstCompleted,
    Double firstCompletionRate,
    long newerHalfFirstSends) {

  public static WindowFigures of(Instant start, Instant end, RouteStats stats, long newerHalfFirstSends) {
    Map<String, Long> failovers = new LinkedHashMap<>();
    for (SendReason reason : SendReason.values()) {
      Long count = stats.failovers().get(reason);
      if (count != null) {
        failovers.put(reason.name(), count);
      }
    }
    return new WindowFigures(start, end,
        stats.tried(), stats.accepted(), stats.delivered(), stats.undelivered(), stats.completed(),
        failovers,
        ratio(stats.accepted(), stats.tried()),
        ratio(stats.delivered(), stats.accepted()),
        ratio(stats.completed(), stats.accepted()),
        boxed(stats.timeToDelivery().quantile(0.50)),
        boxed(stats.timeToDelivery().quantile(0.95)),
        stats.spentMicros(),
        stats.pricedSends() == 0 ? null : stats.spentMicros() / stats.pricedSends(),
        stats.completed() == 0 || stats.pricedSends() == 0 ? null : stats.spentMicros() / stats.completed(),
        stats.firstSends(), Math.min(stats.firstCompleted(), stats.firstSends()),
        ratio(Math.min(stats.firstCompleted(), stats.firstSends()), stats.firstSends()),
        Math.min(newerHalfFirstSends, stats.firstSends()));
  }

  private static Double ratio(long part, long whole) {
    return whole == 0 ? null : (double) part / whole;
  }

  private static Long boxed(OptionalLong value) {
    return value.isPresent() ? value.getAsLong() : null;
  }
}
