package dev.relay.sender;

import dev.relay.support.kafka.KafkaAccess;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.kafka.embedded.EmbeddedKafkaCluster;
import dev.relay.providers.ProviderClient;
import dev.relay.providers.ProviderResponse;
import dev.relay.schemas.Channel;
import dev.relay.schemas.DeadLetter;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.Route;
import dev.relay.schemas.SendCommand;
import dev.relay.schemas.SendOutcome;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.topics.Topics;
import dev.relay.sender.config.MessageSettings;
import dev.relay.sender.config.SenderConfig;
import dev.relay.sender.config.SenderSettings;
import dev.relay.sender.message.MessageTemplates;
import dev.relay.support.config.CommonKeys;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.kafka.KafkaSettings;
import dev.relay.support.kafka.TopicProvisioner;
import dev.relay.support.secrets.Keyring;
import dev.relay.support.secrets.SecretSealer;
import dev.relay.support.secrets.Secrets;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The sender against a real broker: transactions, committed offsets, replays and dead letters. */
@Tag("integration")
class CommandSenderIntegrationTest {

  private static final Duration WAIT = Duration.ofSeconds(45);
  private static final String NUMBER = "+4915112345678";
  private static final AtomicInteger RUN = new AtomicInteger();
  private static EmbeddedKafkaCluster kafka;

