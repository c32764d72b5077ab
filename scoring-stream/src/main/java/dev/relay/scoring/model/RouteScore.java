package dev.relay.scoring.model;

import dev.relay.scoring.score.ScoreFormula;
import java.time.Instant;

/**
 * Everything scoring knows of one route at one moment: the long and short windows' figures and the
 * score with its parts, and the route's standing: demoted (with hysteresis, see
 * {@code DemotionSettings}) and, while demoted, explored (it still got tries in its published short
 * window, which for a demoted route reaches back to its newest tries, so its recovery is being watched), and {@code sharedDrop} (COUNTRY or ALL_COUNTRIES) while its
 * completion drop is shared by its peers and so demotes nothing. It is what {@code GET /scores} serves, and what provider-scores
 * and provider-score-history carry as a {@code ProviderScore}.
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
    String sharedDrop) {

  /** Without a shared drop. */
  public RouteScore(String provider, String country, String channel, WindowFigures window, WindowFigures shortWindow,
      ScoreFormula.Score score, Instant updatedAt, boolean demoted, boolean explored) {
    this(provider, country, channel, window, shortWindow, score, updatedAt, demoted, explored, null);
  }

  /** The same figures with the given standing; explored only while demoted and still tried. */
  public RouteScore withStanding(boolean demoted) {
    return withStanding(demoted, null);
  }

  /** The same figures with the given standing and shared drop (null when none). */
  public RouteScore withStanding(boolean demoted, String sharedDrop) {
    return new RouteScore(provider, country, channel, window, shortWindow, score, updatedAt, demoted,
        demoted && shortWindow != null && shortWindow.tried() > 0, sharedDrop);
  }
}
