package dev.relay.scoring.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.topics.Topics;
import dev.relay.support.kafka.KafkaAccess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How long scoring's threads wait in a poll that finds nothing, and the broker on their empty fetches. */
class StreamsPropertiesTest {

  @TempDir
  Path stateDir;

  @Test
  void itsThreadsWakeLessOftenThanKafkaStreamsDefaultWhenIdle() {
    StreamsConfig config = new StreamsConfig(ScoringTopology.streamsProperties(KafkaAccess.plaintext("unused:9092"),
        "relay-scoring", stateDir, Duration.ofMillis(100), Topics.defaults()));

    assertThat(config.getLong(StreamsConfig.POLL_MS_CONFIG)).isEqualTo(250L)
        .isGreaterThan(new StreamsConfig(minimal()).getLong(StreamsConfig.POLL_MS_CONFIG));
  }

  @Test
  void theBrokerHoldsItsMainAndGlobalConsumersEmptyFetchesLongerThanKafkasDefault() {
    StreamsConfig config = new StreamsConfig(ScoringTopology.streamsProperties(KafkaAccess.plaintext("unused:9092"),
        "relay-scoring", stateDir, Duration.ofMillis(100), Topics.defaults()));
    int kafkasDefault = new ConsumerConfig(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092",
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))
        .getInt(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG);

    assertThat(config.getMainConsumerConfigs("relay-scoring", "client", 0).get(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG))
        .isEqualTo(2_000);
    assertThat(config.getGlobalConsumerConfigs("client").get(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG))
        .isEqualTo(2_000);
    assertThat(2_000).isGreaterThan(kafkasDefault);
  }

  private static Map<String, Object> minimal() {
    return Map.of(StreamsConfig.APPLICATION_ID_CONFIG, "any", StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
  }
}
