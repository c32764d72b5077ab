package dev.relay.scoring.model;

import dev.relay.schemas.SendReason;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * What happened on one route during one pane (or, merged, during a whole window): counts of tries,
 * acceptances, final receipts, completions and failovers, money spent, and the time-to-delivery
 * sketch. Panes merge by addition, which is what lets a rolling window be the sum of its panes.
 */
public final class RouteStats {

  private long tried;
  private long accepted;
  private long delivered;
  private long undelivered;
  private long completed;
  private long firstSends;
  private long firstCompleted;
  private long pricedSends;
  private long spentMicros;
  private final EnumMap<SendReason, Long> failovers = new EnumMap<>(SendReason.class);
  private final LatencySketch timeToDelivery;

  private RouteStats(LatencySketch timeToDelivery) {
    this.timeToDelivery = timeToDelivery;
  }

  public static RouteStats empty() {
    return new RouteStats(LatencySketch.empty());
  }

  /** Rebuilds stats from their stored parts (see {@code ScoringContracts}). */
  public static RouteStats of(long tried, long accepted, long delivered, long undelivered, long completed,
      long pricedSends, long spentMicros, Map<SendReason, Long> failovers, LatencySketch timeToDelivery) {
    RouteStats stats = new RouteStats(timeToDelivery);
    stats.tried = tried;
    stats.accepted = accepted;
    stats.delivered = delivered;
    stats.undelivered = undelivered;
    stats.completed = completed;
    stats.pricedSends = pricedSends;
    stats.spentMicros = spentMicros;
    stats.failovers.putAll(failovers);
    return stats;
  }

  public RouteStats add(ScoreFact fact) {
    // Java 17: no pattern switch yet; the interface is sealed, so the last branch is exhaustive.
    if (fact instanceof ScoreFact.Tried attempt) {
      tried++;
      if (attempt.accepted()) {
        accepted++;
        if (attempt.firstSend()) {
          firstSends++;
        }
      }
      attempt.priceMicros().ifPresent(price -> {
        pricedSends++;
        spentMicros += price;
      });
    } else if (fact instanceof ScoreFact.Delivery delivery) {
      if (delivery.delivered()) {
        delivered++;
        delivery.millisToDelivery().ifPresent(timeToDelivery::add);
      } else {
        undelivered++;
      }
    } else if (fact instanceof ScoreFact.Completion completion) {
      completed++;
      if (completion.firstSend()) {
        firstCompleted++;
      }
    } else if (fact instanceof ScoreFact.Excused excused) {
      if (excused.receiptPending()) {
        tried--;
        accepted--;
      }
      if (excused.firstSend()) {
        firstSends--;
      }
    } else {
      failovers.merge(((ScoreFact.Failover) fact).reason(), 1L, Long::sum);
    }
    return this;
  }

  public RouteStats merge(RouteStats other) {
    tried += other.tried;
    accepted += other.accepted;
    delivered += other.delivered;
    undelivered += other.undelivered;
    completed += other.completed;
    firstSends += other.firstSends;
    firstCompleted += other.firstCompleted;
    pricedSends += other.pricedSends;
    spentMicros += other.spentMicros;
    other.failovers.forEach((reason, count) -> failovers.merge(reason, count, Long::sum));
    timeToDelivery.merge(other.timeToDelivery);
    return this;
  }

  public long tried() {
    return tried;
  }

  public long accepted() {
    return accepted;
  }

  public long delivered() {
    return delivered;
  }

  public long undelivered() {
    return undelivered;
  }

  public long completed() {
    return completed;
  }

  /** Accepted first sends: what the route's completion is judged on. */
  public long firstSends() {
    return firstSends;
  }

  /** First sends whose code was entered; may exceed {@link #firstSends} in a pane, never over a window that holds both. */
  public long firstCompleted() {
    return firstCompleted;
  }

  /** Sets the judged counts of stats read back from a store (see {@code ScoringContracts}). */
  public RouteStats withFirstSends(long firstSends, long firstCompleted) {
    this.firstSends = firstSends;
    this.firstCompleted = firstCompleted;
    return this;
  }

  public long pricedSends() {
    return pricedSends;
  }

  public long spentMicros() {
    return spentMicros;
  }

  public Map<SendReason, Long> failovers() {
    return Collections.unmodifiableMap(failovers);
  }

  public LatencySketch timeToDelivery() {
    return timeToDelivery;
  }

  public boolean isEmpty() {
    return tried == 0 && delivered == 0 && undelivered == 0 && completed == 0 && failovers.isEmpty();
  }
}
