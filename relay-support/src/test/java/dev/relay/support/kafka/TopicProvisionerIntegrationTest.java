package dev.relay.support.kafka;

import dev.relay.support.kafka.KafkaAccess;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.kafka.embedded.EmbeddedKafkaCluster;
import dev.relay.schemas.topics.Topic;
import dev.relay.schemas.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * On three brokers, as a deployment with replication factor 3 runs: when the provisioner returns,
 * every partition it created takes a write at once, without the retry an idempotent producer could
 * lose its first batch to (NOT_LEADER_OR_FOLLOWER, then OUT_OF_ORDER_SEQUENCE_NUMBER).
 */
@Tag("integration")
class TopicProvisionerIntegrationTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static EmbeddedKafkaCluster kafka;

  @BeforeAll
  static void startBrokers() {
    kafka = EmbeddedKafkaCluster.builder().brokers(3).build();
    kafka.start();
  }

  @AfterAll
  static void stopBrokers() {
    kafka.close();
  }

  @Test
  void everyPartitionTakesAWriteWithoutRetryAsSoonAsTheTopicsAreProvisioned() throws Exception {
    List<Topic<?, ?>> topics = topics("fresh.", 3);

    TopicProvisioner.ensure(KafkaAccess.plaintext(kafka.bootstrapServers()), topics, TIMEOUT);

    // No retries: a partition not yet served by its leader fails the send instead of hiding the race.
    Map<String, Object> props = Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
        ProducerConfig.RETRIES_CONFIG, 0,
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    List<Future<RecordMetadata>> sends = new ArrayList<>();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      for (Topic<?, ?> topic : topics) {
        for (int partition = 0; partition < topic.partitions(); partition++) {
          sends.add(producer.send(new ProducerRecord<>(topic.name(), partition, "+4915112345678", "first")));
        }
      }
      for (Future<RecordMetadata> send : sends) {
        assertThat(send.get(30, TimeUnit.SECONDS).offset()).isZero();
      }
    }
    assertThat(sends).hasSize(topics.stream().mapToInt(Topic::partitions).sum());
  }

  @Test
  void runningTheProvisionerAgainOnExistingTopicsIsQuick() {
    List<Topic<?, ?>> topics = topics("again.", 3);
    TopicProvisioner.ensure(KafkaAccess.plaintext(kafka.bootstrapServers()), topics, TIMEOUT);

    long begin = System.nanoTime();
    TopicProvisioner.ensure(KafkaAccess.plaintext(kafka.bootstrapServers()), topics, TIMEOUT);

    assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void waitingForLeadersOfATopicNobodyCreatesEndsAtTheTimeoutWithTheReason() {
    long begin = System.nanoTime();

    assertThatThrownBy(() -> TopicProvisioner.awaitLeaders(KafkaAccess.plaintext(kafka.bootstrapServers()), List.of("never-created"),
        Duration.ofSeconds(2)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("never-created")
        .hasMessageContaining("not served by a leader in time");
    assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void anUnreachableBrokerEndsTheProvisioningAtTheTimeout() {
    long begin = System.nanoTime();

    assertThatThrownBy(() -> TopicProvisioner.ensure(KafkaAccess.plaintext("127.0.0.1:1"), topics("unreachable.", 1), Duration.ofSeconds(2)))
        .isInstanceOf(IllegalStateException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(15));
  }

  /** Relay's own topics under a prefix of their own, six partitions each. */
  private static List<Topic<?, ?>> topics(String prefix, int replicationFactor) {
    Map<String, String> config = Map.of(Topics.PREFIX, prefix, Topics.REPLICATION_FACTOR, Integer.toString(replicationFactor));
    return Topics.fromConfig(key -> Optional.ofNullable(config.get(key))).all();
  }
}
