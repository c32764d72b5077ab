package dev.relay.support.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.kafka.embedded.EmbeddedKafkaCluster;
import dev.relay.kafka.embedded.FreePorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The global consumer's long fetch wait ({@link KafkaSettings#GLOBAL_FETCH_WAIT}) only spares an idle
 * stack its empty round trips: a record written in a transaction, as Relay's Streams apps write their
 * tables, still reaches a global store at once, not when the held fetch times out.
 */
@Tag("integration")
class GlobalFetchWaitIntegrationTest {

  private static final String TOPIC = "table";
  private static final String STORE = "table-store";
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final int WRITES = 3;
  /**
   * Between two writes: less than the wait, so each write meets a fetch the broker holds. Were a held
   * fetch answered only when its wait ends, each write would take the rest of it (2.2 s here, measured
   * with the wait forced by a large {@code fetch.min.bytes}); answered at once it takes tens of milliseconds.
   */
  private static final Duration BETWEEN_WRITES = Duration.ofMillis(2_800);

  @TempDir
  Path stateDir;
  private EmbeddedKafkaCluster kafka;
  private KafkaStreams streams;

  @BeforeEach
  void start() throws Exception {
    kafka = EmbeddedKafkaCluster.builder().port(FreePorts.pick()).build();
    kafka.start();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get();
    }
    StreamsBuilder builder = new StreamsBuilder();
    builder.globalTable(TOPIC, Consumed.with(Serdes.String(), Serdes.String()),
        Materialized.<String, String>as(Stores.inMemoryKeyValueStore(STORE))
            .withKeySerde(Serdes.String()).withValueSerde(Serdes.String()));
    Properties properties = KafkaSettings.streams(KafkaAccess.plaintext(kafka.bootstrapServers()), "global-wait-app",
        stateDir, Duration.ofMillis(100), (short) 1);
    streams = new KafkaStreams(builder.build(), properties);
    streams.start();
    await().atMost(TIMEOUT).until(() -> streams.state() == KafkaStreams.State.RUNNING);
  }

  @AfterEach
  void stop() {
    if (streams != null) {
      streams.close(Duration.ofSeconds(10));
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void aCommittedRecordReachesTheGlobalStoreLongBeforeTheHeldFetchWouldEnd() throws Exception {
    Map<String, Object> producerSettings = KafkaSettings.transactionalProducer(
        KafkaAccess.plaintext(kafka.bootstrapServers()), "table-writer", "table-writer", Duration.ofSeconds(10));
    ReadOnlyKeyValueStore<String, String> store =
        streams.store(StoreQueryParameters.fromNameAndType(STORE, QueryableStoreTypes.keyValueStore()));
    Duration promptly = KafkaSettings.GLOBAL_FETCH_WAIT.dividedBy(5);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(producerSettings, new StringSerializer(), new StringSerializer())) {
      producer.initTransactions();
      for (int write = 0; write < WRITES; write++) {
        String key = "key-" + write;
        Thread.sleep(BETWEEN_WRITES.toMillis());
        long writtenAt = System.nanoTime();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(TOPIC, write % 2, key, "value"));
        producer.commitTransaction();
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(10)).until(() -> store.get(key) != null);
        Duration took = Duration.ofNanos(System.nanoTime() - writtenAt);
        assertThat(took).as("write %d reached the global store", write).isLessThan(promptly);
      }
    }
  }
}