  private Topics topics;
  private SenderSettings settings;
  private SecretSealer sealer;
  private final List<CommandSender> senders = new ArrayList<>();
  private final FakeProvider twilio = FakeProvider.rejecting("twilio",
      ProviderResponse.rejected(ErrorCategory.THROTTLED, "20429", "Too Many Requests"));
  private final FakeProvider vonage = FakeProvider.accepting("vonage", "VN-1");
  /** Answers when the test says so: a vendor taking its time. */
  private final CompletableFuture<ProviderResponse> plivoAnswer = new CompletableFuture<>();
  private final FakeProvider plivo = new FakeProvider("plivo", Set.of(Channel.SMS), message -> plivoAnswer);
  private final AtomicInteger fatalErrors = new AtomicInteger();

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafkaCluster.builder().build();
    kafka.start();
  }

  @AfterAll
  static void stopKafka() {
    kafka.close();
  }

  @BeforeEach
  void provision() {
    String prefix = "sender" + RUN.incrementAndGet() + ".";
    RelayConfig config = RelayConfig.of(SenderConfig.SCHEMA, Map.of(
        CommonKeys.BOOTSTRAP_SERVERS.name(), kafka.bootstrapServers(),
        CommonKeys.CODE_ENCRYPTION_KEYS.name(), Keyring.generateSetting("e1"),
        Topics.PREFIX, prefix,
        // One partition keeps the order of commands, so "nothing sent again" can be observed.
        Topics.PARTITIONS, "1",
        SenderConfig.GROUP_ID.name(), prefix + "senders",
        SenderConfig.TRANSACTIONAL_ID.name(), prefix + "sender-a"));
    topics = Topics.fromConfig(config.lookup());
    settings = SenderSettings.from(config);
    sealer = Secrets.codeSealer(config);
    TopicProvisioner.ensure(KafkaAccess.plaintext(kafka.bootstrapServers()), topics.all(), Duration.ofSeconds(30));
  }

  @AfterEach
  void closeSenders() {
    senders.forEach(CommandSender::close);
  }

  private CommandSender startSender() {
    return startSender(settings);
  }

  private CommandSender startSender(SenderSettings settings) {
    // The try timeout stays out of the way of the vendor the tests hold back.
    CommandExecutor executor = new CommandExecutor(
        Map.<String, ProviderClient>of("twilio", twilio, "vonage", vonage, "plivo", plivo),
        MessageTemplates.bundled(MessageSettings.named("Relay")), sealer, Clock.systemUTC(), WAIT.multipliedBy(2));
    CommandSender sender = new CommandSender(KafkaAccess.plaintext(kafka.bootstrapServers()), topics, settings, executor,
        new SimpleMeterRegistry(), fatalErrors::incrementAndGet);
    senders.add(sender);
    sender.start();
    await().atMost(WAIT).until(sender::isAssigned);
    return sender;
  }

  private SendCommand command(String verificationId, Instant expiresAt, String... providers) {
    return SendCommand.newBuilder()
        .setVerificationId(verificationId)
        .setAttempt(1)
        .setIdempotencyKey(verificationId + "-1")
        .setTo(NUMBER)
        .setCountry("DE")
        .setChannel(Channel.SMS)
        .setCode(sealer.seal("482913", verificationId, NUMBER))
        .setRoutes(Arrays.stream(providers).map(name -> new Route(name, Channel.SMS, null, "table")).toList())
        .setReason(SendReason.INITIAL)
        .setIssuedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
        .setExpiresAt(expiresAt.truncatedTo(ChronoUnit.MILLIS))
        .build();
  }

  private void produce(SendCommand... commands) {
    try (KafkaProducer<String, SendCommand> producer = new KafkaProducer<>(
        KafkaSettings.durableProducer(KafkaAccess.plaintext(kafka.bootstrapServers()), "test-commands"), new StringSerializer(),
        topics.sendCommands.valueSerde().serializer())) {
      for (SendCommand command : commands) {
        producer.send(new ProducerRecord<>(topics.sendCommands.name(), NUMBER, command));
      }
      producer.flush();
    }
  }

  private <V> List<ConsumerRecord<byte[], V>> readCommitted(String topic, Deserializer<V> values, int expected) {
    List<ConsumerRecord<byte[], V>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], V> consumer = new KafkaConsumer<>(
        KafkaSettings.committedConsumer(KafkaAccess.plaintext(kafka.bootstrapServers()), null, "test-reader"), new ByteArrayDeserializer(),
        values)) {
      consumer.assign(List.of(new TopicPartition(topic, 0)));
      consumer.seekToBeginning(consumer.assignment());
      await().atMost(WAIT).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        return records.size() >= expected;
      });
      // Then nothing more: whatever else was committed by now must also be seen.
      consumer.poll(Duration.ofMillis(500)).forEach(records::add);
    }
    return records;
  }

  private long committedOffset() throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(settings.groupId())
          .partitionsToOffsetAndMetadata().get();
      return Optional.ofNullable(offsets.get(new TopicPartition(topics.sendCommands.name(), 0)))
          .map(OffsetAndMetadata::offset).orElse(-1L);
    }
  }

  @Test
  void eachCommandIsSentOnceAndItsResultsCommitWithTheOffsets() throws Exception {
    startSender();
    Instant later = Instant.now().plus(Duration.ofMinutes(10));

    produce(command("VEa", later, "twilio", "vonage"),
        command("VEb", Instant.now().minusSeconds(1), "vonage"),
        command("VEc", later, "vonage"));

    List<ConsumerRecord<byte[], SendResult>> results = readCommitted(topics.sendResults.name(),
        topics.sendResults.valueSerde().deserializer(), 3);
    assertThat(results).extracting(record -> record.value().getIdempotencyKey() + "/" + record.value().getTryIndex()
            + "/" + record.value().getProvider() + "/" + record.value().getOutcome() + "/" + record.value().getLastTry())
        .containsExactly("VEa-1/0/twilio/REJECTED/false", "VEa-1/1/vonage/ACCEPTED/true", "VEc-1/0/vonage/ACCEPTED/true");
    assertThat(results).allSatisfy(record ->
        assertThat(new String(record.key(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(NUMBER));
    assertThat(twilio.sent).hasSize(1);
    assertThat(vonage.sent).extracting(message -> message.idempotencyKey()).containsExactly("VEa-1", "VEc-1");
    await().atMost(WAIT).until(() -> committedOffset() == 3L);

    // A sender restarted with the same identity resumes after the committed commands.
    senders.remove(0).close();
    startSender();
    produce(command("VEd", later, "vonage"));
    List<ConsumerRecord<byte[], SendResult>> after = readCommitted(topics.sendResults.name(),
        topics.sendResults.valueSerde().deserializer(), 4);
    assertThat(after).extracting(record -> record.value().getIdempotencyKey()).containsExactly(
        "VEa-1", "VEa-1", "VEc-1", "VEd-1");
    assertThat(vonage.sent).extracting(message -> message.idempotencyKey()).containsExactly("VEa-1", "VEc-1", "VEd-1");
    assertThat(fatalErrors).hasValue(0);
  }

  @Test
  void aCommandsResultIsCommittedWhileAnotherCommandsVendorIsStillAnswering() {
    startSender();
    Instant later = Instant.now().plus(Duration.ofMinutes(10));
    produce(command("VEs", later, "plivo"));
    await().atMost(WAIT).until(() -> plivo.sent.size() == 1);
    produce(command("VEf", later, "vonage"));

    List<ConsumerRecord<byte[], SendResult>> first = readCommitted(topics.sendResults.name(),
        topics.sendResults.valueSerde().deserializer(), 1);
    assertThat(first).extracting(record -> record.value().getIdempotencyKey()).containsExactly("VEf-1");

    plivoAnswer.complete(ProviderResponse.accepted("PL-1", null));
    List<ConsumerRecord<byte[], SendResult>> both = readCommitted(topics.sendResults.name(),
        topics.sendResults.valueSerde().deserializer(), 2);
    assertThat(both).extracting(record -> record.value().getIdempotencyKey() + "/" + record.value().getOutcome())
        .containsExactly("VEf-1/ACCEPTED", "VEs-1/ACCEPTED");
    assertThat(plivo.sent).hasSize(1);
    assertThat(fatalErrors).hasValue(0);
  }

  @Test
  void atMaxInFlightTheSenderClaimsNothingMoreUntilACallComesBack() throws Exception {
    startSender(new SenderSettings(settings.groupId(), settings.transactionalId(), settings.maxBatch(), 1,
        settings.tryTimeout()));
    Instant later = Instant.now().plus(Duration.ofMinutes(10));
    produce(command("VEs", later, "plivo"));
    await().atMost(WAIT).until(() -> plivo.sent.size() == 1 && committedOffset() == 1L);

    produce(command("VEg", later, "vonage"));
    // Left in the topic, unclaimed, while the one call allowed is running.
    await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> committedOffset() == 1L && vonage.sent.isEmpty());

    plivoAnswer.complete(ProviderResponse.accepted("PL-1", null));
    await().atMost(WAIT).until(() -> vonage.sent.size() == 1 && committedOffset() == 2L);
    assertThat(readCommitted(topics.sendResults.name(), topics.sendResults.valueSerde().deserializer(), 2))
        .extracting(record -> record.value().getIdempotencyKey()).containsExactly("VEs-1", "VEg-1");
  }

  @Test
  void aStoppingSenderCommitsTheResultsOfTheCallsItStarted() {
    CommandSender sender = startSender();
    produce(command("VEs", Instant.now().plus(Duration.ofMinutes(10)), "plivo"));
    await().atMost(WAIT).until(() -> plivo.sent.size() == 1);

    CompletableFuture<Void> closing = CompletableFuture.runAsync(sender::close);
    await().pollDelay(Duration.ofMillis(300)).atMost(WAIT).until(() -> true);
    assertThat(closing).isNotDone();
    plivoAnswer.complete(ProviderResponse.accepted("PL-1", null));
    closing.join();

    assertThat(readCommitted(topics.sendResults.name(), topics.sendResults.valueSerde().deserializer(), 1))
        .extracting(record -> record.value().getIdempotencyKey() + "/" + record.value().getOutcome())
        .containsExactly("VEs-1/ACCEPTED");
    assertThat(sender.hasFailed()).isFalse();
  }

  @Test
  void anUnreadableCommandIsDeadLetteredAndTheNextOneIsSent() throws Exception {
    CommandSender sender = startSender();
    try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(
        KafkaSettings.durableProducer(KafkaAccess.plaintext(kafka.bootstrapServers()), "test-raw"), new ByteArraySerializer(),
        new ByteArraySerializer())) {
      raw.send(new ProducerRecord<>(topics.sendCommands.name(), NUMBER.getBytes(), new byte[] {1, 2, 3})).get();
    }
    produce(command("VEe", Instant.now().plus(Duration.ofMinutes(10)), "vonage"));

    List<ConsumerRecord<byte[], DeadLetter>> letters = readCommitted(topics.deadLetters.name(),
        topics.deadLetters.valueSerde().deserializer(), 1);
    assertThat(letters).hasSize(1);
    DeadLetter letter = letters.get(0).value();
    assertThat(letter.getSourceTopic()).isEqualTo(topics.sendCommands.name());
    assertThat(letter.getOffset()).isZero();
    assertThat(letter.getErrorClass()).isEqualTo("org.apache.kafka.common.errors.SerializationException");
    assertThat(letters.get(0).key()).isEqualTo(NUMBER.getBytes());

    List<ConsumerRecord<byte[], SendResult>> results = readCommitted(topics.sendResults.name(),
        topics.sendResults.valueSerde().deserializer(), 1);
    assertThat(results).extracting(record -> record.value().getIdempotencyKey()).containsExactly("VEe-1");
    assertThat(results.get(0).value().getOutcome()).isEqualTo(SendOutcome.ACCEPTED);
    await().atMost(WAIT).until(() -> committedOffset() == 2L);
    assertThat(sender.hasFailed()).isFalse();
  }
}
