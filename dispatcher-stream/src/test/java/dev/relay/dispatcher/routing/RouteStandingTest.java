package dev.relay.dispatcher.routing;

import static dev.relay.dispatcher.routing.RoutePlannerTest.score;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.schemas.ProviderScore;
import dev.relay.support.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class RouteStandingTest {

  @Test
  void theStandingIsTheOneScoringPublished() {
    // Scoring-stream owns demotion and its hysteresis: a low score it did not mark demoted is not
    // demoted here, and a middling score it still marks demoted stays demoted.
    assertThat(RouteStanding.of(score("twilio", 0.10, 100)).demoted()).isFalse();
    ProviderScore held = ProviderScore.newBuilder(score("twilio", 0.60, 100)).setDemoted(true).build();
    RouteStanding standing = RouteStanding.of(held);
    assertThat(standing.demoted()).isTrue();
    assertThat(standing.score()).isEqualTo(held);
  }

  @Test
  void theSerdeKeepsTheFlagAndTheScore() {
    RouteStanding standing = new RouteStanding(score("vonage", 0.42, 33), true);
    byte[] bytes = RouteStanding.SERDE.serializer().serialize("t", standing);

    assertThat(RouteStanding.SERDE.deserializer().deserialize("t", bytes)).isEqualTo(standing);
    assertThat(RouteStanding.SERDE.serializer().serialize("t", null)).isNull();
    assertThatThrownBy(() -> RouteStanding.SERDE.deserializer().deserialize("t", new byte[] {7, 1, 2}))
        .isInstanceOf(SerializationException.class);
  }

  @Test
  void thePolicyRefusesBadValues() {
    assertThatThrownBy(() -> new RoutingPolicy(20, 1.5, 0.05))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.routing.exploration-share");
    assertThatThrownBy(() -> new RoutingPolicy(-1, 0.05, 0.05))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.routing.min-samples");
  }
}
