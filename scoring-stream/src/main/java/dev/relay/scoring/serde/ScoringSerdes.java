package dev.relay.scoring.serde;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.schemas.Channel;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.SendReason;
import dev.relay.scoring.model.EarlyReceipt;
import dev.relay.scoring.model.InputClock;
import dev.relay.scoring.model.LatencySketch;
import dev.relay.scoring.model.RouteKey;
import dev.relay.scoring.model.RouteMark;
import dev.relay.scoring.model.RouteScore;
import dev.relay.scoring.model.RouteStats;
import dev.relay.scoring.model.ScoreFact;
import dev.relay.scoring.model.SentMessage;
import dev.relay.scoring.model.VerificationProgress;
import dev.relay.support.http.Json;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.EnumMap;
import java.util.OptionalLong;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The serdes of scoring's internal data: facts on the repartition topic and the values of its
 * stores. Enums are written by name, not ordinal, so a symbol added to a schema cannot shift them.
 * Fields added since a format's first release are appended at its end and read only when present,
 * so values written before (in a changelog or on the repartition topic) read with their old meaning:
 * a try or completion without its first-send flag was a first send, stats without first-send
 * counts have none, progress without its excused flag excused nothing. A fact kind added later
 * (EXCUSED) is unknown to an older instance: upgrade every scoring instance before the new one runs.
 */
public final class ScoringSerdes {

  private static final byte TRIED = 1;
  private static final byte DELIVERY = 2;
  private static final byte COMPLETION = 3;
  private static final byte FAILOVER = 4;
  private static final byte EXCUSED = 5;

  public static final BinarySerde<ScoreFact> SCORE_FACT =
      new BinarySerde<>("ScoreFact", 1, ScoringSerdes::writeFact, ScoringSerdes::readFact);

  public static final BinarySerde<RouteStats> ROUTE_STATS =
      new BinarySerde<>("RouteStats", 1, ScoringSerdes::writeStats, ScoringSerdes::readStats);

  public static final BinarySerde<SentMessage> SENT_MESSAGE = new BinarySerde<>("SentMessage", 1,
      (out, sent) -> {
        writeRoute(out, sent.route());
        out.writeLong(sent.startedAt());
        out.writeBoolean(sent.settled());
      },
      in -> new SentMessage(readRoute(in), in.readLong(), in.readBoolean()));

  public static final BinarySerde<EarlyReceipt> EARLY_RECEIPT = new BinarySerde<>("EarlyReceipt", 1,
      (out, receipt) -> {
        out.writeUTF(receipt.status().name());
        out.writeLong(receipt.occurredAt());
      },
      in -> new EarlyReceipt(DeliveryStatus.valueOf(in.readUTF()), in.readLong()));

  public static final BinarySerde<VerificationProgress> VERIFICATION_PROGRESS =
      new BinarySerde<>("VerificationProgress", 1,
          (out, progress) -> {
            out.writeInt(progress.countedAttempts());
            out.writeBoolean(progress.finished());
            out.writeBoolean(progress.firstSendExcused());
          },
          in -> new VerificationProgress(in.readInt(), in.readBoolean(), in.available() > 0 && in.readBoolean()));

  public static final BinarySerde<InputClock> INPUT_CLOCK = new BinarySerde<>("InputClock", 1,
      (out, clock) -> {
        out.writeLong(clock.lastInputAt());
        out.writeDouble(clock.meanGapMillis());
        out.writeLong(clock.observed());
        out.writeLong(clock.outageStart());
        out.writeLong(clock.outageEnd());
      },
      in -> new InputClock(in.readLong(), in.readDouble(), in.readLong(), in.readLong(), in.readLong()));

  // Version 1 named the middle field "published window end"; a published window was open until the
  // next one replaced it, so values written then read correctly as the open window.
  public static final BinarySerde<RouteMark> ROUTE_MARK = new BinarySerde<>("RouteMark", 1,
      (out, mark) -> {
        out.writeLong(mark.lastFactAt());
        out.writeLong(mark.openWindowEnd());
        out.writeBoolean(mark.dirty());
      },
      in -> new RouteMark(in.readLong(), in.readLong(), in.readBoolean()));

