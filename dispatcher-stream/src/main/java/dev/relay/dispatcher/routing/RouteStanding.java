package dev.relay.dispatcher.routing;

import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.serde.AvroSerde;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A route's latest score and whether it is demoted. Demotion (with its hysteresis) is decided by
 * scoring-stream and published in the score itself ({@code ProviderScore.demoted}), so every
 * dispatcher instance, the status page, dashboards and analytics read the same standing, and a
 * dispatcher rebuilding its store from the compacted topic gets it back from the latest record alone.
 */
public record RouteStanding(ProviderScore score, boolean demoted) {

  /** One flag byte, then the score in the topic's own encoding. */
  public static final Serde<RouteStanding> SERDE = new StandingSerde();

  /** The standing a published score carries. */
  public static RouteStanding of(ProviderScore score) {
    return new RouteStanding(score, score.getDemoted());
  }

  private static final class StandingSerde implements Serde<RouteStanding> {

    private final Serde<ProviderScore> scores = AvroSerde.of(ProviderScore.class);

    @Override
    public Serializer<RouteStanding> serializer() {
      return (topic, standing) -> {
        if (standing == null) {
          return null;
        }
        byte[] score = scores.serializer().serialize(topic, standing.score());
        byte[] bytes = new byte[1 + score.length];
        bytes[0] = (byte) (standing.demoted() ? 1 : 0);
        System.arraycopy(score, 0, bytes, 1, score.length);
        return bytes;
      };
    }

    @Override
    public Deserializer<RouteStanding> deserializer() {
      return (topic, bytes) -> {
        if (bytes == null) {
          return null;
        }
        if (bytes.length < 2 || bytes[0] > 1 || bytes[0] < 0) {
          throw new SerializationException("not a route standing (" + bytes.length + " bytes)");
        }
        return new RouteStanding(scores.deserializer().deserialize(topic, Arrays.copyOfRange(bytes, 1, bytes.length)),
            bytes[0] == 1);
      };
    }
  }
}
