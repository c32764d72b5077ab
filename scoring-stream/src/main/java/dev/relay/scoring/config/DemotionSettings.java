package dev.relay.scoring.config;

import dev.relay.support.config.ConfigException;
import dev.relay.support.config.RelayConfig;

/**
 * When a route is demoted: its score below {@code demoteBelow}, or a sharp drop of its completion
 * rate against its own baseline (the DROP alert's rule, {@link AlertSettings#isSharpDrop}), demotes
 * it; only a score of {@code promoteAbove} or more with no sharp drop brings it back (the gap is the
 * hysteresis that keeps routing from flapping); a score over fewer than {@code minSamples} tries in
 * the long window changes neither way.
 *
 * <p>The sharp drop is there for speed and for scale: a route losing half its messages takes most
 * of the short window to pull its score under a threshold, while the drop against its own
 * baseline shows within a few dozen sends; and a route that was excellent and is now merely
 * average is demoted by the drop even when its score stays above {@code demoteBelow}. Completion,
 * not delivery: a route whose receipts stop while people still enter their codes keeps its place
 * (its delivery-rate DROP alert still tells the operator).
 */
public record DemotionSettings(double demoteBelow, double promoteAbove, long minSamples) {

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
  }

  public static DemotionSettings from(RelayConfig config) {
    return new DemotionSettings(config.getFraction(ScoringConfig.DEMOTE_BELOW), config.getFraction(ScoringConfig.PROMOTE_ABOVE),
        config.getInt(ScoringConfig.DEMOTION_MIN_SAMPLES));
  }

  public static DemotionSettings defaults() {
    return new DemotionSettings(Double.parseDouble(ScoringConfig.DEMOTE_BELOW.defaultValue()),
        Double.parseDouble(ScoringConfig.PROMOTE_ABOVE.defaultValue()),
        Long.parseLong(ScoringConfig.DEMOTION_MIN_SAMPLES.defaultValue()));
  }

  /**
   * Whether a route is demoted after a new score over {@code tried} tries, given whether it was and
   * whether its completion rate just dropped sharply. A score over too few tries keeps the standing: a
   * quiet demoted route stays demoted until exploration has shown its recovery on enough sends, and
   * a new route is not buried on noise.
   */
  public boolean demoted(boolean wasDemoted, double score, long tried, boolean droppedSharply) {
    if (tried < minSamples) {
      return wasDemoted;
    }
    if (droppedSharply) {
      return true;
    }
    return wasDemoted ? score < promoteAbove : score < demoteBelow;
  }
}
