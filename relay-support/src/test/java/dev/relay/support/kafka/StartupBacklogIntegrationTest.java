package dev.relay.support.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.kafka.embedded.EmbeddedKafkaCluster;
import dev.relay.kafka.embedded.FreePorts;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** What waited for a group at its start, against a real broker: done only once the group is past it. */
@Tag("integration")
class StartupBacklogIntegrationTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static EmbeddedKafkaCluster kafka;
  private static KafkaAccess access;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafkaCluster.builder().port(FreePorts.pick()).build();
    kafka.start();
    access = KafkaAccess.plaintext(kafka.bootstrapServers());
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void aGroupThatNeverCommittedHasNoBacklog() {
    createTopic("fresh");
    produce("fresh", 0, 3);

    StartupBacklog backlog = StartupBacklog.snapshot(access, "fresh-app", TIMEOUT);

    assertThat(backlog.waiting()).isEmpty();
    assertThat(backlog.check(TIMEOUT)).isTrue();
  }

  @Test
  void theBacklogIsDoneWhenTheGroupHasCommittedPastWhatWaitedAtItsStart() {
    createTopic("requests");
    TopicPartition first = new TopicPartition("requests", 0);
    commit("app", Map.of(first, 0L, new TopicPartition("requests", 1), 0L));
    produce("requests", 0, 3);

    StartupBacklog backlog = StartupBacklog.snapshot(access, "app", TIMEOUT);
    assertThat(backlog.waiting()).isEqualTo(Map.of(first, 3L));
    assertThat(backlog.check(TIMEOUT)).isFalse();

    commit("app", Map.of(first, 2L));
    assertThat(backlog.check(TIMEOUT)).as("one record still waits").isFalse();

    // What arrives after the start is ordinary traffic, not the backlog.
    produce("requests", 0, 5);
    commit("app", Map.of(first, 3L));
    assertThat(backlog.check(TIMEOUT)).isTrue();
    assertThat(backlog.waiting()).isEmpty();
  }

  @Test
  void recordsOfAnAbortedTransactionAreNoBacklogThoughNoCommitMovesPastThem() {
    createTopic("changelog");
    TopicPartition partition = new TopicPartition("changelog", 0);
    commit("streams-app", Map.of(partition, 0L));
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, "killed-writer"), new StringSerializer(), new StringSerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>("changelog", 0, "k", "aborted-1"));
      producer.send(new ProducerRecord<>("changelog", 0, "k", "aborted-2"));
      // Written before the abort: an abort drops what the producer has not sent yet.
      producer.flush();
      producer.abortTransaction();
    }
    // The abort returns once the coordinator has decided it; the markers reach the partition after, and
    // until then the last stable offset stays before the aborted records.
    awaitLastStableOffset(partition, 3);

    StartupBacklog backlog = StartupBacklog.snapshot(access, "streams-app", TIMEOUT);
    assertThat(backlog.waiting()).as("two aborted records and their marker past the commit").containsKey(partition);

    assertThat(backlog.check(TIMEOUT)).isTrue();
  }

  private static void awaitLastStableOffset(TopicPartition partition, long offset) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      await().atMost(TIMEOUT).until(() -> admin.listOffsets(Map.of(partition, OffsetSpec.latest()),
          new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).partitionResult(partition).get().offset() >= offset);
    }
  }

  private static void createTopic(String name) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(name, 2, (short) 1))).all().get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void produce(String topic, int partition, int count) {
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < count; i++) {
        producer.send(new ProducerRecord<>(topic, partition, "k", "v" + i));
      }
      producer.flush();
    }
  }

  private static void commit(String group, Map<TopicPartition, Long> offsets) {
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, group), new StringDeserializer(), new StringDeserializer())) {
      consumer.assign(offsets.keySet());
      Map<TopicPartition, OffsetAndMetadata> committed = new java.util.HashMap<>();
      offsets.forEach((partition, offset) -> committed.put(partition, new OffsetAndMetadata(offset)));
      consumer.commitSync(committed);
    }
  }
}
