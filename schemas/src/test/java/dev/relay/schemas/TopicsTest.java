package dev.relay.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.topics.Topic;
import dev.relay.schemas.topics.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TopicsTest {

  @Test
  void defaultsArePrefixedAndKeyedTopicsShareOnePartitionCount() {
    Topics topics = Topics.defaults();

    assertThat(topics.verificationRequests.name()).isEqualTo("relay.verification-requests");
    assertThat(topics.all()).extracting(Topic::partitions).containsOnly(6);
    assertThat(topics.providerScores.cleanup()).isEqualTo(Topic.Cleanup.COMPACT);
    assertThat(topics.providerScores.retention()).isNull();
    assertThat(topics.all()).extracting(Topic::name).doesNotHaveDuplicates().hasSize(18);
    assertThat(topics.requestBlocks.cleanup()).isEqualTo(Topic.Cleanup.COMPACT);
    assertThat(topics.services.name()).isEqualTo("relay.services");
    assertThat(topics.services.cleanup()).isEqualTo(Topic.Cleanup.COMPACT);
    assertThat(topics.services.retention()).isNull();
  }

  @Test
  void namesPartitionsReplicationAndRetentionComeFromConfig() {
    Map<String, String> config = Map.of(
        "relay.topics.prefix", "prod.",
        "relay.topics.partitions", "12",
        "relay.topics.replication-factor", "3",
        "relay.topics.send-commands.name", "sends",
        "relay.topics.verification-replies.retention", "15m");

    Topics topics = Topics.fromConfig(key -> Optional.ofNullable(config.get(key)));

    assertThat(topics.sendCommands.name()).isEqualTo("prod.sends");
    assertThat(topics.codeChecks.partitions()).isEqualTo(12);
    assertThat(topics.codeChecks.replicationFactor()).isEqualTo((short) 3);
    assertThat(topics.verificationReplies.retention()).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void settingsListEveryKeyTheTopicsRead() {
    assertThat(Topics.settings())
        .containsKeys("relay.topics.prefix", "relay.topics.partitions", "relay.topics.replication-factor",
            "relay.topics.code-checks.name", "relay.topics.code-checks.retention");
  }
}
