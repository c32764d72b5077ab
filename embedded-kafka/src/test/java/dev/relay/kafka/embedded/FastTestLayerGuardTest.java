package dev.relay.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The fast test layer ({@code mvn test}) starts no broker: a test class that does, added without the
 * {@code integration} tag, fails at once with the tag it lacks instead of slowing the layer down unseen.
 */
class FastTestLayerGuardTest {

  @Test
  void aBrokerStartedInTheFastLayerFailsNamingTheTag() {
    String before = System.getProperty(EmbeddedKafkaCluster.FAST_TEST_LAYER_PROPERTY);
    System.setProperty(EmbeddedKafkaCluster.FAST_TEST_LAYER_PROPERTY, "true");
    try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().build()) {
      assertThatThrownBy(kafka::start).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("@Tag(\"integration\")");
    } finally {
      if (before == null) {
        System.clearProperty(EmbeddedKafkaCluster.FAST_TEST_LAYER_PROPERTY);
      } else {
        System.setProperty(EmbeddedKafkaCluster.FAST_TEST_LAYER_PROPERTY, before);
      }
    }
  }
}
