package dev.relay.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member that died without leaving its group, reloaded by a restarted node with its group: without
 * the removal, its successor gets no partitions until the dead member's session has run out.
 */
@Tag("integration")
class DeadGroupMembersTest {

  private static final String TOPIC = "requests";
  private static final String GROUP = "workers";
  /** Long enough that a successor waiting it out cannot pass for one that did not. */
  private static final Duration DEAD_MEMBERS_SESSION = Duration.ofSeconds(60);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path dataDir;

  @Test
  void aSuccessorGetsItsPartitionsWithoutWaitingOutTheDeadMembersSession() {
    try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().dataDirectory(dataDir).port(FreePorts.pick()).build()) {
      kafka.start();
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      KafkaConsumer<byte[], byte[]> dead = consumer(kafka.bootstrapServers());
      dead.subscribe(List.of(TOPIC));
      await().atMost(TIMEOUT).until(() -> {
        dead.poll(Duration.ofMillis(100));
        return dead.assignment().size() == 2;
      });
      // As a kill leaves it: no LeaveGroup, then the node itself goes down and comes back.
      dead.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP));
      kafka.stop();
      kafka.start();

      assertThat(DeadGroupMembers.removeAll(kafka.bootstrapServers(), TIMEOUT)).containsExactly(GROUP);
      assertThat(DeadGroupMembers.removeAll(kafka.bootstrapServers(), TIMEOUT)).as("nothing left to remove").isEmpty();

      try (KafkaConsumer<byte[], byte[]> successor = consumer(kafka.bootstrapServers())) {
        successor.subscribe(List.of(TOPIC));
        await().atMost(DEAD_MEMBERS_SESSION.dividedBy(2)).until(() -> {
          successor.poll(Duration.ofMillis(100));
          return successor.assignment().size() == 2;
        });
      }
    }
  }

  private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
    return new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.GROUP_ID_CONFIG, GROUP,
        ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) DEAD_MEMBERS_SESSION.toMillis(),
        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000),
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
