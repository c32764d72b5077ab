package dev.relay.scoring.serde;

import dev.relay.schemas.Channel;
import dev.relay.schemas.ScoreParts;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.WindowStats;
import dev.relay.schemas.state.DeliverySketch;
import dev.relay.schemas.state.PaneFailovers;
import dev.relay.schemas.state.RoutePane;
import dev.relay.schemas.state.ScoringRouteMark;
import dev.relay.schemas.state.ScoringRouteScore;
import dev.relay.scoring.model.LatencySketch;
import dev.relay.scoring.model.RouteMark;
import dev.relay.scoring.model.RouteScore;
import dev.relay.scoring.model.RouteStats;
import dev.relay.scoring.model.WindowFigures;
import dev.relay.scoring.score.ScoreFormula;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes each of scoring's in-memory types as its Avro contract under {@code schemas/src/main/avro/state}
 * (and the window figures as the {@link WindowStats} that scores carry) and reads it back. A "none"
 * the model keeps as a sentinel ({@link InputClock#NONE}, {@link RouteMark#NONE}) is null in the
 * contract, so the contract needs no Java constant to be read.
 */
public final class ScoringContracts {

  /** Failovers in the order of {@link SendReason}, as {@link WindowFigures#of} lists them; a name this release does not know last. */
  private static final Comparator<String> REASON_ORDER =
      Comparator.comparingInt(ScoringContracts::reasonOrder).thenComparing(Comparator.naturalOrder());

  private ScoringContracts() {}

  static RoutePane pane(RouteStats stats) {
    List<PaneFailovers> failovers = new ArrayList<>();
    stats.failovers().forEach((reason, count) -> failovers.add(new PaneFailovers(reason, count)));
    LatencySketch.Bins bins = stats.timeToDelivery().bins();
    return RoutePane.newBuilder()
        .setTried(stats.tried())
        .setAccepted(stats.accepted())
        .setDelivered(stats.delivered())
        .setUndelivered(stats.undelivered())
        .setCompleted(stats.completed())
        .setFirstSends(stats.firstSends())
        .setFirstCompleted(stats.firstCompleted())
        .setPricedSends(stats.pricedSends())
        .setSpentMicros(stats.spentMicros())
        .setFailovers(failovers)
        .setTimeToDelivery(new DeliverySketch(bins.relativeAccuracy(), bins.zeroCount(), bins.indexes(), bins.counts()))
        .build();
  }

  static RouteStats pane(RoutePane avro) {
    Map<SendReason, Long> failovers = new EnumMap<>(SendReason.class);
    avro.getFailovers().forEach(failover -> failovers.merge(failover.getReason(), failover.getCount(), Long::sum));
    DeliverySketch sketch = avro.getTimeToDelivery();
    LatencySketch timeToDelivery = LatencySketch.of(new LatencySketch.Bins(sketch.getRelativeAccuracy(),
        sketch.getZeroCount(), sketch.getBinIndexes(), sketch.getBinCounts()));
    return RouteStats.of(avro.getTried(), avro.getAccepted(), avro.getDelivered(), avro.getUndelivered(),
            avro.getCompleted(), avro.getPricedSends(), avro.getSpentMicros(), failovers, timeToDelivery)
        .withFirstSends(avro.getFirstSends(), avro.getFirstCompleted());
  }

  static ScoringRouteMark routeMark(RouteMark mark) {
    return new ScoringRouteMark(mark.lastFactAt(), orNull(mark.openWindowEnd(), RouteMark.NONE), mark.dirty());
  }

  static RouteMark routeMark(ScoringRouteMark avro) {
    return new RouteMark(avro.getLastFactAt(), orNone(avro.getOpenWindowEnd(), RouteMark.NONE), avro.getDirty());
  }

  static ScoringRouteScore routeScore(RouteScore score) {
    ScoreFormula.Score formula = score.score();
    return ScoringRouteScore.newBuilder()
        .setProvider(score.provider())
        .setCountry(score.country())
        .setChannel(Channel.valueOf(score.channel()))
        .setWindow(windowStats(score.window()))
        .setShortWindow(windowStats(score.shortWindow()))
        .setScore(formula.score())
        .setScoreParts(scoreParts(formula))
        .setUpdatedAt(score.updatedAt())
        .setDemoted(score.demoted())
        .setExplored(score.explored())
        .setSharedDrop(score.sharedDrop())
        .setSettlesAt(score.settlesAt())
        .build();
  }

  static RouteScore routeScore(ScoringRouteScore avro) {
    ScoreParts parts = avro.getScoreParts();
    return new RouteScore(avro.getProvider(), avro.getCountry(), avro.getChannel().name(),
        windowFigures(avro.getWindow()), windowFigures(avro.getShortWindow()),
        new ScoreFormula.Score(avro.getScore(), parts.getReach(), parts.getDelivery(), parts.getCompletion(),
            parts.getSpeed(), parts.getCost()),
        avro.getUpdatedAt(), avro.getDemoted(), avro.getExplored(), avro.getSharedDrop(), avro.getSettlesAt());
  }

  /** A score's terms as scores carry them: in a stored score, and in a published {@code ProviderScore}. */
  public static ScoreParts scoreParts(ScoreFormula.Score formula) {
    return new ScoreParts(formula.reach(), formula.delivery(), formula.completion(), formula.speed(), formula.cost());
  }

  /** A window's figures as scores carry them: in a stored score, and as a published {@code ProviderScore}'s short window. */
  public static WindowStats windowStats(WindowFigures window) {
    if (window == null) {
      return null;
    }
    return WindowStats.newBuilder()
        .setStart(window.start())
        .setEnd(window.end())
        .setTried(window.tried())
        .setAccepted(window.accepted())
        .setDelivered(window.delivered())
        .setUndelivered(window.undelivered())
        .setCompleted(window.completed())
        .setSpentMicros(window.spentMicros())
        .setSubmissionRate(window.submissionRate())
        .setDeliveryRate(window.deliveryRate())
        .setCompletionRate(window.completionRate())
        .setTimeToDeliveryP50Millis(window.timeToDeliveryP50Millis())
        .setTimeToDeliveryP95Millis(window.timeToDeliveryP95Millis())
        .setCostPerMessageMicros(window.costPerMessageMicros())
        .setCostPerSuccessMicros(window.costPerSuccessMicros())
        .setFailovers(new LinkedHashMap<>(window.failovers()))
        .setFirstSends(window.firstSends())
        .setFirstCompleted(window.firstCompleted())
        .setFirstCompletionRate(window.firstCompletionRate())
        .setNewerHalfFirstSends(window.newerHalfFirstSends())
        .build();
  }

  private static WindowFigures windowFigures(WindowStats stats) {
    if (stats == null) {
      return null;
    }
    // Avro reads a map unordered; GET /scores lists failovers in the order they were computed in.
    Map<String, Long> failovers = new LinkedHashMap<>();
    stats.getFailovers().entrySet().stream().sorted(Map.Entry.comparingByKey(REASON_ORDER))
        .forEach(entry -> failovers.put(entry.getKey(), entry.getValue()));
    return new WindowFigures(stats.getStart(), stats.getEnd(), stats.getTried(), stats.getAccepted(),
        stats.getDelivered(), stats.getUndelivered(), stats.getCompleted(), failovers, stats.getSubmissionRate(),
        stats.getDeliveryRate(), stats.getCompletionRate(), stats.getTimeToDeliveryP50Millis(),
        stats.getTimeToDeliveryP95Millis(), stats.getSpentMicros(), stats.getCostPerMessageMicros(),
        stats.getCostPerSuccessMicros(), stats.getFirstSends(), stats.getFirstCompleted(),
        stats.getFirstCompletionRate(), stats.getNewerHalfFirstSends());
  }

  private static int reasonOrder(String name) {
    for (SendReason reason : SendReason.values()) {
      if (reason.name().equals(name)) {
        return reason.ordinal();
      }
    }
    return Integer.MAX_VALUE;
  }

  private static Long orNull(long millis, long none) {
    return millis == none ? null : millis;
  }

  private static long orNone(Long millis, long none) {
    return millis == null ? none : millis;
  }
}
