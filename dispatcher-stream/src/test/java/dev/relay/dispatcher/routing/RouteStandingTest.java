package dev.relay.dispatcher.routing;

import static dev.relay.dispatcher.routing.RoutePlannerTest.score;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.support.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class RouteStandingTest {

  private static final RoutingPolicy POLICY = new RoutingPolicy(0.55, 0.65, 20, 0.05);

  @Test
  void demotionHasHysteresis() {
    RouteStanding standing = RouteStanding.next(null, score("twilio", 0.70, 100), POLICY);
    assertThat(standing.demoted()).isFalse();

    standing = RouteStanding.next(standing, score("twilio", 0.56, 100), POLICY);
    assertThat(standing.demoted()).as("between the thresholds a healthy route stays").isFalse();

    standing = RouteStanding.next(standing, score("twilio", 0.54, 100), POLICY);
    assertThat(standing.demoted()).as("below demote-below").isTrue();

    standing = RouteStanding.next(standing, score("twilio", 0.64, 100), POLICY);
    assertThat(standing.demoted()).as("between the thresholds a demoted route stays demoted").isTrue();

    standing = RouteStanding.next(standing, score("twilio", 0.65, 100), POLICY);
    assertThat(standing.demoted()).as("at promote-above").isFalse();
    assertThat(standing.score().getScore()).isEqualTo(0.65);
  }

  @Test
  void tooFewSamplesNeitherDemoteNorPromote() {
    assertThat(RouteStanding.next(null, score("twilio", 0.10, 19), POLICY).demoted()).isFalse();

    RouteStanding demoted = new RouteStanding(score("twilio", 0.10, 100), true);
    assertThat(RouteStanding.next(demoted, score("twilio", 0.99, 19), POLICY).demoted()).isTrue();
    assertThat(RouteStanding.next(demoted, score("twilio", null, 100), POLICY).demoted()).isTrue();
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
  void thePolicyRefusesThresholdsThatWouldFlap() {
    assertThatThrownBy(() -> new RoutingPolicy(0.7, 0.6, 20, 0.05))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.routing.promote-above");
    assertThatThrownBy(() -> new RoutingPolicy(0.5, 0.6, 20, 1.5))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.routing.exploration-share");
    assertThatThrownBy(() -> new RoutingPolicy(0.5, 0.6, -1, 0.05))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.routing.min-samples");
  }
}
