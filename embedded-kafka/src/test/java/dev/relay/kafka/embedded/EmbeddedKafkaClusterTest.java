package dev.relay.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts real brokers: one to prove exactly-once works on a single node and that its data
 * survives a restart, three to prove that acks=all writes go on while one broker is down.
 */
@Tag("integration")
class EmbeddedKafkaClusterTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String TOPIC = "embedded-kafka-test";

    @Test
    void singleBrokerRunsExactlyOnceTransactions() throws Exception {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().build()) {
            kafka.start();
            createTopic(kafka, 1, Map.of());

            try (KafkaProducer<String, String> producer = transactionalProducer(kafka)) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(TOPIC, "code", "aborted"));
                producer.abortTransaction();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(TOPIC, "code", "committed"));
                producer.commitTransaction();
            }

            // The committed record comes after the aborted one, so seeing it proves the aborted
            // one was skipped rather than not yet read.
            assertThat(readCommitted(kafka, 1)).containsExactly("code=committed");
        }
    }

    @Test
    void restartOnTheSameDataKeepsRecordsAndClusterId(@TempDir Path dataDirectory) throws Exception {
        String clusterId;
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().dataDirectory(dataDirectory).build()) {
            kafka.start();
            clusterId = kafka.clusterId();
            createTopic(kafka, 1, Map.of());
            produceCommitted(kafka, "code=kept");

            kafka.stop();
            kafka.start();

            assertThat(kafka.clusterId()).isEqualTo(clusterId);
            assertThat(describedClusterId(kafka)).isEqualTo(clusterId);
            assertThat(readCommitted(kafka, 1)).containsExactly("code=kept");
        }

        // As the local launcher does when run again: a new cluster, new ports, the same directory.
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().dataDirectory(dataDirectory).build()) {
            kafka.start();

            assertThat(describedClusterId(kafka)).isEqualTo(clusterId);
            assertThat(readCommitted(kafka, 1)).containsExactly("code=kept");
        }
        assertThat(dataDirectory.resolve("node-0")).isNotEmptyDirectory();
    }

    @Test
    void threeBrokersKeepAcceptingAcksAllWritesWithOneBrokerDown() throws Exception {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().brokers(3).build()) {
            kafka.start();
            createTopic(kafka, 3, Map.of("min.insync.replicas", "2"));

            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                    new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(TOPIC, "code", "before")).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

                // Stopping the leader, not any broker, forces a leader change under the producer.
                int leader = partition(kafka).leader().id();
                kafka.stopBroker(leader);
                producer.send(new ProducerRecord<>(TOPIC, "code", "during")).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                // Brokers learn the new ISR from the controller a moment apart, so ask until they agree.
                await().atMost(TIMEOUT).untilAsserted(() ->
                        assertThat(partition(kafka).isr()).extracting(Node::id).hasSize(2).doesNotContain(leader));

                kafka.startBroker(leader);
                await().atMost(TIMEOUT).untilAsserted(() ->
                        assertThat(partition(kafka).isr()).extracting(Node::id).containsExactlyInAnyOrder(0, 1, 2));
            }

            assertThat(readCommitted(kafka, 2)).containsExactly("code=before", "code=during");
        }
    }

    /**
     * The last node of a cluster whose other nodes are gone has no controller quorum to approve its
     * controlled shutdown: Kafka's broker would wait five minutes for it (as in repeated runs of the
     * test above, when two nodes finished stopping before the third asked). Stopping the cluster bounds
     * that wait, so it ends within the bound plus the node's own shutdown.
     */
    @Test
    void stoppingTheClusterDoesNotWaitForAControllerQuorumThatIsGone() {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().brokers(3).build()) {
            kafka.start();
            kafka.stopBroker(0);
            kafka.stopBroker(1);

            long begin = System.nanoTime();
            kafka.stop();

            // Far below Kafka's own five minutes, far above the bound plus a shutdown on a busy machine.
            assertThat(Duration.ofNanos(System.nanoTime() - begin))
                    .isLessThan(EmbeddedKafkaCluster.WHOLE_CLUSTER_LEADERSHIP_MOVE.plusSeconds(90));
        }
    }

    private static void createTopic(EmbeddedKafkaCluster kafka, int replicationFactor, Map<String, String> configs)
            throws Exception {
        try (Admin admin = admin(kafka)) {
            NewTopic topic = new NewTopic(TOPIC, 1, (short) replicationFactor).configs(configs);
            admin.createTopics(List.of(topic)).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private static TopicPartitionInfo partition(EmbeddedKafkaCluster kafka) throws Exception {
        try (Admin admin = admin(kafka)) {
            TopicDescription description = admin.describeTopics(List.of(TOPIC)).allTopicNames()
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).get(TOPIC);
            return description.partitions().get(0);
        }
    }

    private static String describedClusterId(EmbeddedKafkaCluster kafka) throws Exception {
        try (Admin admin = admin(kafka)) {
            return admin.describeCluster().clusterId().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private static Admin admin(EmbeddedKafkaCluster kafka) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    private static KafkaProducer<String, String> transactionalProducer(EmbeddedKafkaCluster kafka) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "embedded-kafka-test-tx"),
                new StringSerializer(), new StringSerializer());
    }

    private static void produceCommitted(EmbeddedKafkaCluster kafka, String keyValue) {
        String[] parts = keyValue.split("=", 2);
        try (KafkaProducer<String, String> producer = transactionalProducer(kafka)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(TOPIC, parts[0], parts[1]));
            producer.commitTransaction();
        }
    }

    /** Reads the topic from the start as a consumer group, until {@code expected} records came. */
    private static List<String> readCommitted(EmbeddedKafkaCluster kafka, int expected) {
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "embedded-kafka-test-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            await().atMost(TIMEOUT).pollInSameThread().until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(record.key() + "=" + record.value());
                }
                return seen.size() >= expected;
            });
        }
        return seen;
    }
}
