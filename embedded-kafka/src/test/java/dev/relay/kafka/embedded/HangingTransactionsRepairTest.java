package dev.relay.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.kafka.embedded.HangingTransactions.Open;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state a broker killed mid-commit leaves behind, made on purpose: a transaction committed in
 * {@code __transaction_state} (PrepareCommit, then CompleteCommit) whose marker never reached one of its
 * partitions. That partition's records stay invisible to every read_committed reader for good: the
 * coordinator has nothing left to end, and the partition has no timeout of its own. The repair ends it
 * as the coordinator decided, so the committed records become visible, not aborted.
 *
 * <p>The state is made by committing a transaction normally, stopping the broker, and cutting the
 * commit marker off the partition's log, as a kill before the marker's write reached the disk would;
 * the partition's producer-state snapshots go with it, and so does the clean-shutdown mark, so the
 * broker rebuilds the partition's transactions from the log, as after a kill.
 */
@Tag("integration")
class HangingTransactionsRepairTest {

  private static final String TOPIC = "orders";
  private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final Duration TRANSACTION_TIMEOUT = Duration.ofSeconds(5);
  /** How often the coordinator looks for transactions past their timeout (the default is 10 s). */
  private static final Duration TIMEOUT_SCAN = Duration.ofSeconds(1);
  /**
   * Twice the longest a transaction its coordinator still knew could stay open: past its timeout, until
   * the next scan. Open longer than this, nothing in Kafka is going to end it.
   */
  private static final Duration STILL_HANGING = TRANSACTION_TIMEOUT.plus(TIMEOUT_SCAN).multipliedBy(2);

  @TempDir Path dataDir;

  @Test
  void aCommitWhoseMarkerWasLostStaysInvisibleUntilTheRepairCommitsIt() throws Exception {
    try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().dataDirectory(dataDir).port(FreePorts.pick())
        .brokerProperty("transaction.abort.timed.out.transaction.cleanup.interval.ms", Long.toString(TIMEOUT_SCAN.toMillis()))
        .build()) {
      kafka.start();
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
      }
      commit(kafka.bootstrapServers(), List.of("a", "b", "c"));
      assertThat(readCommitted(kafka.bootstrapServers(), 3, TIMEOUT)).containsExactly("a", "b", "c");

      kafka.stop();
      loseTheCommitMarker(dataDir.resolve("node-0"));
      kafka.start();

      // The hang itself: found as a transaction no coordinator will end, and it does not end by waiting.
      List<Open> hanging = HangingTransactions.find(kafka.bootstrapServers(), TIMEOUT);
      assertThat(hanging).extracting(Open::partition).containsExactly(PARTITION);
      assertThat(readCommitted(kafka.bootstrapServers(), 1, STILL_HANGING))
          .as("records of a committed transaction whose marker was lost").isEmpty();
      assertThat(HangingTransactions.find(kafka.bootstrapServers(), TIMEOUT)).isEqualTo(hanging);

      assertThat(HangingTransactions.complete(kafka.bootstrapServers(), TIMEOUT)).isEqualTo(hanging);

      assertThat(readCommitted(kafka.bootstrapServers(), 3, TIMEOUT))
          .as("committed by the repair, as its coordinator decided").containsExactly("a", "b", "c");
      assertThat(HangingTransactions.find(kafka.bootstrapServers(), TIMEOUT)).isEmpty();
      assertThat(HangingTransactions.complete(kafka.bootstrapServers(), TIMEOUT)).as("nothing left to do").isEmpty();
    }
  }

  private static void commit(String bootstrap, List<String> values) {
    Map<String, Object> props = Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, "orders-writer",
        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) TRANSACTION_TIMEOUT.toMillis());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      values.forEach(value -> producer.send(new ProducerRecord<>(TOPIC, 0, null, value)));
      producer.commitTransaction();
    }
  }

  /** The values a read_committed reader sees from the start, reading until {@code expected} or {@code limit}. */
  private static List<String> readCommitted(String bootstrap, int expected, Duration limit) {
    Map<String, Object> props = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      consumer.assign(List.of(PARTITION));
      consumer.seekToBeginning(List.of(PARTITION));
      long deadline = System.nanoTime() + limit.toNanos();
      while (values.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          values.add(record.value());
        }
      }
    }
    return values;
  }

  /**
   * Cuts the partition's log just before its last batch, the commit marker, and removes what would let
   * the broker skip rebuilding the partition's producer state from the log.
   */
  private static void loseTheCommitMarker(Path logDir) throws IOException {
    Path partitionDir = logDir.resolve(TOPIC + "-0");
    Path segment;
    try (Stream<Path> files = Files.list(partitionDir)) {
      segment = files.filter(f -> f.toString().endsWith(".log")).max(Path::compareTo).orElseThrow();
    }
    try (FileRecords records = FileRecords.open(segment.toFile())) {
      FileChannelRecordBatch last = null;
      for (FileChannelRecordBatch batch : records.batches()) {
        last = batch;
      }
      assertThat(last).isNotNull();
      assertThat(last.isControlBatch()).as("the segment ends with the commit marker").isTrue();
      records.truncateTo(last.position());
    }
    try (Stream<Path> files = Files.list(partitionDir)) {
      for (Path file : files.toList()) {
        String name = file.getFileName().toString();
        if (name.endsWith(".snapshot") || name.endsWith(".index") || name.endsWith(".timeindex")
            || name.endsWith(".txnindex")) {
          Files.delete(file);
        }
      }
    }
    Files.deleteIfExists(logDir.resolve(".kafka_cleanshutdown"));
  }
}
