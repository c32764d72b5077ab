package dev.relay.scoring.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.schemas.Channel;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.SendReason;
import dev.relay.scoring.model.EarlyReceipt;
import dev.relay.scoring.model.InputClock;
import dev.relay.scoring.model.RouteKey;
import dev.relay.scoring.model.RouteMark;
import dev.relay.scoring.model.RouteScore;
import dev.relay.scoring.model.RouteStats;
import dev.relay.scoring.model.ScoreFact;
import dev.relay.scoring.model.SentMessage;
import dev.relay.scoring.model.VerificationProgress;
import dev.relay.scoring.model.WindowFigures;
import dev.relay.scoring.score.ScoreFormula;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class ScoringSerdesTest {

  @Test
  void everyKindOfFactSurvivesTheRepartitionTopic() {
    List<ScoreFact> facts = List.of(
        new ScoreFact.Tried(true, OptionalLong.of(7_500)),
        new ScoreFact.Tried(false, OptionalLong.empty()),
        new ScoreFact.Delivery(true, OptionalLong.of(4_200)),
        new ScoreFact.Delivery(false, OptionalLong.empty()),
        new ScoreFact.Completion(),
        new ScoreFact.Failover(SendReason.FAILED_RECEIPT));

    for (ScoreFact fact : facts) {
      assertThat(roundTrip(ScoringSerdes.SCORE_FACT, fact)).isEqualTo(fact);
    }
  }

  @Test
  void routeStatsKeepEveryCountAndTheirSketch() {
    RouteStats stats = RouteStats.empty()
        .add(new ScoreFact.Tried(true, OptionalLong.of(9_000)))
        .add(new ScoreFact.Tried(false, OptionalLong.empty()))
        .add(new ScoreFact.Delivery(true, OptionalLong.of(3_000)))
        .add(new ScoreFact.Delivery(false, OptionalLong.empty()))
        .add(new ScoreFact.Completion())
        .add(new ScoreFact.Failover(SendReason.TIMEOUT))
        .add(new ScoreFact.Failover(SendReason.TIMEOUT));

    RouteStats copy = roundTrip(ScoringSerdes.ROUTE_STATS, stats);

    assertThat(copy.tried()).isEqualTo(2);
    assertThat(copy.accepted()).isEqualTo(1);
    assertThat(copy.delivered()).isEqualTo(1);
    assertThat(copy.undelivered()).isEqualTo(1);
    assertThat(copy.completed()).isEqualTo(1);
    assertThat(copy.pricedSends()).isEqualTo(1);
    assertThat(copy.spentMicros()).isEqualTo(9_000);
    assertThat(copy.failovers()).containsExactly(Map.entry(SendReason.TIMEOUT, 2L));
    assertThat(copy.timeToDelivery().count()).isEqualTo(1);
    assertThat(copy.timeToDelivery().quantile(0.5)).isEqualTo(stats.timeToDelivery().quantile(0.5));
  }

  @Test
  void storeValuesSurviveTheirChangelogs() {
    SentMessage sent = new SentMessage(new RouteKey("twilio", "DE", Channel.VOICE), 1_700_000_000_000L, true);
    EarlyReceipt early = new EarlyReceipt(DeliveryStatus.EXPIRED, 1_700_000_000_123L);
    VerificationProgress progress = new VerificationProgress(3, true, true);
    RouteMark mark = new RouteMark(42L, RouteMark.NONE, true);
    InputClock clock = new InputClock(1_700_000_000_000L, 12.5, 77, 1_699_999_000_000L, 1_699_999_060_000L);

    assertThat(roundTrip(ScoringSerdes.SENT_MESSAGE, sent)).isEqualTo(sent);
    assertThat(roundTrip(ScoringSerdes.EARLY_RECEIPT, early)).isEqualTo(early);
    assertThat(roundTrip(ScoringSerdes.VERIFICATION_PROGRESS, progress)).isEqualTo(progress);
    assertThat(roundTrip(ScoringSerdes.ROUTE_MARK, mark)).isEqualTo(mark);
    assertThat(roundTrip(ScoringSerdes.INPUT_CLOCK, clock)).isEqualTo(clock);
  }

  @Test
  void progressWrittenBeforeTheExcusedFlagReadsAsNothingExcused() {
    byte[] older = {1, 0, 0, 0, 3, 1};

    assertThat(ScoringSerdes.VERIFICATION_PROGRESS.fromBytes(older)).isEqualTo(new VerificationProgress(3, true, false));
  }

  @Test
  void anExcusedSendSurvivesTheRepartitionTopic() {
    ScoreFact excused = new ScoreFact.Excused(true, false);

    assertThat(roundTrip(ScoringSerdes.SCORE_FACT, excused)).isEqualTo(excused);
  }

  @Test
  void aRouteScoreIsJson() {
    Instant end = Instant.parse("2026-03-02T11:00:00Z");
    RouteStats stats = RouteStats.empty().add(new ScoreFact.Tried(true, OptionalLong.of(5_000)));
    RouteScore score = new RouteScore("twilio", "DE", "SMS",
        WindowFigures.of(end.minusSeconds(3_600), end, stats),
        WindowFigures.of(end.minusSeconds(300), end, RouteStats.empty()),
        new ScoreFormula(20).evaluate(RouteStats.empty(), stats), end, true, false);

    byte[] json = ScoringSerdes.ROUTE_SCORE.serializer().serialize("t", score);

    assertThat(new String(json, StandardCharsets.UTF_8))
        .contains("\"provider\":\"twilio\"", "\"submissionRate\":1.0", "\"deliveryRate\":null", "\"demoted\":true");
    // A score stored before the standing was part of it reads as not demoted.
    String older = new String(json, StandardCharsets.UTF_8).replace(",\"demoted\":true,\"explored\":false", "");
    assertThat(older).doesNotContain("demoted");
    assertThat(ScoringSerdes.ROUTE_SCORE.deserializer().deserialize("t", older.getBytes(StandardCharsets.UTF_8)).demoted()).isFalse();
    assertThat(ScoringSerdes.ROUTE_SCORE.deserializer().deserialize("t", json)).isEqualTo(score);
  }

  @Test
  void nullIsATombstoneBothWays() {
    assertThat(ScoringSerdes.ROUTE_STATS.toBytes(null)).isNull();
    assertThat(ScoringSerdes.ROUTE_STATS.fromBytes(null)).isNull();
  }

  @Test
  void anotherFormatVersionOrTrailingBytesAreRefusedByName() {
    byte[] bytes = ScoringSerdes.ROUTE_MARK.toBytes(new RouteMark(1, 2, false));
    byte[] otherVersion = bytes.clone();
    otherVersion[0] = 9;
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);

    assertThatThrownBy(() -> ScoringSerdes.ROUTE_MARK.fromBytes(otherVersion))
        .isInstanceOf(SerializationException.class).hasMessageContaining("RouteMark").hasMessageContaining("version 9");
    assertThatThrownBy(() -> ScoringSerdes.ROUTE_MARK.fromBytes(longer))
        .isInstanceOf(SerializationException.class).hasMessageContaining("trailing");
    assertThatThrownBy(() -> ScoringSerdes.SCORE_FACT.fromBytes(new byte[] {1, 99}))
        .isInstanceOf(SerializationException.class).hasMessageContaining("ScoreFact");
  }

  private static <T> T roundTrip(BinarySerde<T> serde, T value) {
    return serde.deserializer().deserialize("topic", serde.serializer().serialize("topic", value));
  }
}