  /** JSON, the same document {@code GET /scores} serves. */
  /** A score stored before the route's standing was part of it reads as not demoted, not as an error. */
  private static final ObjectMapper ROUTE_SCORE_READER = Json.MAPPER.copy()
      .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, false);

  public static final Serde<RouteScore> ROUTE_SCORE = Serdes.serdeFrom(
      (Serializer<RouteScore>) (topic, score) -> {
        try {
          return score == null ? null : Json.MAPPER.writeValueAsBytes(score);
        } catch (JsonProcessingException e) {
          throw new SerializationException("cannot encode RouteScore: " + e.getClass().getSimpleName(), e);
        }
      },
      (Deserializer<RouteScore>) (topic, bytes) -> {
        try {
          return bytes == null ? null : ROUTE_SCORE_READER.readValue(bytes, RouteScore.class);
        } catch (IOException e) {
          throw new SerializationException("cannot decode RouteScore: " + e.getClass().getSimpleName(), e);
        }
      });

  private ScoringSerdes() {}

  private static void writeFact(DataOutputStream out, ScoreFact fact) throws IOException {
    if (fact instanceof ScoreFact.Tried tried) {
      out.writeByte(TRIED);
      out.writeBoolean(tried.accepted());
      writeOptional(out, tried.priceMicros());
      out.writeBoolean(tried.firstSend());
    } else if (fact instanceof ScoreFact.Delivery delivery) {
      out.writeByte(DELIVERY);
      out.writeBoolean(delivery.delivered());
      writeOptional(out, delivery.millisToDelivery());
    } else if (fact instanceof ScoreFact.Completion completion) {
      out.writeByte(COMPLETION);
      out.writeBoolean(completion.firstSend());
    } else if (fact instanceof ScoreFact.Excused excused) {
      out.writeByte(EXCUSED);
      out.writeBoolean(excused.firstSend());
      out.writeBoolean(excused.receiptPending());
    } else {
      out.writeByte(FAILOVER);
      out.writeUTF(((ScoreFact.Failover) fact).reason().name());
    }
  }

  private static ScoreFact readFact(DataInputStream in) throws IOException {
    byte tag = in.readByte();
    return switch (tag) {
      case TRIED -> new ScoreFact.Tried(in.readBoolean(), readOptional(in), in.available() == 0 || in.readBoolean());
      case DELIVERY -> new ScoreFact.Delivery(in.readBoolean(), readOptional(in));
      case COMPLETION -> new ScoreFact.Completion(in.available() == 0 || in.readBoolean());
      case FAILOVER -> new ScoreFact.Failover(SendReason.valueOf(in.readUTF()));
      case EXCUSED -> new ScoreFact.Excused(in.readBoolean(), in.readBoolean());
      default -> throw new IOException("unknown fact tag " + tag);
    };
  }

  private static void writeStats(DataOutputStream out, RouteStats stats) throws IOException {
    out.writeLong(stats.tried());
    out.writeLong(stats.accepted());
    out.writeLong(stats.delivered());
    out.writeLong(stats.undelivered());
    out.writeLong(stats.completed());
    out.writeLong(stats.pricedSends());
    out.writeLong(stats.spentMicros());
    out.writeInt(stats.failovers().size());
    for (var entry : stats.failovers().entrySet()) {
      out.writeUTF(entry.getKey().name());
      out.writeLong(entry.getValue());
    }
    byte[] sketch = stats.timeToDelivery().toBytes();
    out.writeInt(sketch.length);
    out.write(sketch);
    out.writeLong(stats.firstSends());
    out.writeLong(stats.firstCompleted());
  }

  private static RouteStats readStats(DataInputStream in) throws IOException {
    long tried = in.readLong();
    long accepted = in.readLong();
    long delivered = in.readLong();
    long undelivered = in.readLong();
    long completed = in.readLong();
    long pricedSends = in.readLong();
    long spentMicros = in.readLong();
    int reasons = in.readInt();
    EnumMap<SendReason, Long> failovers = new EnumMap<>(SendReason.class);
    for (int i = 0; i < reasons; i++) {
      failovers.put(SendReason.valueOf(in.readUTF()), in.readLong());
    }
    byte[] sketch = new byte[in.readInt()];
    in.readFully(sketch);
    RouteStats stats = RouteStats.of(tried, accepted, delivered, undelivered, completed, pricedSends, spentMicros,
        failovers, LatencySketch.fromBytes(sketch));
    return in.available() == 0 ? stats : stats.withFirstSends(in.readLong(), in.readLong());
  }

  private static void writeRoute(DataOutputStream out, RouteKey route) throws IOException {
    out.writeUTF(route.provider());
    out.writeUTF(route.country());
    out.writeUTF(route.channel().name());
  }

  private static RouteKey readRoute(DataInputStream in) throws IOException {
    return new RouteKey(in.readUTF(), in.readUTF(), Channel.valueOf(in.readUTF()));
  }

  private static void writeOptional(DataOutputStream out, OptionalLong value) throws IOException {
    out.writeBoolean(value.isPresent());
    if (value.isPresent()) {
      out.writeLong(value.getAsLong());
    }
  }

  private static OptionalLong readOptional(DataInputStream in) throws IOException {
    return in.readBoolean() ? OptionalLong.of(in.readLong()) : OptionalLong.empty();
  }
}
