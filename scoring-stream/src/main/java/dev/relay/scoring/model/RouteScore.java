package dev.relay.scoring.model;

import dev.relay.scoring.score.ScoreFormula;
import java.time.Instant;

/**
 * Everything scoring knows of one route at one moment: the long and short windows' figures and the
 * score with its parts, and the route's standing: demoted (with hysteresis, see
 * {@code DemotionSettings}) and, while demoted, explored (it still got tries in its published short
 * window, which for a demoted route reaches back to its newest tries, so its recovery is being watched), and {@code sharedDrop} (COUNTRY or ALL_COUNTRIES) while its
 * completion drop is shared by its peers and so demotes nothing. {@code settlesAt}, after a silence of
 * every input of its task (an outage of Relay, a quiet spell), is the first window end whose short
 * window holds only time after the silence: until then the short window judges sends whose people
 * are still typing their codes, with no older completions to balance them, and the route is not newly
 * demoted on it (null: no such silence pending). It is what {@code GET /scores} serves, and what
 * provider-scores and provider-score-history carry as a {@code ProviderScore}.
 */
public record RouteScore(
    String provider,
    String country,
    String channel,
    WindowFigures window,
    WindowFigures shortWindow,
    ScoreFormula.Score score,
    Instant updatedAt,
    boolean demoted,
    boolean explored,
    String sharedDrop,
    Instant settlesAt) {

  /** Without a shared drop. */
  public RouteScore(String provider, String country, String channel, WindowFigures window, WindowFigures shortWindow,
      ScoreFormula.Score score, Instant updatedAt, boolean demoted, boolean explored) {
    this(provider, country, channel, window, shortWindow, score, updatedAt, demoted, explored, null, null);
  }

  /** Without a silence to settle. */
  public RouteScore(String provider, String country, String channel, WindowFigures window, WindowFigures shortWindow,
      ScoreFormula.Score score, Instant updatedAt, boolean demoted, boolean explored, String sharedDrop) {
    this(provider, country, channel, window, shortWindow, score, updatedAt, demoted, explored, sharedDrop, null);
  }

  /** The same figures with the given standing; explored only while demoted and still tried. */
  public RouteScore withStanding(boolean demoted) {
    return withStanding(demoted, null);
  }

  /** The same figures with the given standing and shared drop (null when none). */
  public RouteScore withStanding(boolean demoted, String sharedDrop) {
    return new RouteScore(provider, country, channel, window, shortWindow, score, updatedAt, demoted,
        demoted && shortWindow != null && shortWindow.tried() > 0, sharedDrop, settlesAt);
  }

  /** The same score, settling after a silence until the window ending at {@code settlesAt} (null: settled). */
  public RouteScore settlingUntil(Instant settlesAt) {
    return new RouteScore(provider, country, channel, window, shortWindow, score, updatedAt, demoted, explored,
        sharedDrop, settlesAt);
  }

  /** Whether its short window still holds time from before the latest silence of its task's inputs. */
  public boolean settling() {
    return settlesAt != null && window != null && window.end().isBefore(settlesAt);
  }
}
