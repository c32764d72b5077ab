package dev.relay.scoring.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.kafka.embedded.EmbeddedKafkaCluster;
import dev.relay.schemas.Channel;
import dev.relay.schemas.DeliveryReceipt;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.topics.Topic;
import dev.relay.schemas.topics.Topics;
import dev.relay.scoring.model.RouteKey;
import dev.relay.support.kafka.KafkaAccess;
import dev.relay.support.kafka.KafkaSettings;
import dev.relay.support.kafka.TopicProvisioner;
import dev.relay.support.routing.RoutingTableFile;
import dev.relay.support.routing.TableRoutes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replay over the real topics: records written with the services' serdes and their own timestamps
 * to a KRaft broker, two hours of them in the range and an hour on each side of it; the reader seeks by
 * time, reads to the end offsets, and the replay and report are those of the same records in memory.
 */
@Tag("integration")
class RoutingReplayIntegrationTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @Test
  void replaysTheRecordsOfTheRangeReadFromTheTopics(@TempDir Path dir) throws Exception {
    // Recent timestamps, so the topics' retention keeps every record.
    Instant from = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(6));
    Instant to = from.plus(Duration.ofHours(2));
    RecordedWorld world = new RecordedWorld(11)
        .record(from.minus(Duration.ofHours(1)), 1, Duration.ofSeconds(60))
        .record(from, 2, Duration.ofSeconds(60))
        .record(to, 1, Duration.ofSeconds(60));
    Path table = dir.resolve("healthy-first.json");
    Files.writeString(table, RecordedWorld.table("vonage", "twilio"));

    try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().build()) {
      kafka.start();
      KafkaAccess access = KafkaAccess.plaintext(kafka.bootstrapServers());
      Topics topics = Topics.fromConfig(key -> Optional.empty());
      TopicProvisioner.ensure(access, topics.all(), TIMEOUT);
      try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
          KafkaSettings.durableProducer(access, "replay-it", TIMEOUT),
          new StringSerializer(),
          new ByteArraySerializer())) {
        // In the order the services wrote them: by time.
        List<Runnable> writes = new ArrayList<>();
        List<Instant> times = new ArrayList<>();
        for (VerificationEvent event : world.events) {
          times.add(event.getOccurredAt());
          writes.add(() -> produce(producer, topics.verificationEvents, event.getTo(), event, event.getOccurredAt()));
        }
        for (SendResult send : world.sends) {
          times.add(send.getCompletedAt());
          writes.add(() -> produce(producer, topics.sendResults, send.getTo(), send, send.getCompletedAt()));
        }
        for (DeliveryReceipt receipt : world.receipts) {
          times.add(receipt.getReceivedAt());
          writes.add(() -> produce(producer, topics.deliveryReceipts, receipt.getTo(), receipt, receipt.getReceivedAt()));
        }
        IntStream.range(0, writes.size()).boxed().sorted(Comparator.comparing(times::get))
            .forEach(i -> writes.get(i).run());
        producer.flush();
      }

      ReplaySettings settings = WhatIfReplayTest.settings(false, 5);
      Duration settle = settings.expiry().plus(settings.failoverWindow());
      Recording read = new RecordingReader(access, topics).read(from, to, settle, Duration.ofHours(1));

      // Nothing before the range; after it, only what settles the range's verifications (their window and expiry).
      assertThat(read.events()).allSatisfy(event -> assertThat(event.getOccurredAt()).isBetween(from, to.plus(settle)));
      assertThat(read.events()).extracting(VerificationEvent::getCreatedAt).anySatisfy(created -> assertThat(created).isAfterOrEqualTo(to));
      assertThat(read.sends()).allSatisfy(send -> assertThat(send.getCompletedAt()).isBetween(from, to.plus(settle)));
      RecordedFacts facts = RecordedFacts.of(read);
      assertThat(facts.verifications()).hasSize(120)
          .allSatisfy(v -> assertThat(v.createdAt()).isAfterOrEqualTo(from).isBefore(to));
      assertThat(facts.sends()).extracting(RouteSend::route).contains(new RouteKey("twilio", "DE", Channel.SMS));

      TableRoutes routes = TableRoutes.of(RoutingTableFile.read(table, 0, Instant.EPOCH, "it"));
      String fromTopics = ReplayReport.format(new WhatIfReplay(settings).run(read, routes), "healthy-first.json");
      String inMemory = ReplayReport.format(new WhatIfReplay(settings).run(world.recording(from, to), routes),
          "healthy-first.json");
      assertThat(fromTopics).isEqualTo(inMemory).contains(": 120 verifications");

      // The command line, end to end, over the same broker.
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int exit = ReplayMain.run(new String[] {"--bootstrap-servers=" + kafka.bootstrapServers(), "--from=" + from,
              "--to=" + to, "--table=" + table, "--scores=off", "--seed=5"}, Map.of(), ReplayMain::fromKafka,
          new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
          Clock.fixed(to.plus(Duration.ofHours(4)), ZoneOffset.UTC));
      assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
      assertThat(exit).isZero();
      assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(inMemory);
    }
  }

  private static <V> void produce(KafkaProducer<String, byte[]> producer, Topic<String, V> topic, String key, V value,
      Instant timestamp) {
    byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
    try {
      producer.send(new ProducerRecord<>(topic.name(), null, timestamp.toEpochMilli(), key, bytes))
          .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("not written to " + topic.name(), e);
    }
  }
}
