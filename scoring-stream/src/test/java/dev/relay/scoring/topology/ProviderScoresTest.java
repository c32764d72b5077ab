package dev.relay.scoring.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.Channel;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.ScoreParts;
import dev.relay.schemas.WindowStats;
import dev.relay.schemas.topics.Topic;
import dev.relay.schemas.topics.Topics;
import dev.relay.scoring.model.RouteKey;
import dev.relay.scoring.model.RouteScore;
import dev.relay.scoring.model.RouteStats;
import dev.relay.scoring.model.WindowFigures;
import dev.relay.scoring.score.ScoreFormula;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every figure scoring computes lands in its field of the ProviderScore contract, and survives the topic's serde. */
class ProviderScoresTest {

  private static final Instant END = Instant.parse("2026-03-02T11:00:00Z");
  private static final Topic<String, ProviderScore> TOPIC = Topics.defaults().providerScores;

  @Test
  void theLongWindowIsFlatTheShortOneNestedAndTheScoreWithItsParts() {
    WindowFigures window = new WindowFigures(END.minusSeconds(3_600), END, 40, 30, 24, 3, 18,
        Map.of("REJECTION", 5L, "TIMEOUT", 2L), 0.75, 0.8, 0.6, 2_100L, 8_700L, 210_000, 7_000L, 11_666L, 25, 17, 0.68, 12);
    WindowFigures shortWindow = new WindowFigures(END.minusSeconds(300), END, 4, 2, 1, 1, 0,
        Map.of("FAILED_RECEIPT", 1L), 0.5, 0.5, 0.0, 3_000L, 3_100L, 0, null, null, 2, 0, 0.0, 1);
    RouteScore score = new RouteScore("twilio", "DE", "SMS", window, shortWindow,
        new ScoreFormula.Score(0.71, 0.9, 0.8, 0.65, 0.55, 0.4), END.plusSeconds(7), true, true);

    ProviderScore published = ProviderScores.of(new RouteKey("twilio", "DE", Channel.SMS), score);

    ProviderScore expected = ProviderScore.newBuilder()
        .setProvider("twilio").setCountry("DE").setChannel(Channel.SMS)
        .setWindowStart(Instant.parse("2026-03-02T10:00:00Z")).setWindowEnd(END)
        .setTried(40).setAccepted(30).setDelivered(24).setUndelivered(3).setCompleted(18).setSpentMicros(210_000)
        .setSubmissionRate(0.75).setDeliveryRate(0.8).setCompletionRate(0.6)
        .setTimeToDeliveryP50Millis(2_100L).setTimeToDeliveryP95Millis(8_700L)
        .setCostPerMessageMicros(7_000L).setCostPerSuccessMicros(11_666L)
        .setFailovers(Map.of("REJECTION", 5L, "TIMEOUT", 2L))
        .setScore(0.71)
        .setScoreParts(new ScoreParts(0.9, 0.8, 0.65, 0.55, 0.4))
        .setShortWindow(WindowStats.newBuilder()
            .setStart(Instant.parse("2026-03-02T10:55:00Z")).setEnd(END)
            .setTried(4).setAccepted(2).setDelivered(1).setUndelivered(1).setCompleted(0).setSpentMicros(0)
            .setSubmissionRate(0.5).setDeliveryRate(0.5).setCompletionRate(0.0)
            .setTimeToDeliveryP50Millis(3_000L).setTimeToDeliveryP95Millis(3_100L)
            .setCostPerMessageMicros(null).setCostPerSuccessMicros(null)
            .setFailovers(Map.of("FAILED_RECEIPT", 1L))
            .setFirstSends(2).setFirstCompleted(0).setFirstCompletionRate(0.0).setNewerHalfFirstSends(1)
            .build())
        .setUpdatedAt(Instant.parse("2026-03-02T11:00:07Z"))
        .setDemoted(true)
        .setFirstSends(25).setFirstCompleted(17).setFirstCompletionRate(0.68)
        .build();
    assertThat(published).isEqualTo(expected);
    assertThat(roundTrip(published)).isEqualTo(expected);
  }

  @Test
  void aRouteWithoutDataHasNoRatesQuantilesOrCostsButStillTheScoreOfItsPrior() {
    ScoreFormula formula = new ScoreFormula(20);
    RouteScore score = new RouteScore("vonage", "FR", "VOICE",
        WindowFigures.of(END.minusSeconds(3_600), END, RouteStats.empty(), 0),
        WindowFigures.of(END.minusSeconds(300), END, RouteStats.empty(), 0),
        formula.prior(), END, false, false);

    ProviderScore published = roundTrip(ProviderScores.of(new RouteKey("vonage", "FR", Channel.VOICE), score));

    assertThat(published.getTried()).isZero();
    assertThat(published.getSubmissionRate()).isNull();
    assertThat(published.getDeliveryRate()).isNull();
    assertThat(published.getCompletionRate()).isNull();
    assertThat(published.getTimeToDeliveryP50Millis()).isNull();
    assertThat(published.getTimeToDeliveryP95Millis()).isNull();
    assertThat(published.getCostPerMessageMicros()).isNull();
    assertThat(published.getCostPerSuccessMicros()).isNull();
    assertThat(published.getFailovers()).isEmpty();
    assertThat(published.getShortWindow().getSubmissionRate()).isNull();
    assertThat(published.getShortWindow().getFailovers()).isEmpty();
    assertThat(published.getScore()).isEqualTo(formula.prior().score());
    assertThat(published.getScoreParts().getCompletion()).isEqualTo(ScoreFormula.PRIOR_COMPLETION);
  }

  private static ProviderScore roundTrip(ProviderScore score) {
    byte[] bytes = TOPIC.valueSerde().serializer().serialize(TOPIC.name(), score);
    return TOPIC.valueSerde().deserializer().deserialize(TOPIC.name(), bytes);
  }
}
