package dev.relay.scoring.model;

import dev.relay.scoring.score.ScoreFormula;
import java.time.Instant;

/**
 * Everything scoring knows of one route at one moment: the long and short windows' figures and the
 * score with its parts. It is what {@code GET /scores} serves, and what provider-scores and
 * provider-score-history carry as a {@code ProviderScore}.
 */
public record RouteScore(
    String provider,
    String country,
    String channel,
    WindowFigures window,
    WindowFigures shortWindow,
    ScoreFormula.Score score,
    Instant updatedAt) {}
