package dev.relay.scoring.serde;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.SendReason;
import dev.relay.schemas.serde.StateSerde;
import dev.relay.scoring.model.RouteMark;
import dev.relay.scoring.model.RouteScore;
import dev.relay.scoring.model.RouteStats;
import dev.relay.scoring.model.ScoreFact;
import dev.relay.scoring.model.WindowFigures;
import dev.relay.scoring.score.ScoreFormula;
import dev.relay.support.http.Json;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Each of scoring's stored types survives its Avro contract, and a value of the hand-written layouts
 * before it (still in a changelog after an upgrade) reads as absent.
 */
class ScoringSerdesTest {

  private static final Instant END = Instant.parse("2026-03-02T11:00:00Z");

  @Test
  void aPaneKeepsEveryCountItsFailoversAndItsSketch() {
    RouteStats pane = RouteStats.empty()
        .add(new ScoreFact.Tried(true, OptionalLong.of(9_000)))
        .add(new ScoreFact.Tried(true, OptionalLong.empty(), false))
        .add(new ScoreFact.Tried(false, OptionalLong.empty()))
        .add(new ScoreFact.Delivery(true, OptionalLong.of(3_000)))
        .add(new ScoreFact.Delivery(true, OptionalLong.of(0)))
        .add(new ScoreFact.Delivery(false, OptionalLong.empty()))
        .add(new ScoreFact.Completion())
        .add(new ScoreFact.Completion(false))
        .add(new ScoreFact.Failover(SendReason.TIMEOUT))
        .add(new ScoreFact.Failover(SendReason.TIMEOUT))
        .add(new ScoreFact.Failover(SendReason.REJECTION));

    assertSameStats(roundTrip(ScoringSerdes.ROUTE_STATS, pane), pane);
  }

  @Test
  void anEmptyPaneAndAPaneOfManyDeliveriesSurvive() {
    RouteStats busy = RouteStats.empty();
    Random random = new Random(5);
    for (int i = 0; i < 20_000; i++) {
      busy.add(new ScoreFact.Delivery(true, OptionalLong.of(i % 500 == 0 ? 0 : Math.round(Math.exp(7.5 + 2 * random.nextGaussian())))));
    }
    busy.add(new ScoreFact.Delivery(true, OptionalLong.of(86_400_000L)));

    RouteStats empty = roundTrip(ScoringSerdes.ROUTE_STATS, RouteStats.empty());
    assertSameStats(empty, RouteStats.empty());
    assertThat(empty.failovers()).isEmpty();
    assertThat(empty.timeToDelivery().quantile(0.5)).isEmpty();
    assertSameStats(roundTrip(ScoringSerdes.ROUTE_STATS, busy), busy);
    assertThat(ScoringSerdes.ROUTE_STATS.toBytes(busy).length).as("bins, not samples").isLessThan(4_000);
  }

  @Test
  void storeValuesSurviveTheirChangelogs() {
    // NONE, the model's "not yet", is null in the contract and must come back as NONE.
    List<RouteMark> marks = List.of(new RouteMark(42L, RouteMark.NONE, true),
        new RouteMark(1_700_000_000_000L, 1_700_000_060_000L, false));

    marks.forEach(value -> assertThat(roundTrip(ScoringSerdes.ROUTE_MARK, value)).isEqualTo(value));
  }

  @Test
  void aRouteScoreSurvivesWithAndWithoutItsOptionalParts() {
    RouteStats stats = RouteStats.empty()
        .add(new ScoreFact.Tried(true, OptionalLong.of(5_000)))
        .add(new ScoreFact.Delivery(true, OptionalLong.of(2_500)))
        .add(new ScoreFact.Failover(SendReason.TIMEOUT))
        .add(new ScoreFact.Failover(SendReason.REJECTION))
        .add(new ScoreFact.Failover(SendReason.FAILED_RECEIPT));
    RouteScore plain = score(stats).withStanding(false);
    RouteScore everything = score(stats).withStanding(true, "COUNTRY").settlingUntil(END.plusSeconds(600));
    RouteScore noShortWindow = new RouteScore("twilio", "DE", "SMS", figures(3_600, stats), null,
        new ScoreFormula(20).evaluate(RouteStats.empty(), stats), END, false, false);

    assertThat(roundTrip(ScoringSerdes.ROUTE_SCORE, plain)).isEqualTo(plain);
    assertThat(roundTrip(ScoringSerdes.ROUTE_SCORE, everything)).isEqualTo(everything);
    assertThat(roundTrip(ScoringSerdes.ROUTE_SCORE, noShortWindow)).isEqualTo(noShortWindow);
    // GET /scores lists them as computed, in the order of SendReason.
    assertThat(roundTrip(ScoringSerdes.ROUTE_SCORE, plain).window().failovers().keySet())
        .containsExactly("REJECTION", "TIMEOUT", "FAILED_RECEIPT");
  }

