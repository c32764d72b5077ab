package dev.relay.scoring.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.scoring.topology.ScoringTopology;
import dev.relay.support.kafka.KafkaAccess;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

class ConsoleFeedTest {

  @Test
  void theBrokerHoldsTheFeedsEmptyFetchesAsLongAsScoringsAndItReadsOnlyCommittedRecords() {
    var settings = ConsoleFeed.consumerSettings(KafkaAccess.plaintext("unused:9092"));

    assertThat(settings.get(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG)).isEqualTo((int) ScoringTopology.IDLE_FETCH_WAIT.toMillis());
    assertThat(settings.get(ConsumerConfig.ISOLATION_LEVEL_CONFIG)).isEqualTo("read_committed");
    assertThat(settings).doesNotContainKey(ConsumerConfig.GROUP_ID_CONFIG);
  }
}
