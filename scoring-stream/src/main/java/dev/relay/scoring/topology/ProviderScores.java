package dev.relay.scoring.topology;

import dev.relay.schemas.ProviderScore;
import dev.relay.scoring.model.RouteKey;
import dev.relay.scoring.model.RouteScore;
import dev.relay.scoring.model.WindowFigures;
import dev.relay.scoring.score.ScoreFormula;
import dev.relay.scoring.serde.ScoringContracts;
import java.util.LinkedHashMap;

/**
 * Writes a route's score as the {@link ProviderScore} contract that provider-scores and
 * provider-score-history carry: the long window's figures flat, the short window's in
 * {@code shortWindow}, the score with its parts. A figure without data stays {@code null} on the
 * wire, as it is in {@link WindowFigures}.
 */
final class ProviderScores {

  private ProviderScores() {}

  static ProviderScore of(RouteKey route, RouteScore score) {
    WindowFigures window = score.window();
    ScoreFormula.Score formula = score.score();
    return ProviderScore.newBuilder()
        .setProvider(route.provider())
        .setCountry(route.country())
        .setChannel(route.channel())
        .setWindowStart(window.start())
        .setWindowEnd(window.end())
        .setTried(window.tried())
        .setAccepted(window.accepted())
        .setDelivered(window.delivered())
        .setUndelivered(window.undelivered())
        .setCompleted(window.completed())
        .setSpentMicros(window.spentMicros())
        .setSubmissionRate(window.submissionRate())
        .setDeliveryRate(window.deliveryRate())
        .setCompletionRate(window.completionRate())
        .setTimeToDeliveryP50Millis(window.timeToDeliveryP50Millis())
        .setTimeToDeliveryP95Millis(window.timeToDeliveryP95Millis())
        .setCostPerMessageMicros(window.costPerMessageMicros())
        .setCostPerSuccessMicros(window.costPerSuccessMicros())
        .setFailovers(new LinkedHashMap<>(window.failovers()))
        .setScore(formula.score())
        .setScoreParts(ScoringContracts.scoreParts(formula))
        .setShortWindow(ScoringContracts.windowStats(score.shortWindow()))
        .setUpdatedAt(score.updatedAt())
        .setDemoted(score.demoted())
        .setFirstSends(window.firstSends())
        .setFirstCompleted(window.firstCompleted())
        .setFirstCompletionRate(window.firstCompletionRate())
        .setSharedDrop(score.sharedDrop())
        .build();
  }
}
