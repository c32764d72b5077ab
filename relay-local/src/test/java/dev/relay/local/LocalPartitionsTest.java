package dev.relay.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.kafka.embedded.EmbeddedKafkaCluster;
import dev.relay.schemas.topics.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The embedded run's partition count: two for a new data directory, the existing count for an earlier one. */
@Tag("integration")
class LocalPartitionsTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static EmbeddedKafkaCluster kafka;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafkaCluster.builder().build();
    kafka.start();
  }

  @AfterAll
  static void stopKafka() {
    kafka.close();
  }

  @Test
  void aNewDataDirectoryGetsTwoAndOneMadeBeforeKeepsItsOwnCount() throws Exception {
    assertThat(LocalPartitions.of(kafka.bootstrapServers(), TIMEOUT)).isEqualTo(2);

    // As an earlier release left it: the deployment default of six.
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(Topics.defaults().verificationRequests.name(), 6, (short) 1)))
          .all().get();
    }
    assertThat(LocalPartitions.of(kafka.bootstrapServers(), TIMEOUT)).isEqualTo(6);
  }
}
