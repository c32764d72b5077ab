package dev.relay.scoring.config;

import dev.relay.support.config.ConfigException;
import dev.relay.support.config.RelayConfig;
import java.time.Duration;
import java.util.Map;

/**
 * What the scoring topology needs to know, read once from config and checked: the rolling windows,
 * how often scores are published, the weight of the prior and how long completions settle.
 *
 * @param window the long rolling window (default 1 h)
 * @param windowAdvance the hop of both windows, and the size of the panes they are built from
 * @param shortWindow the short window for fast reaction (default 5 min)
 * @param emitInterval wall-clock time between two publications of changed scores
 * @param priorSamples pseudo-count of the prior in the score formula
 * @param completionSettle how old a first send must be before its completion is judged (see
 *     {@link #judgedWindowEnd}); zero judges every send at once
 */
public record ScoringSettings(
    Duration window,
    Duration windowAdvance,
    Duration shortWindow,
    Duration emitInterval,
    int priorSamples,
    Duration completionSettle) {

  public ScoringSettings {
    positive(window, ScoringConfig.WINDOW.name());
    positive(windowAdvance, ScoringConfig.WINDOW_ADVANCE.name());
    positive(shortWindow, ScoringConfig.SHORT_WINDOW.name());
    positive(emitInterval, ScoringConfig.EMIT_INTERVAL.name());
    multipleOf(window, windowAdvance, ScoringConfig.WINDOW.name());
    multipleOf(shortWindow, windowAdvance, ScoringConfig.SHORT_WINDOW.name());
    if (shortWindow.compareTo(window) > 0) {
      throw new ConfigException(ScoringConfig.SHORT_WINDOW.name() + " (" + shortWindow
          + ") must not be longer than " + ScoringConfig.WINDOW.name() + " (" + window + ")");
    }
    if (priorSamples < 0) {
      throw new ConfigException(ScoringConfig.PRIOR_SAMPLES.name() + " must not be negative, not " + priorSamples);
    }
    if (completionSettle == null || completionSettle.isNegative() || completionSettle.compareTo(shortWindow) >= 0) {
      throw new ConfigException(ScoringConfig.COMPLETION_SETTLE.name() + " must be zero or more and shorter than "
          + ScoringConfig.SHORT_WINDOW.name() + " (" + shortWindow + "), not " + completionSettle);
    }
  }

  /** Judging every first send at once. */
  public ScoringSettings(Duration window, Duration windowAdvance, Duration shortWindow, Duration emitInterval,
      int priorSamples) {
    this(window, windowAdvance, shortWindow, emitInterval, priorSamples, Duration.ZERO);
  }

  public static ScoringSettings from(RelayConfig config) {
    return new ScoringSettings(
        config.getDuration(ScoringConfig.WINDOW),
        config.getDuration(ScoringConfig.WINDOW_ADVANCE),
        config.getDuration(ScoringConfig.SHORT_WINDOW),
        config.getDuration(ScoringConfig.EMIT_INTERVAL),
        config.getInt(ScoringConfig.PRIOR_SAMPLES),
        config.getDuration(ScoringConfig.COMPLETION_SETTLE));
  }

  /** The documented defaults. */
  public static ScoringSettings defaults() {
    return from(RelayConfig.of(ScoringConfig.SCHEMA, Map.of()));
  }

  /** Panes (one per advance) the long window spans. */
  public long panesPerWindow() {
    return window.toMillis() / windowAdvance.toMillis();
  }

  /** These settings with another {@link #completionSettle}. */
  public ScoringSettings withCompletionSettle(Duration settle) {
    return new ScoringSettings(window, windowAdvance, shortWindow, emitInterval, priorSamples, settle);
  }

  /**
   * End of the windows a route's completion is judged over, for windows evaluated at stream time
   * {@code evaluatedAt} and ending at {@code windowEnd}: the last pane boundary at least
   * {@link #completionSettle} before it, so every first send judged has had that long to get its
   * code entered (a send judged younger counts as not completed while its person is still typing,
   * and a route whose traffic jumps, a backup taking over, would look as if it had dropped). With a
   * zero settle, the windows themselves.
   */
  public long judgedWindowEnd(long windowEnd, long evaluatedAt) {
    if (completionSettle.isZero()) {
      return windowEnd;
    }
    long hop = windowAdvance.toMillis();
    return Math.min(windowEnd, Math.floorDiv(evaluatedAt - completionSettle.toMillis(), hop) * hop);
  }

  /**
   * How far before its windows a route's judged windows can reach (see {@link #judgedWindowEnd}):
   * panes this much older than the long window are still read, so kept.
   */
  public Duration judgedReach() {
    if (completionSettle.isZero()) {
      return Duration.ZERO;
    }
    long hop = windowAdvance.toMillis();
    long settlePanes = (completionSettle.toMillis() + hop - 1) / hop;
    return Duration.ofMillis((settlePanes + 1) * hop);
  }

  private static void positive(Duration value, String key) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new ConfigException(key + " must be a positive duration, not " + value);
    }
  }

  private static void multipleOf(Duration value, Duration unit, String key) {
    if (value.toMillis() % unit.toMillis() != 0) {
      throw new ConfigException(key + " (" + value + ") must be a whole multiple of "
          + ScoringConfig.WINDOW_ADVANCE.name() + " (" + unit + ")");
    }
  }
}
