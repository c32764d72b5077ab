package dev.relay.scoring.config;

import dev.relay.support.config.ConfigException;
import dev.relay.support.config.RelayConfig;

/**
 * When a route's rate counts as a sharp drop and when as recovered: {@code dropPoints} below its own
 * baseline raises the alert, back within {@code recoveryPoints} of the baseline it dropped from ends
 * it; neither with fewer than {@code minSamples} sends in the baseline or the short window.
 */
public record AlertSettings(double dropPoints, double recoveryPoints, long minSamples) {

  public AlertSettings {
    if (!(dropPoints > 0 && dropPoints <= 100)) {
      throw new ConfigException(ScoringConfig.ALERT_DROP_POINTS.name() + " must be above 0 and at most 100, not " + dropPoints);
    }
    if (!(recoveryPoints >= 0 && recoveryPoints < dropPoints)) {
      throw new ConfigException(ScoringConfig.ALERT_RECOVERY_POINTS.name() + " must be at least 0 and below "
          + ScoringConfig.ALERT_DROP_POINTS.name() + " (" + dropPoints + "), not " + recoveryPoints);
    }
    if (minSamples < 1) {
      throw new ConfigException(ScoringConfig.ALERT_MIN_SAMPLES.name() + " must be at least 1, not " + minSamples);
    }
  }

  /**
   * Whether a rate fell sharply: {@code dropPoints} or more from its baseline to the short window,
   * each over at least {@code minSamples} sends. The one rule behind a DROP alert and a demotion on
   * a sharp drop of the completion rate, so the two never disagree on what a sharp drop is.
   */
  public boolean isSharpDrop(long baselineHits, long baselineSamples, long currentHits, long currentSamples) {
    if (baselineSamples < minSamples || currentSamples < minSamples) {
      return false;
    }
    double baseline = (double) baselineHits / baselineSamples;
    double current = (double) currentHits / currentSamples;
    // A drop of exactly dropPoints counts; the tolerance keeps 0.95 - 0.65 from falling just short.
    return (baseline - current) * 100 >= dropPoints - 1e-9;
  }

  public static AlertSettings from(RelayConfig config) {
    return new AlertSettings(number(config, ScoringConfig.ALERT_DROP_POINTS.name(), config.get(ScoringConfig.ALERT_DROP_POINTS)),
        number(config, ScoringConfig.ALERT_RECOVERY_POINTS.name(), config.get(ScoringConfig.ALERT_RECOVERY_POINTS)),
        config.getInt(ScoringConfig.ALERT_MIN_SAMPLES));
  }

  public static AlertSettings defaults() {
    return new AlertSettings(Double.parseDouble(ScoringConfig.ALERT_DROP_POINTS.defaultValue()),
        Double.parseDouble(ScoringConfig.ALERT_RECOVERY_POINTS.defaultValue()),
        Long.parseLong(ScoringConfig.ALERT_MIN_SAMPLES.defaultValue()));
  }

  private static double number(RelayConfig config, String key, String value) {
    try {
      return Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key + " must be a number, not '" + value + "'");
    }
  }
}
