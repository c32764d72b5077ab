package dev.relay.scoring.topology;

import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.WindowStats;
import dev.relay.scoring.config.AlertSettings;

/**
 * A route's completion over its first sends, short window against the rest of the long window, as
 * one published score shows it: whether the route has evidence in the short window and whether its
 * rate fell sharply (the DROP alert's rule, {@link AlertSettings#isSharpDrop}).
 */
record CompletionDrop(boolean evidence, boolean dropped, double currentRate, double fallPoints) {

  static CompletionDrop of(ProviderScore score, AlertSettings alerts) {
    WindowStats recent = score.getShortWindow();
    if (recent == null) {
      return new CompletionDrop(false, false, Double.NaN, Double.NaN);
    }
    long currentSamples = recent.getFirstSends();
    long currentHits = Math.min(recent.getFirstCompleted(), currentSamples);
    long baselineSamples = score.getFirstSends() - currentSamples;
    long baselineHits = Math.min(score.getFirstCompleted() - recent.getFirstCompleted(), baselineSamples);
    boolean evidence = currentSamples >= alerts.minSamples();
    return new CompletionDrop(evidence,
        alerts.isSharpDrop(baselineHits, baselineSamples, currentHits, currentSamples),
        currentSamples == 0 ? Double.NaN : (double) currentHits / currentSamples,
        baselineSamples <= 0 || currentSamples == 0 ? Double.NaN
            : ((double) baselineHits / baselineSamples - (double) currentHits / currentSamples) * 100);
  }
}
