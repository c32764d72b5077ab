package dev.relay.dispatcher.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.support.kafka.KafkaAccess;
import java.nio.file.Path;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dispatcher's consumers keep Kafka's fetch wait, unlike scoring's: a partition left out of a held
 * fetch waits for it, and what they read must arrive at once (starts, checks, results, receipts; request
 * blocks and blocked prefixes in the global tables: a block that arrived seconds late let a flood's starts
 * through in a CI run, docs/performance.md).
 */
class StreamsPropertiesTest {

  @TempDir
  Path stateDir;

  @Test
  void noConsumerOfTheDispatcherLetsTheBrokerHoldAnEmptyFetchLonger() {
    try (DispatcherTestBed bed = new DispatcherTestBed(stateDir)) {
      StreamsConfig config = new StreamsConfig(
          DispatcherTopology.streamsProperties(KafkaAccess.plaintext("unused:9092"), bed.settings, bed.topics));

      assertThat(config.getMainConsumerConfigs("group", "client", 0)).doesNotContainKey(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG);
      assertThat(config.getGlobalConsumerConfigs("client")).doesNotContainKey(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG);
      assertThat(config.getRestoreConsumerConfigs("client")).doesNotContainKey(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG);
    }
  }
}
