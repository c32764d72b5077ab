package dev.relay.scoring.testing;

import dev.relay.schemas.Channel;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.ScoreParts;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.WindowStats;
import dev.relay.scoring.config.ScoringSettings;
import dev.relay.scoring.model.RouteStats;
import dev.relay.scoring.model.ScoreFact;
import dev.relay.scoring.score.ScoreFormula;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The record a topology test expects on provider-scores or provider-score-history, built from the
 * facts the test expects in the older part of the long window and in the short window. Counts and
 * rates are derived here as the schema documents them; the quantiles come from the sketch (its
 * error is pinned by {@code LatencySketchTest}) and the score from the formula (pinned by
 * {@code ScoreFormulaTest}), so a topology test checks which fact reached which window and field.
 */
public final class ExpectedScore {

  private final ScoringSettings settings;
  private final ScoreFormula formula;

  public ExpectedScore(ScoringSettings settings) {
    this.settings = settings;
    this.formula = new ScoreFormula(settings.priorSamples());
  }

  public static Facts facts() {
    return new Facts();
  }

  /** A route whose facts all fall in the short window. */
  public ProviderScore recent(String provider, Channel channel, Instant windowEnd, Facts recent, Instant updatedAt) {
    return of(provider, channel, windowEnd, facts(), recent, updatedAt);
  }

  /**
   * @param older facts of the long window before the short one
   * @param recent facts of the short window
   */
  public ProviderScore of(String provider, Channel channel, Instant windowEnd, Facts older, Facts recent,
      Instant updatedAt) {
    RouteStats whole = older.stats().merge(recent.stats());
    RouteStats last = recent.stats();
    ScoreFormula.Score score = formula.evaluate(older.stats(), recent.stats());
    return ProviderScore.newBuilder()
        .setProvider(provider)
        .setCountry(Events.COUNTRY)
        .setChannel(channel)
        .setWindowStart(windowEnd.minus(settings.window()))
        .setWindowEnd(windowEnd)
        .setTried(whole.tried())
        .setAccepted(whole.accepted())
        .setDelivered(whole.delivered())
        .setUndelivered(whole.undelivered())
        .setCompleted(whole.completed())
        .setSpentMicros(whole.spentMicros())
        .setSubmissionRate(ratio(whole.accepted(), whole.tried()))
        .setDeliveryRate(ratio(whole.delivered(), whole.accepted()))
        .setCompletionRate(ratio(whole.completed(), whole.accepted()))
        .setFirstSends(whole.firstSends())
        .setFirstCompleted(Math.min(whole.firstCompleted(), whole.firstSends()))
        .setFirstCompletionRate(ratio(Math.min(whole.firstCompleted(), whole.firstSends()), whole.firstSends()))
        .setTimeToDeliveryP50Millis(quantile(whole, 0.50))
        .setTimeToDeliveryP95Millis(quantile(whole, 0.95))
        .setCostPerMessageMicros(costPerMessage(whole))
        .setCostPerSuccessMicros(costPerSuccess(whole))
        .setFailovers(failovers(whole))
        .setScore(score.score())
        .setScoreParts(new ScoreParts(score.reach(), score.delivery(), score.completion(), score.speed(), score.cost()))
        .setShortWindow(WindowStats.newBuilder()
            .setStart(windowEnd.minus(settings.shortWindow()))
            .setEnd(windowEnd)
            .setTried(last.tried())
            .setAccepted(last.accepted())
            .setDelivered(last.delivered())
            .setUndelivered(last.undelivered())
            .setCompleted(last.completed())
            .setSpentMicros(last.spentMicros())
            .setSubmissionRate(ratio(last.accepted(), last.tried()))
            .setDeliveryRate(ratio(last.delivered(), last.accepted()))
            .setCompletionRate(ratio(last.completed(), last.accepted()))
            .setFirstSends(last.firstSends())
            .setFirstCompleted(Math.min(last.firstCompleted(), last.firstSends()))
            .setFirstCompletionRate(ratio(Math.min(last.firstCompleted(), last.firstSends()), last.firstSends()))
            .setNewerHalfFirstSends(recent.inOlderHalf ? 0 : last.firstSends())
            .setTimeToDeliveryP50Millis(quantile(last, 0.50))
            .setTimeToDeliveryP95Millis(quantile(last, 0.95))
            .setCostPerMessageMicros(costPerMessage(last))
            .setCostPerSuccessMicros(costPerSuccess(last))
            .setFailovers(failovers(last))
            .build())
        .setUpdatedAt(updatedAt)
        .build();
  }

  private static Double ratio(long part, long whole) {
    return whole == 0 ? null : (double) part / whole;
  }

  private static Long quantile(RouteStats stats, double q) {
    OptionalLong value = stats.timeToDelivery().quantile(q);
    return value.isPresent() ? value.getAsLong() : null;
  }

  private static Long costPerMessage(RouteStats stats) {
    return stats.pricedSends() == 0 ? null : stats.spentMicros() / stats.pricedSends();
  }

  /** No price known or nothing completed: no figure, rather than a made-up 0. */
  private static Long costPerSuccess(RouteStats stats) {
    return stats.pricedSends() == 0 || stats.completed() == 0 ? null : stats.spentMicros() / stats.completed();
  }

  private static Map<String, Long> failovers(RouteStats stats) {
    Map<String, Long> byName = new LinkedHashMap<>();
    stats.failovers().forEach((reason, count) -> byName.put(reason.name(), count));
    return byName;
  }

  /** The facts a test expects on a route in one part of a window. */
  public static final class Facts {

    private final List<ScoreFact> facts = new ArrayList<>();
    /** Whether the facts' sends lie in the older half of the short window's panes (by default the newer). */
    private boolean inOlderHalf;

    private Facts() {}

    /** The facts' sends lie in the older half of the short window's panes. */
    public Facts inOlderHalf() {
      inOlderHalf = true;
      return this;
    }

    public Facts accepted(int count) {
      return repeat(count, new ScoreFact.Tried(true, OptionalLong.empty()));
    }

    public Facts acceptedPriced(int count, long priceMicros) {
      return repeat(count, new ScoreFact.Tried(true, OptionalLong.of(priceMicros)));
    }

    public Facts rejected(int count) {
      return repeat(count, new ScoreFact.Tried(false, OptionalLong.empty()));
    }

    /** One delivered message per time to delivery given. */
    public Facts delivered(long... millisToDelivery) {
      for (long millis : millisToDelivery) {
        facts.add(new ScoreFact.Delivery(true, OptionalLong.of(millis)));
      }
      return this;
    }

    public Facts undelivered(int count) {
      return repeat(count, new ScoreFact.Delivery(false, OptionalLong.empty()));
    }

    public Facts completed(int count) {
      return repeat(count, new ScoreFact.Completion());
    }

    public Facts failover(SendReason reason) {
      facts.add(new ScoreFact.Failover(reason));
      return this;
    }

    /** Fresh stats each time: merging stats changes them. */
    public RouteStats stats() {
      RouteStats stats = RouteStats.empty();
      facts.forEach(stats::add);
      return stats;
    }

    private Facts repeat(int count, ScoreFact fact) {
      for (int i = 0; i < count; i++) {
        facts.add(fact);
      }
      return this;
    }
  }
}
