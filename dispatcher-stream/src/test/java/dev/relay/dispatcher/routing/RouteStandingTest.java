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
  void theSerdeStoresTheScoreWithItsStanding() {
    RouteStanding published = RouteStanding.of(ProviderScore.newBuilder(score("vonage", 0.42, 33)).setDemoted(true).build());
    byte[] bytes = RouteStanding.SERDE.serializer().serialize("t", published);

    assertThat(RouteStanding.SERDE.deserializer().deserialize("t", bytes)).isEqualTo(published);
    // The stored value is the provider-scores contract itself.
    assertThat(bytes[0]).isEqualTo((byte) 0xC3);
    // A flag set apart from its score is stored in the score: the store keeps one truth.
    RouteStanding apart = new RouteStanding(score("vonage", 0.42, 33), true);
    RouteStanding read = RouteStanding.SERDE.deserializer().deserialize("t", RouteStanding.SERDE.serializer().serialize("t", apart));
    assertThat(read.demoted()).isTrue();
    assertThat(read.score().getDemoted()).isTrue();
    assertThat(RouteStanding.SERDE.serializer().serialize("t", null)).isNull();
  }

  @Test
  void aStandingOfTheLayoutBeforeAvroReadsAsAbsentAndAnyOtherDamageFails() {
    byte[] score = RouteStanding.SERDE.serializer().serialize("t", RouteStanding.of(score("vonage", 0.42, 33)));
    // Until 2026-12-04: a flag byte, then the score.
    byte[] earlier = new byte[score.length + 1];
    earlier[0] = 1;
    System.arraycopy(score, 0, earlier, 1, score.length);

    assertThat(RouteStanding.SERDE.deserializer().deserialize("t", earlier)).isNull();
    assertThatThrownBy(() -> RouteStanding.SERDE.deserializer().deserialize("t", java.util.Arrays.copyOf(score, 12)))
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
