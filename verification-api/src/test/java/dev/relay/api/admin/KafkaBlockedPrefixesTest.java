package dev.relay.api.admin;

import dev.relay.support.kafka.KafkaAccess;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.api.FakeBlockedPrefixes;
import dev.relay.kafka.embedded.EmbeddedKafkaCluster;
import dev.relay.schemas.PrefixBlock;
import dev.relay.schemas.PrefixBlockState;
import dev.relay.schemas.topics.Topic;
import dev.relay.schemas.topics.Topics;
import dev.relay.support.kafka.KafkaSettings;
import dev.relay.support.kafka.TopicProvisioner;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The admin view of blocked-prefixes on a real broker: the latest record per prefix decides, a release is durable. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("integration")
class KafkaBlockedPrefixesTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
  private final Topic<String, PrefixBlock> topic = Topics.fromConfig(key -> Optional.ofNullable(
      Map.of("relay.topics.partitions", "3").get(key))).blockedPrefixes;
  private EmbeddedKafkaCluster kafka;
  private KafkaBlockedPrefixes blocks;

  @BeforeAll
  void start() {
    kafka = EmbeddedKafkaCluster.builder().build();
    kafka.start();
    TopicProvisioner.ensure(KafkaAccess.plaintext(kafka.bootstrapServers()), List.of(topic), Duration.ofSeconds(30));
    blocks = new KafkaBlockedPrefixes(KafkaAccess.plaintext(kafka.bootstrapServers()), topic, TIMEOUT);
    PrefixBlock released = PrefixBlock.newBuilder(FakeBlockedPrefixes.block("44770", now, now.plusSeconds(3600)))
        .setState(PrefixBlockState.RELEASED).setReleasedAt(now).setReleasedBy("ops").build();
    produce("49151", FakeBlockedPrefixes.block("49151", now.minusSeconds(60), now.plusSeconds(3600)));
    produce("23480", FakeBlockedPrefixes.block("23480", now.minusSeconds(7200), now.minusSeconds(60)));
    produce("44770", FakeBlockedPrefixes.block("44770", now.minusSeconds(60), now.plusSeconds(3600)));
    produce("44770", released);
    produce("33612", FakeBlockedPrefixes.block("33612", now.minusSeconds(60), now.plusSeconds(3600)));
    produce("33612", null);
    produce("52155", FakeBlockedPrefixes.block("52155", now.minusSeconds(60), now.plusSeconds(3600)));
  }

  @AfterAll
  void stop() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void listsOnlyPrefixesWhoseLatestRecordBlocksThemNowAndReleasesOneDurably() {
    assertThat(blocks.blocked(now)).extracting(PrefixBlock::getPrefix).containsExactly("49151", "52155");

    Optional<PrefixBlock> released = blocks.release("52155", "ops", now);

    assertThat(released).hasValueSatisfying(block -> {
      assertThat(block.getState()).isEqualTo(PrefixBlockState.RELEASED);
      assertThat(block.getReleasedAt()).isEqualTo(now);
      assertThat(block.getReleasedBy()).isEqualTo("ops");
      assertThat(block.getBlockedAt()).isEqualTo(now.minusSeconds(60));
    });
    // Read back from the topic by a fresh reader: the release is what is stored now.
    assertThat(new KafkaBlockedPrefixes(KafkaAccess.plaintext(kafka.bootstrapServers()), topic, TIMEOUT).blocked(now))
        .extracting(PrefixBlock::getPrefix).containsExactly("49151");
    // Lapsed, released, deleted or never blocked: nothing to release, nothing written.
    for (String prefix : List.of("23480", "44770", "33612", "99999", "52155")) {
      assertThat(blocks.release(prefix, "ops", now)).as(prefix).isEmpty();
    }
  }

  @Test
  void aBrokerOutOfReachIsAnErrorInBoundedTime() {
    KafkaBlockedPrefixes unreachable = new KafkaBlockedPrefixes(KafkaAccess.plaintext("127.0.0.1:1"), topic, Duration.ofSeconds(1));

    long started = System.nanoTime();
    assertThatThrownBy(() -> unreachable.blocked(now)).isInstanceOf(BlocksUnavailableException.class);
    assertThatThrownBy(() -> unreachable.release("49151", "ops", now)).isInstanceOf(BlocksUnavailableException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
  }

  private void produce(String prefix, PrefixBlock block) {
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
        KafkaSettings.durableProducer(KafkaAccess.plaintext(kafka.bootstrapServers()), "test-blocks"), new StringSerializer(), new ByteArraySerializer())) {
      byte[] value = block == null ? null : topic.valueSerde().serializer().serialize(topic.name(), block);
      producer.send(new ProducerRecord<>(topic.name(), prefix, value)).get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
