package dev.relay.scoring.config;

import dev.relay.support.config.ConfigException;
import dev.relay.support.config.RelayConfig;

/**
 * When a route is demoted and when it comes back.
 *
 * <p><b>Demotion</b>: its score below {@code demoteBelow}, or a sharp drop of its completion rate
 * (over first sends) against its own baseline (the DROP alert's rule, {@link AlertSettings#isSharpDrop}),
 * when that drop is its own: a drop its peers share (every route of its country, or routes of
 * several providers in several countries) demotes nothing and keeps every standing as it was, since
 * it is not the provider's doing. Completion, not delivery: a route whose receipts stop while people
 * still enter their codes keeps its place (its delivery-rate DROP alert still tells the operator).
 *
 * <p><b>Promotion rests on the route's own recent tries</b>, not on a score the prior flatters: a
 * demoted route comes back only when the short window holds at least the alert's min-samples first
 * sends and the lower bound of their completion's Beta posterior at {@code promotionConfidence}
 * ({@link dev.relay.scoring.score.BetaEvidence}) reaches the best healthy peer's current rate less
 * the alert's recovery points; with no peer to compare with, when its score reaches
 * {@code promoteAbove} on that many first sends. Fewer than {@code minSamples} tries in the long
 * window change nothing either way.
 */
public record DemotionSettings(double demoteBelow, double promoteAbove, long minSamples, double promotionConfidence) {

  public DemotionSettings {
    RelayConfig.requireFraction(ScoringConfig.DEMOTE_BELOW, demoteBelow);
    RelayConfig.requireFraction(ScoringConfig.PROMOTE_ABOVE, promoteAbove);
    if (promoteAbove < demoteBelow) {
      throw new ConfigException(ScoringConfig.PROMOTE_ABOVE.name() + " (" + promoteAbove + ") must not be below "
          + ScoringConfig.DEMOTE_BELOW.name() + " (" + demoteBelow + "), or a demoted route would flap");
    }
    if (minSamples < 0) {
      throw new ConfigException(ScoringConfig.DEMOTION_MIN_SAMPLES.name() + " must not be negative, not " + minSamples);
    }
    if (!(promotionConfidence >= 0.5 && promotionConfidence < 1)) {
      throw new ConfigException(ScoringConfig.PROMOTION_CONFIDENCE.name() + " must be at least 0.5 and below 1, not "
          + promotionConfidence);
    }
  }

  /** With the default promotion confidence. */
  public DemotionSettings(double demoteBelow, double promoteAbove, long minSamples) {
    this(demoteBelow, promoteAbove, minSamples, Double.parseDouble(ScoringConfig.PROMOTION_CONFIDENCE.defaultValue()));
  }

  public static DemotionSettings from(RelayConfig config) {
    return new DemotionSettings(config.getFraction(ScoringConfig.DEMOTE_BELOW), config.getFraction(ScoringConfig.PROMOTE_ABOVE),
        config.getInt(ScoringConfig.DEMOTION_MIN_SAMPLES), config.getFraction(ScoringConfig.PROMOTION_CONFIDENCE));
  }

  public static DemotionSettings defaults() {
    return new DemotionSettings(Double.parseDouble(ScoringConfig.DEMOTE_BELOW.defaultValue()),
        Double.parseDouble(ScoringConfig.PROMOTE_ABOVE.defaultValue()),
        Long.parseLong(ScoringConfig.DEMOTION_MIN_SAMPLES.defaultValue()),
        Double.parseDouble(ScoringConfig.PROMOTION_CONFIDENCE.defaultValue()));
  }

  /** What the standing is decided on, besides the score. */
  public record Evidence(boolean ownDrop, boolean sharedDrop, boolean recovered) {

    /** A route whose completion did not drop and that shows no recovery of its own. */
    public static final Evidence NONE = new Evidence(false, false, false);

    public static Evidence ofOwnDrop() {
      return new Evidence(true, false, false);
    }
  }

  /**
   * Whether a route is demoted after a new score over {@code tried} tries, given whether it was and
   * what its completion shows. A score over too few tries keeps the standing: a quiet demoted route
   * stays demoted until exploration has shown its recovery on enough sends, and a new route is not
   * buried on noise.
   */
  public boolean demoted(boolean wasDemoted, double score, long tried, Evidence evidence) {
    if (tried < minSamples || evidence.sharedDrop()) {
      return wasDemoted;
    }
    if (evidence.ownDrop()) {
      return true;
    }
    return wasDemoted ? !evidence.recovered() : score < demoteBelow;
  }
}
