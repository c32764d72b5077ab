package dev.relay.scoring.topology;

import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.WindowStats;
import dev.relay.scoring.config.AlertSettings;
import java.util.List;

/**
 * A route's completion over its first sends, short window against the rest of the long window, as
 * one published score shows it: whether the route has evidence in the short window and whether its
 * rate fell sharply (the DROP alert's rule, {@link AlertSettings#isSharpDrop}).
 */
record CompletionDrop(boolean evidence, boolean dropped, double currentRate, double fallPoints) {

  static CompletionDrop of(ProviderScore score, AlertSettings alerts) {
    return pooled(List.of(score), alerts);
  }

  /** The routes' first sends added together, short windows and long windows, as if one route's. */
  static CompletionDrop pooled(List<ProviderScore> scores, AlertSettings alerts) {
    long currentSamples = 0;
    long currentHits = 0;
    long baselineSamples = 0;
    long baselineHits = 0;
    boolean any = false;
    for (ProviderScore score : scores) {
      WindowStats recent = score.getShortWindow();
      if (recent == null) {
        continue;
      }
      any = true;
      long samples = recent.getFirstSends();
      long hits = Math.min(recent.getFirstCompleted(), samples);
      long before = score.getFirstSends() - samples;
      currentSamples += samples;
      currentHits += hits;
      baselineSamples += before;
      baselineHits += Math.min(score.getFirstCompleted() - recent.getFirstCompleted(), before);
    }
    if (!any) {
      return new CompletionDrop(false, false, Double.NaN, Double.NaN);
    }
    boolean evidence = currentSamples >= alerts.minSamples();
    return new CompletionDrop(evidence,
        alerts.isSharpDrop(baselineHits, baselineSamples, currentHits, currentSamples),
        currentSamples == 0 ? Double.NaN : (double) currentHits / currentSamples,
        baselineSamples <= 0 || currentSamples == 0 ? Double.NaN
            : ((double) baselineHits / baselineSamples - (double) currentHits / currentSamples) * 100);
  }
}
