package dev.relay.dispatcher.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.topics.Topics;
import dev.relay.support.kafka.KafkaAccess;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How long the dispatcher's threads wait in a poll that finds nothing. */
class StreamsPropertiesTest {

  @TempDir
  Path stateDir;

  @Test
  void itsThreadsWakeLessOftenThanKafkaStreamsDefaultWhenIdle() {
    try (DispatcherTestBed bed = new DispatcherTestBed(stateDir)) {
      StreamsConfig config = new StreamsConfig(DispatcherTopology.streamsProperties(KafkaAccess.plaintext("unused:9092"),
          bed.settings, Topics.defaults()));

      assertThat(config.getLong(StreamsConfig.POLL_MS_CONFIG)).isEqualTo(1000L)
          .isGreaterThan(new StreamsConfig(minimal()).getLong(StreamsConfig.POLL_MS_CONFIG));
    }
  }

  private static Map<String, Object> minimal() {
    return Map.of(StreamsConfig.APPLICATION_ID_CONFIG, "any", StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
  }
}
