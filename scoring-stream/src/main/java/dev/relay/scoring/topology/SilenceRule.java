package dev.relay.scoring.topology;

import dev.relay.scoring.config.ScoringSettings;
import dev.relay.scoring.model.RouteScore;
import dev.relay.scoring.model.WindowFigures;
import java.time.Duration;
import java.time.Instant;

/**
 * What a silence of every input of a scoring task (an outage of Relay, a quiet spell) means for a
 * route's next publications. Pure: {@link RouteWindows} asks it once per route and publication.
 *
 * <ul>
 *   <li>The first publication after a silence (the route's window moved more than one hop since its
 *       last one) keeps the route's standing and raises no alert: its peers' latest scores still
 *       describe the time before the silence, so a fall they all share after it (every route's newest
 *       sends judged at once) would look like the route's own. It is decided at the next emission.</li>
 *   <li>After a long silence ({@link #longSilence}) the route is not newly demoted, and raises no
 *       alert, until its short window holds only time after the silence ({@link RouteScore#settlesAt}).</li>
 * </ul>
 */
final class SilenceRule {

  /**
   * Mean intervals between a route's tries that a silence must span to be taken for an outage of Relay, as the
   * dispatcher's recognition of one asks of its inputs ({@code InputClock.EXPECTED_INPUTS}).
   */
  static final int EXPECTED_INPUTS = 50;

  private final long hop;
  private final Duration window;
  private final Duration shortWindow;

  SilenceRule(ScoringSettings settings) {
    this.hop = settings.windowAdvance().toMillis();
    this.window = settings.window();
    this.shortWindow = settings.shortWindow();
  }

  /** A route's new figures judged against its latest published score (null: never published). */
  Judged judge(RouteScore previous, RouteScore evaluated) {
    boolean afterSilence = previous != null && afterSilence(previous, evaluated);
    Instant settlesAt = afterSilence && longSilence(previous, evaluated)
        ? evaluated.window().end().plus(shortWindow)
        : previous == null ? null : previous.settlesAt();
    RouteScore settling = evaluated.settlingUntil(settlesAt);
    return new Judged(settling.settling() ? settling : evaluated.settlingUntil(null), afterSilence);
  }

  /**
   * @param score the new figures, settling until {@code settlesAt} while a long silence is still in its
   *     short window
   * @param afterSilence whether this is the route's first publication after a silence
   */
  record Judged(RouteScore score, boolean afterSilence) {

    /** Whether a change of standing to {@code decided}'s is held back: right after a silence, or a new demotion while settling. */
    boolean holds(boolean changed, RouteScore decided) {
      return changed && (afterSilence || (decided.demoted() && score.settling()));
    }

    /** Whether the publication raises no alert: it judges sends nobody could answer yet. */
    boolean quiet() {
      return afterSilence || score.settling();
    }
  }

  private boolean afterSilence(RouteScore previous, RouteScore score) {
    return previous.window() != null && jump(previous, score) > hop;
  }

  /**
   * Whether the silence took half the short window or more, and at least {@link #EXPECTED_INPUTS}
   * of the route's mean intervals between tries (as an outage of Relay must), the busier of its long and
   * short windows giving the interval: a route live for only minutes before the silence (a deployment
   * killed soon after its start) has all its tries in the short window, not spread over the hour. The
   * short window then holds too few sends from before it to outweigh the newest ones, whose people are
   * still typing their codes. After a shorter one, sends from before the silence, all settled, are the
   * greater part of the short window; a route that is quiet anyway (a send every few minutes) has no
   * people in flight to speak of, and its newest sends are judged as they come.
   */
  private boolean longSilence(RouteScore previous, RouteScore score) {
    long jump = jump(previous, score);
    double meanInterval = Math.min(meanInterval(window, previous.window()), meanInterval(shortWindow, previous.shortWindow()));
    return jump * 2 >= shortWindow.toMillis() && jump >= EXPECTED_INPUTS * meanInterval;
  }

  private static long jump(RouteScore previous, RouteScore score) {
    return score.window().end().toEpochMilli() - previous.window().end().toEpochMilli();
  }

  private static double meanInterval(Duration length, WindowFigures figures) {
    return figures == null ? Double.MAX_VALUE : (double) length.toMillis() / Math.max(1, figures.tried());
  }
}