  @Test
  void everyValueIsAvroSingleObjectEncoded() {
    List<byte[]> values = List.of(
        ScoringSerdes.ROUTE_STATS.toBytes(RouteStats.empty()),
        ScoringSerdes.ROUTE_MARK.toBytes(new RouteMark(1L, RouteMark.NONE, false)),
        ScoringSerdes.ROUTE_SCORE.toBytes(score(RouteStats.empty())));

    for (byte[] value : values) {
      assertThat(value).startsWith((byte) 0xC3, (byte) 0x01);
    }
  }

  @Test
  void aValueOfTheLayoutsBeforeAvroReadsAsAbsent() throws IOException {
    assertThat(ScoringSerdes.ROUTE_STATS.fromBytes(earlierLayout(out -> {
      for (int count = 0; count < 7; count++) {
        out.writeLong(count);
      }
      out.writeInt(0); // failover reasons
      out.writeInt(0); // sketch bytes
      out.writeLong(1);
      out.writeLong(1);
    }))).isNull();
    assertThat(ScoringSerdes.ROUTE_MARK.fromBytes(earlierLayout(out -> {
      out.writeLong(42);
      out.writeLong(Long.MIN_VALUE);
      out.writeBoolean(true);
    }))).isNull();
    // The score store held the JSON GET /scores serves.
    assertThat(ScoringSerdes.ROUTE_SCORE.fromBytes(Json.MAPPER.writeValueAsBytes(score(RouteStats.empty())))).isNull();
  }

  @Test
  void nullIsATombstoneBothWays() {
    assertThat(ScoringSerdes.ROUTE_STATS.toBytes(null)).isNull();
    assertThat(ScoringSerdes.ROUTE_STATS.fromBytes(null)).isNull();
  }

  private static RouteScore score(RouteStats stats) {
    return new RouteScore("twilio", "DE", "SMS", figures(3_600, stats), figures(300, RouteStats.empty()),
        new ScoreFormula(20).evaluate(RouteStats.empty(), stats), END, false, false);
  }

  private static WindowFigures figures(long seconds, RouteStats stats) {
    return WindowFigures.of(END.minusSeconds(seconds), END, stats, stats.firstSends() / 2);
  }

  private static void assertSameStats(RouteStats copy, RouteStats original) {
    assertThat(List.of(copy.tried(), copy.accepted(), copy.delivered(), copy.undelivered(), copy.completed(),
        copy.firstSends(), copy.firstCompleted(), copy.pricedSends(), copy.spentMicros()))
        .isEqualTo(List.of(original.tried(), original.accepted(), original.delivered(), original.undelivered(),
            original.completed(), original.firstSends(), original.firstCompleted(), original.pricedSends(),
            original.spentMicros()));
    assertThat(copy.failovers()).isEqualTo(original.failovers());
    assertThat(copy.timeToDelivery().count()).isEqualTo(original.timeToDelivery().count());
    for (double q : new double[] {0, 0.01, 0.5, 0.95, 0.99, 1}) {
      assertThat(copy.timeToDelivery().quantile(q)).as("p%s", q * 100).isEqualTo(original.timeToDelivery().quantile(q));
    }
  }

  private static <T> T roundTrip(StateSerde<T, ?> serde, T value) {
    return serde.deserializer().deserialize("topic", serde.serializer().serialize("topic", value));
  }

  /** The fields as the earlier release's serde wrote them, after its format version byte, 1. */
  private static byte[] earlierLayout(Fields fields) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(1);
      fields.write(out);
    }
    return bytes.toByteArray();
  }

  @FunctionalInterface
  private interface Fields {
    void write(DataOutputStream out) throws IOException;
  }
}
