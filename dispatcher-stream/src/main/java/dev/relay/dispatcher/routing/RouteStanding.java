package dev.relay.dispatcher.routing;

import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.serde.AvroSerde;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A route's latest score and whether it is demoted. Demotion depends on the scores seen before, not
 * only on the latest one (hysteresis), so it is state: every dispatcher instance folds the same
 * {@code provider-scores} records in the same order with {@link #next} and so holds the same set.
 */
public record RouteStanding(ProviderScore score, boolean demoted) {

  /** One flag byte, then the score in the topic's own encoding. */
  public static final Serde<RouteStanding> SERDE = new StandingSerde();

  /**
   * The standing after a new score. A route with too few samples keeps whatever standing it had: a
   * quiet demoted route stays demoted until exploration has shown its recovery on enough sends.
   */
  public static RouteStanding next(RouteStanding previous, ProviderScore score, RoutingPolicy policy) {
    boolean wasDemoted = previous != null && previous.demoted();
    if (!hasEnoughSamples(score, policy)) {
      return new RouteStanding(score, wasDemoted);
    }
    double value = score.getScore();
    boolean demoted = wasDemoted ? value < policy.promoteAbove() : value < policy.demoteBelow();
    return new RouteStanding(score, demoted);
  }

  static boolean hasEnoughSamples(ProviderScore score, RoutingPolicy policy) {
    return score != null && score.getScore() != null && score.getTried() >= policy.minSamples();
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
