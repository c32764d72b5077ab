package dev.relay.dispatcher.routing;

import dev.relay.support.kafka.KafkaAccess;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.relay.kafka.embedded.EmbeddedKafkaCluster;
import dev.relay.schemas.RoutingTableVersion;
import dev.relay.schemas.topics.Topic;
import dev.relay.schemas.topics.Topics;
import dev.relay.support.config.ConfigException;
import dev.relay.support.kafka.KafkaSettings;
import dev.relay.support.kafka.TopicProvisioner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The publisher against a real broker: what it writes, when it writes nothing, and what start-up leaves alone. */
@Tag("integration")
class RoutingTablePublisherIntegrationTest {

  private static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");
  private static EmbeddedKafkaCluster kafka;

  @TempDir
  Path dir;

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
  void startUpPublishesOnlyTheFirstTableAndThePublisherAlwaysANewerOne() throws Exception {
    Topics topics = topics("p1.");
    Path file = dir.resolve("routes.json");
    Files.writeString(file, RoutingTableFileTest.TABLE);

    assertThat(publisher(topics, T0).publishIfNoneYet(file, "dispatcher:a")).isTrue();
    assertThat(publisher(topics, T0.plusSeconds(1)).publishIfNoneYet(file, "dispatcher:b")).isFalse();
    RoutingTableVersion published = publisher(topics, T0.plusSeconds(2)).publish(file, "cli:ops");

    List<RoutingTableVersion> versions = read(topics, 2);
    assertThat(versions).extracting(RoutingTableVersion::getVersion, RoutingTableVersion::getPublishedBy)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(T0.toEpochMilli(), "dispatcher:a"),
            org.assertj.core.groups.Tuple.tuple(T0.plusSeconds(2).toEpochMilli(), "cli:ops"));
    assertThat(versions.get(1)).isEqualTo(published);
  }

  @Test
  void anInvalidTableIsNotPublished() throws Exception {
    Topics topics = topics("p2.");
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "{\"countries\": {\"DE\": {\"sms\": [{\"provider\": \"twilio\"}]}}}");

    assertThatThrownBy(() -> publisher(topics, T0).publish(file, "cli:ops"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("bad.json").hasMessageContaining("default entry");
    assertThatThrownBy(() -> publisher(topics, T0).publishIfNoneYet(file, "dispatcher:a"))
        .isInstanceOf(ConfigException.class);

    Files.writeString(file, RoutingTableFileTest.TABLE);
    assertThat(publisher(topics, T0).publishIfNoneYet(file, "dispatcher:a")).as("still nothing published").isTrue();
  }

  private static Topics topics(String prefix) {
    Topics topics = Topics.fromConfig(key -> key.equals(Topics.PREFIX) ? java.util.Optional.of(prefix)
        : java.util.Optional.empty());
    TopicProvisioner.ensure(KafkaAccess.plaintext(kafka.bootstrapServers()), List.<Topic<?, ?>>of(topics.routingTable), Duration.ofSeconds(30));
    return topics;
  }

  private static RoutingTablePublisher publisher(Topics topics, Instant at) {
    return new RoutingTablePublisher(KafkaAccess.plaintext(kafka.bootstrapServers()), topics, Clock.fixed(at, ZoneOffset.UTC));
  }

  private static List<RoutingTableVersion> read(Topics topics, int expected) {
    String topic = topics.routingTable.name();
    List<RoutingTableVersion> versions = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
        KafkaSettings.committedConsumer(KafkaAccess.plaintext(kafka.bootstrapServers()), null, "test-reader"), new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(info -> new TopicPartition(topic, info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          assertThat(new String(record.key(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(Topics.ROUTING_TABLE_KEY);
          versions.add(topics.routingTable.valueSerde().deserializer().deserialize(topic, record.value()));
        }
        return versions.size() >= expected;
      });
      // Nothing beyond what was expected.
      assertThat(consumer.poll(Duration.ofMillis(500))).isEmpty();
    }
    return versions;
  }
}
