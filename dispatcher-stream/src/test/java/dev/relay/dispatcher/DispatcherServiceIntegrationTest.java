package dev.relay.dispatcher;

import dev.relay.support.kafka.KafkaAccess;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.dispatcher.config.DispatcherSettings;
import dev.relay.dispatcher.topology.DispatcherNames;
import dev.relay.kafka.embedded.EmbeddedKafkaCluster;
import dev.relay.providers.OutboundMessage;
import dev.relay.providers.ProviderClient;
import dev.relay.providers.ProviderResponse;
import dev.relay.sender.SenderService;
import dev.relay.sender.config.SenderConfig;
import dev.relay.schemas.Attempt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.CodeCheckRequest;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.ReplyKind;
import dev.relay.schemas.RequestAction;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.VerificationReply;
import dev.relay.schemas.VerificationRequest;
import dev.relay.schemas.VerificationStatus;
import dev.relay.schemas.serde.AvroSerde;
import dev.relay.schemas.serde.StateSerde;
import dev.relay.schemas.state.NumberSend;
import dev.relay.schemas.state.NumberSends;
import dev.relay.schemas.state.VerificationState;
import dev.relay.schemas.topics.Topics;
import dev.relay.support.config.CommonKeys;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.kafka.KafkaSettings;
import dev.relay.support.secrets.Keyring;
import dev.relay.support.secrets.SecretSealer;
import dev.relay.support.secrets.Secrets;
import dev.relay.support.secrets.VerificationIds;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher as it runs in production, on a real broker with fake providers behind a sender
 * service: a start is sent through the second route after the first rejects, the code that reached the handset approves, and
 * afterwards no topic and no state file holds that code in plaintext.
 */
@Tag("integration")
class DispatcherServiceIntegrationTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  /** Longer than a DispatcherService close can take (Streams 30 s), with a margin. */
  private static final Duration WINDOW_BEYOND_CLOSE = Duration.ofSeconds(45);
  private static final String NUMBER = "+4915112345678";
  /** The code ends the message in every language (no autofill line is configured here). */
  private static final Pattern CODE_IN_TEXT = Pattern.compile("(?<![0-9])([0-9]{4,10})$");
  private static EmbeddedKafkaCluster kafka;

  @TempDir
  Path stateDir;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafkaCluster.builder().build();
    kafka.start();
  }

  @AfterAll
  static void stopKafka() {
    kafka.close();
  }

  /** A provider that answers as told and keeps what it was asked to deliver, as a handset would. */
  private record Handset(String name, ProviderResponse answer, List<OutboundMessage> inbox) implements ProviderClient {

    Handset(String name, ProviderResponse answer) {
      this(name, answer, new CopyOnWriteArrayList<>());
    }

    @Override
    public Set<Channel> channels() {
      return Set.of(Channel.SMS, Channel.VOICE);
    }

    @Override
    public CompletableFuture<ProviderResponse> send(OutboundMessage message) {
      inbox.add(message);
      return CompletableFuture.completedFuture(answer);
    }
  }

  private Map<String, String> settings(String prefix) {
    return settings(prefix, stateDir);
  }

  private Map<String, String> settings(String prefix, Path stateDirectory) {
    Map<String, String> values = new HashMap<>();
    values.put(CommonKeys.BOOTSTRAP_SERVERS.name(), kafka.bootstrapServers());
    values.put(CommonKeys.CODE_HMAC_KEYS.name(), Keyring.generateSetting("h1"));
    values.put(CommonKeys.CODE_ENCRYPTION_KEYS.name(), Keyring.generateSetting("e1"));
    values.put(CommonKeys.GUESS_ENCRYPTION_KEYS.name(), Keyring.generateSetting("g1"));
    values.put(CommonKeys.ID_KEYS.name(), Keyring.generateSetting("i1"));
    values.put(Topics.PREFIX, prefix);
    values.put(Topics.PARTITIONS, "2");
    values.put(DispatcherConfig.APPLICATION_ID.name(), prefix + "dispatcher");
    values.put(DispatcherConfig.STATE_DIR.name(), stateDirectory.toString());
    values.put(DispatcherConfig.SMS_ROUTES.name(), "*:twilio,vonage");
    values.put(DispatcherConfig.VOICE_ROUTES.name(), "*:twilio");
    values.put(DispatcherConfig.HTTP_PORT.name(), "0");
    values.put(DispatcherConfig.HTTP_HOST.name(), "127.0.0.1");
    // A code length no phone number or timestamp is likely to contain by chance.
    values.put(DispatcherConfig.CODE_LENGTH.name(), "10");
    return values;
  }

  /** The sender service on the same broker and topics, calling {@code providers}; ready before it returns. */
  private static SenderService startSender(Map<String, String> values, Map<String, ProviderClient> providers) {
    Map<String, String> senderValues = SenderConfig.SCHEMA.select(values);
    String prefix = values.get(Topics.PREFIX);
    senderValues.put(SenderConfig.GROUP_ID.name(), prefix + "senders");
    senderValues.put(SenderConfig.TRANSACTIONAL_ID.name(), prefix + "sender-1");
    senderValues.put(SenderConfig.HTTP_PORT.name(), "0");
    SenderService sender = new SenderService(RelayConfig.of(SenderConfig.SCHEMA, senderValues), providers);
    try {
      sender.start();
      await().atMost(WAIT).until(sender::isReady);
    } catch (RuntimeException | Error e) {
      sender.close();
      throw e;
    }
    return sender;
  }

  @Test
  void aVerificationGoesThroughTheSecondRouteAndTheDeliveredCodeApproves() throws Exception {
    // One map for both services: the sender must open the codes the dispatcher sealed.
    Map<String, String> values = settings("svc1.");
    RelayConfig config = RelayConfig.of(DispatcherConfig.SCHEMA, values);
    Topics topics = Topics.fromConfig(config.lookup());
    SecretSealer sealer = Secrets.guessSealer(config);
    VerificationIds ids = Secrets.ids(config);
    Handset twilio = new Handset("twilio", ProviderResponse.rejected(ErrorCategory.THROTTLED, "20429", "Too Many Requests"));
    Handset vonage = new Handset("vonage", ProviderResponse.accepted("VN-0001", 6_800L));
    String code;
    String id = ids.mint(NUMBER);

    ListAppender<ILoggingEvent> logs = captureLogs();
    try (SenderService sender = startSender(values, Map.of("twilio", twilio, "vonage", vonage));
        DispatcherService service = new DispatcherService(config, Map.of("twilio", twilio, "vonage", vonage))) {
      service.start();
      await().atMost(WAIT).until(service::isReady);
      assertThat(httpStatus(service, "/health/ready")).isEqualTo(200);

      produce(topics.verificationRequests.name(), topics.verificationRequests.valueSerde().serializer(),
          VerificationRequest.newBuilder()
              .setRequestId("req-1")
              .setVerificationId(id)
              .setTo(NUMBER)
              .setCountry("DE")
              .setReplyTo("wait-1")
              .setReplyInEvent(true)
              .setRequestedAt(now())
              .build());

      await().atMost(WAIT).until(() -> vonage.inbox().size() == 1);
      assertThat(twilio.inbox()).hasSize(1);
      Matcher matcher = CODE_IN_TEXT.matcher(vonage.inbox().get(0).text());
      assertThat(matcher.find()).isTrue();
      code = matcher.group(1);
      // A person reads the code after the send results are in; a check before them is decided
      // the same, but the approved event could not name the provider yet.
      assertThat(readCommitted(topics.sendResults.name(), 2)).hasSize(2);

      produce(topics.codeChecks.name(), topics.codeChecks.valueSerde().serializer(), CodeCheckRequest.newBuilder()
          .setCheckId("check-1")
          .setVerificationId(id)
          .setTo(NUMBER)
          .setCode(sealer.seal(code, id, NUMBER))
          .setRequestedAt(now())
          .setReplyInEvent(true)
          .build());

      List<VerificationReply> replies = readReplies(topics, 2).stream()
          .toList();
      assertThat(replies).extracting(VerificationReply::getCorrelationId, VerificationReply::getKind,
              VerificationReply::getStatus, VerificationReply::getValid)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("wait-1", ReplyKind.STARTED, VerificationStatus.PENDING, null),
              org.assertj.core.groups.Tuple.tuple("check-1", ReplyKind.CHECKED, VerificationStatus.APPROVED, true));

      List<VerificationEvent> events = readCommitted(topics.verificationEvents.name(), 2).stream()
          .map(record -> topics.verificationEvents.valueSerde().deserializer().deserialize("", record.value()))
          .toList();
      assertThat(events).extracting(VerificationEvent::getStatus)
          .containsExactly(VerificationStatus.PENDING, VerificationStatus.APPROVED);
      // Both asked for their answers in the events: the events carry them, the reply topic holds none.
      assertThat(events).extracting(event -> event.getReply().getCorrelationId()).containsExactly("wait-1", "check-1");
      assertThat(offsetsWritten(topics.verificationReplies.name())).isZero();
      Attempt attempt = events.get(1).getAttempts().get(0);
      assertThat(attempt.getProvider()).isEqualTo("vonage");
      assertThat(attempt.getProviderMessageId()).isEqualTo("vn-0001");
      assertThat(attempt.getTries()).isEqualTo(2);
      assertThat(attempt.getVerifiedAt()).isNotNull();

      assertThat(service.metrics().scrape()).contains("relay_checks_total").contains("kafka_stream");
    }

    assertNoTopicHolds(topics, code);
    assertNoStateFileHolds(code);
    stopCapturing(logs);
    assertThat(logs.list).as("the run logged").isNotEmpty();
    for (ILoggingEvent event : logs.list) {
      String line = event.getFormattedMessage()
          + (event.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy()));
      // As a digit run of its own: inside a longer number (an offset, a client id) it is chance.
      assertThat(line).as("a log line holds the code").doesNotContainPattern("(?<![0-9])" + code + "(?![0-9])");
      assertThat(line.contains(NUMBER)).as("a log line holds the whole number").isFalse();
    }
  }

  @Test
  void aRestartInTheMiddleOfADeliveryWindowStillResendsTheSameCodeThroughTheNextRoute(@TempDir Path otherStateDir)
      throws Exception {
    Map<String, String> values = settings("svc3.");
    // The window must outlast the first instance's close, whatever the machine: an exactly-once close is
    // bounded by Streams' 30 s (DispatcherService), not by how fast it usually is.
    values.put(DispatcherConfig.DELIVERY_WINDOW.name(), WINDOW_BEYOND_CLOSE.toSeconds() + "s");
    RelayConfig config = RelayConfig.of(DispatcherConfig.SCHEMA, values);
    Topics topics = Topics.fromConfig(config.lookup());
    // Delivered to nobody: both accept, no receipt ever comes.
    Handset twilio = new Handset("twilio", ProviderResponse.accepted("SM-1", null));
    Handset vonage = new Handset("vonage", ProviderResponse.accepted("VN-1", null));

    // The sender runs on through the dispatcher's restart, as it would in a deployment.
    try (SenderService sender = startSender(values, Map.of("twilio", twilio, "vonage", vonage))) {
      try (DispatcherService first = new DispatcherService(config, Map.of("twilio", twilio, "vonage", vonage))) {
        first.start();
        await().atMost(WAIT).until(first::isReady);
        produce(topics.verificationRequests.name(), topics.verificationRequests.valueSerde().serializer(),
            VerificationRequest.newBuilder()
                .setRequestId("req-1")
                .setTo(NUMBER)
                .setCountry("DE")
                .setReplyTo("wait-1")
                .setRequestedAt(now())
                .build());
        await().atMost(WAIT).until(() -> twilio.inbox().size() == 1);
        assertThat(readCommitted(topics.sendResults.name(), 1)).hasSize(1);
      }
      assertThat(vonage.inbox()).as("the window had not closed before the stop").isEmpty();

      // A fresh state directory: the second instance restores everything from the changelogs.
      values.put(DispatcherConfig.STATE_DIR.name(), otherStateDir.toString());
      try (DispatcherService second = new DispatcherService(RelayConfig.of(DispatcherConfig.SCHEMA, values),
          Map.of("twilio", twilio, "vonage", vonage))) {
        second.start();
        await().atMost(WAIT.plus(WINDOW_BEYOND_CLOSE)).until(() -> vonage.inbox().size() == 1);
        String sent = twilio.inbox().get(0).text();
        String resent = vonage.inbox().get(0).text();
        assertThat(sent.equals(resent)).as("the same code is resent").isTrue();
        assertThat(vonage.inbox().get(0).idempotencyKey()).endsWith("-2");
        List<VerificationEvent> events = readCommitted(topics.verificationEvents.name(), 2).stream()
            .map(record -> topics.verificationEvents.valueSerde().deserializer().deserialize("", record.value()))
            .toList();
        assertThat(events).extracting(VerificationEvent::getReason).containsExactly("created", "failover:timeout");
        assertThat(twilio.inbox()).as("no second message for the first attempt").hasSize(1);
      }
    }
  }

  /**
   * An upgrade from before a number's sends lived in its state (VerificationState v8): what the earlier
   * version's {@code number-sends} store held is restored, moved into the states when the task starts (a
   * write during the processor's init, under exactly-once), and counted by the per-number limit.
   */
  @Test
  void anUpgradeCountsTheSendsTheNumberSendsStoreOfAnEarlierVersionHeld(@TempDir Path otherStateDir) throws Exception {
    Map<String, String> values = settings("svc5.");
    values.put("relay.limits.per-number", "2/10m");
    RelayConfig config = RelayConfig.of(DispatcherConfig.SCHEMA, values);
    Topics topics = Topics.fromConfig(config.lookup());
    Handset twilio = new Handset("twilio", ProviderResponse.accepted("SM-1", null));
    Handset vonage = new Handset("vonage", ProviderResponse.accepted("VN-1", null));
    VerificationRequest.Builder start = VerificationRequest.newBuilder()
        .setTo(NUMBER)
        .setCountry("DE")
        .setRequestedAt(now());

    try (DispatcherService first = new DispatcherService(config, Map.of("twilio", twilio, "vonage", vonage))) {
      first.start();
      await().atMost(WAIT).until(first::isReady);
      produce(topics.verificationRequests.name(), topics.verificationRequests.valueSerde().serializer(),
          start.setRequestId("req-1").setReplyTo("wait-1").build());
      assertThat(readReplies(topics, 1)).hasSize(1);
    }
    // What the earlier version would have left: the number's send a minute ago in its own store.
    String legacyChangelog = values.get(DispatcherConfig.APPLICATION_ID.name()) + "-number-sends-changelog";
    produce(legacyChangelog, StateSerde.of(NumberSends.class).serializer(),
        new NumberSends(List.of(new NumberSend(now().minusSeconds(60).toEpochMilli(), ""))));

    values.put(DispatcherConfig.STATE_DIR.name(), otherStateDir.toString());
    try (DispatcherService second = new DispatcherService(RelayConfig.of(DispatcherConfig.SCHEMA, values),
        Map.of("twilio", twilio, "vonage", vonage))) {
      second.start();
      await().atMost(WAIT).until(second::isReady);
      produce(topics.verificationRequests.name(), topics.verificationRequests.valueSerde().serializer(),
          start.setRequestId("req-2").setReplyTo("wait-2").setRequestedAt(now()).build());

      VerificationReply repeated = readReplies(topics, 2).stream()
          .filter(reply -> reply.getCorrelationId().equals("wait-2"))
          .findFirst().orElseThrow();
      assertThat(repeated.getKind()).as("the legacy send and the first run's: the limit of 2 is reached")
          .isEqualTo(ReplyKind.REFUSED);
      assertThat(repeated.getError()).isEqualTo("rate_limited_number");
    }
  }

  @Test
  void aRetentionShorterThanThePerNumberWindowIsRaisedToItAndSaidSo() {
    Map<String, String> values = settings("svc6.");
    values.put(DispatcherConfig.RETENTION.name(), "1h");
    Handset twilio = new Handset("twilio", ProviderResponse.accepted("SM-1", null));
    Handset vonage = new Handset("vonage", ProviderResponse.accepted("VN-1", null));

    ListAppender<ILoggingEvent> logs = captureLogs();
    try (DispatcherService service = new DispatcherService(RelayConfig.of(DispatcherConfig.SCHEMA, values),
        Map.of("twilio", twilio, "vonage", vonage))) {
      assertThat(service.isReady()).isFalse();
    } finally {
      stopCapturing(logs);
    }

    assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage).contains("relay.verification.retention is PT1H,"
        + " shorter than the longest per-number limit window: finished verifications are kept PT24H");
  }

  /**
   * Idle means idle: with nothing due, no Streams thread commits (under exactly-once every commit is a
   * transaction with its markers). The deadline punctuator used to tick every punctuate interval and
   * make Streams commit each time; now it is scheduled only for the next due deadline.
   */
  @Test
  void anIdleDispatcherCommitsNothing() throws Exception {
    RelayConfig config = RelayConfig.of(DispatcherConfig.SCHEMA, settings("svc6."));
    // A hundred commit intervals: any periodic commit shows (the old 200 ms deadline tick committed ten times).
    Duration span = DispatcherSettings.from(config).commitInterval().multipliedBy(100);
    Handset twilio = new Handset("twilio", ProviderResponse.accepted("SM-1", null));
    Handset vonage = new Handset("vonage", ProviderResponse.accepted("VN-1", null));

    try (DispatcherService service = new DispatcherService(config, Map.of("twilio", twilio, "vonage", vonage))) {
      service.start();
      await().atMost(WAIT).until(service::isReady);
      assertThat(streamCommits(service)).as("the commit counter is published").isPresent();
      // Start-up commits (the first assignment) are over once the count holds still for one span.
      double[] seen = {-1};
      await().atMost(WAIT).pollInterval(span).until(() -> {
        double now = streamCommits(service).orElseThrow();
        boolean settled = now == seen[0];
        seen[0] = now;
        return settled;
      });
      double settled = seen[0];

      await().during(span).atMost(span.plus(WAIT)).until(() -> streamCommits(service).orElseThrow() == settled);
    }
  }

  /** Commits made by the dispatcher's Streams threads so far, from the metrics it publishes. */
  private static java.util.Optional<Double> streamCommits(DispatcherService service) {
    List<io.micrometer.core.instrument.Meter> meters = service.metrics().getMeters().stream()
        .filter(meter -> meter.getId().getName().replace('-', '.').equals("kafka.stream.thread.commit.total"))
        .toList();
    if (meters.isEmpty()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(meters.stream()
        .mapToDouble(meter -> meter.measure().iterator().next().getValue()).sum());
  }

  @Test
  void fiftyConcurrentWrongGuessesCountAtMostFive() throws Exception {
    // One map for both services: the sender must open the codes the dispatcher sealed.
    Map<String, String> values = settings("svc4.");
    RelayConfig config = RelayConfig.of(DispatcherConfig.SCHEMA, values);
    Topics topics = Topics.fromConfig(config.lookup());
    SecretSealer sealer = Secrets.guessSealer(config);
    String id = Secrets.ids(config).mint(NUMBER);
    Handset twilio = new Handset("twilio", ProviderResponse.accepted("SM-1", null));
    Handset vonage = new Handset("vonage", ProviderResponse.accepted("VN-1", null));

    try (SenderService sender = startSender(values, Map.of("twilio", twilio, "vonage", vonage));
        DispatcherService service = new DispatcherService(config, Map.of("twilio", twilio, "vonage", vonage))) {
      service.start();
      await().atMost(WAIT).until(service::isReady);
      produce(topics.verificationRequests.name(), topics.verificationRequests.valueSerde().serializer(),
          VerificationRequest.newBuilder()
              .setRequestId("req-1")
              .setVerificationId(id)
              .setTo(NUMBER)
              .setCountry("DE")
              .setRequestedAt(now())
              .build());
      await().atMost(WAIT).until(() -> twilio.inbox().size() == 1);
      Matcher matcher = CODE_IN_TEXT.matcher(twilio.inbox().get(0).text());
      assertThat(matcher.find()).isTrue();
      String wrong = matcher.group(1).equals("0000000000") ? "1111111111" : "0000000000";

      // Fifty guesses from ten threads at once, as a scripted attacker would send them.
      java.util.concurrent.ExecutorService guessers = java.util.concurrent.Executors.newFixedThreadPool(10);
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
          KafkaSettings.durableProducer(KafkaAccess.plaintext(kafka.bootstrapServers()), "test-guesser"), new ByteArraySerializer(),
          new ByteArraySerializer())) {
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        for (int guess = 0; guess < 50; guess++) {
          CodeCheckRequest check = CodeCheckRequest.newBuilder()
              .setCheckId("check-" + guess)
              .setVerificationId(id)
              .setTo(NUMBER)
              .setCode(sealer.seal(wrong, id, NUMBER))
              .setRequestedAt(now())
              .build();
          sent.add(guessers.submit(() -> producer.send(new ProducerRecord<>(topics.codeChecks.name(),
              NUMBER.getBytes(StandardCharsets.UTF_8),
              topics.codeChecks.valueSerde().serializer().serialize("", check))).get()));
        }
        for (java.util.concurrent.Future<?> future : sent) {
          future.get();
        }
      } finally {
        guessers.shutdownNow();
      }

      List<VerificationReply> replies = readReplies(topics, 50).stream()
          .toList();
      assertThat(replies).hasSize(50);
      assertThat(replies).filteredOn(reply -> reply.getKind() == ReplyKind.CHECKED).hasSize(5)
          .allMatch(reply -> !reply.getValid());
      assertThat(replies).filteredOn(reply -> reply.getStatus() == VerificationStatus.PENDING)
          .extracting(VerificationReply::getAttemptsRemaining).containsExactlyInAnyOrder(4, 3, 2, 1);
      assertThat(replies).filteredOn(reply -> reply.getStatus() == VerificationStatus.MAX_ATTEMPTS_REACHED).hasSize(1);
      // Once the guesses are spent there is nothing left to check: the rest find nothing.
      assertThat(replies).filteredOn(reply -> reply.getKind() == ReplyKind.NOT_FOUND).hasSize(45);
      List<VerificationEvent> events = readCommitted(topics.verificationEvents.name(), 2).stream()
          .map(record -> topics.verificationEvents.valueSerde().deserializer().deserialize("", record.value()))
          .toList();
      assertThat(events).extracting(VerificationEvent::getReason).containsExactly("created", "guess-cap");
    }
  }

  private static ListAppender<ILoggingEvent> captureLogs() {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(appender);
    return appender;
  }

  private static void stopCapturing(ListAppender<ILoggingEvent> appender) {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .detachAppender(appender);
    appender.stop();
  }

  @Test
  void routesNamingAnUnconfiguredProviderAreRefusedBeforeAnythingStarts() {
    RelayConfig config = RelayConfig.of(DispatcherConfig.SCHEMA, settings("svc2."));

    org.assertj.core.api.Assertions.assertThatThrownBy(() ->
            new DispatcherService(config, Map.of("twilio", new Handset("twilio", ProviderResponse.accepted("x", null)))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("[vonage]");
  }

  @Test
  void theChangesToAVerificationWithinOneCommitReachItsChangelogOnce() throws Exception {
    Map<String, String> values = settings("cache1.");
    // Long enough that a start and its cancel, written in one transaction, meet in one commit.
    values.put(DispatcherConfig.COMMIT_INTERVAL.name(), "2s");
    RelayConfig config = RelayConfig.of(DispatcherConfig.SCHEMA, values);
    Topics topics = Topics.fromConfig(config.lookup());
    VerificationIds ids = Secrets.ids(config);
    int verifications = 10;
    // No sender runs: the sends stay commands, and each verification pending until its cancel.
    Map<String, ProviderClient> providers = Map.of("twilio", new Handset("twilio", ProviderResponse.accepted("TW-1", null)),
        "vonage", new Handset("vonage", ProviderResponse.accepted("VN-1", null)));
    try (DispatcherService service = new DispatcherService(config, providers)) {
      service.start();
      await().atMost(WAIT).until(service::isReady);

      Map<String, Object> producerSettings =
          KafkaSettings.durableProducer(KafkaAccess.plaintext(kafka.bootstrapServers()), "test-starts-and-cancels");
      producerSettings.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-starts-and-cancels");
      Serializer<VerificationRequest> serializer = topics.verificationRequests.valueSerde().serializer();
      String topic = topics.verificationRequests.name();
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(producerSettings, new ByteArraySerializer(), new ByteArraySerializer())) {
        producer.initTransactions();
        producer.beginTransaction();
        for (int i = 0; i < verifications; i++) {
          String number = String.format("+49151123400%02d", i);
          String id = ids.mint(number);
          for (RequestAction action : List.of(RequestAction.START, RequestAction.CANCEL)) {
            VerificationRequest request = VerificationRequest.newBuilder()
                .setRequestId(action + "-" + i)
                .setVerificationId(id)
                .setTo(number)
                .setCountry("DE")
                .setAction(action)
                .setReplyTo("wait-" + action + "-" + i)
                .setRequestedAt(now())
                .build();
            producer.send(new ProducerRecord<>(topic, number.getBytes(StandardCharsets.UTF_8), serializer.serialize(topic, request)));
          }
        }
        producer.commitTransaction();
      }
      // Created and canceled, each verification: their states are in the changelog by then (the same transactions).
      List<VerificationEvent> events = readCommitted(topics.verificationEvents.name(), 2 * verifications).stream()
          .map(record -> topics.verificationEvents.valueSerde().deserializer().deserialize(topic, record.value()))
          .toList();
      assertThat(events).filteredOn(event -> event.getStatus() == VerificationStatus.CANCELED).hasSize(verifications);

      List<ConsumerRecord<byte[], byte[]>> changelog = readAllCommitted(
          values.get(DispatcherConfig.APPLICATION_ID.name()) + "-" + DispatcherNames.VERIFICATIONS_STORE + "-changelog");
      // Two state changes each; a commit may fall once between the two of one partition's batch.
      assertThat(changelog).as("the verifications' changelog records").hasSizeBetween(verifications, verifications + 2);
      Deserializer<VerificationState> states = AvroSerde.of(VerificationState.class).deserializer();
      Map<String, VerificationStatus> last = new HashMap<>();
      changelog.forEach(record -> last.put(new String(record.key(), StandardCharsets.UTF_8),
          states.deserialize("", record.value()).getStatus()));
      assertThat(last).hasSize(verifications).allSatisfy((number, status) -> assertThat(status).isEqualTo(VerificationStatus.CANCELED));
    }
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS);
  }

  private static <V> void produce(String topic, Serializer<V> values, V value) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
        KafkaSettings.durableProducer(KafkaAccess.plaintext(kafka.bootstrapServers()), "test-producer"), new ByteArraySerializer(),
        new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, NUMBER.getBytes(StandardCharsets.UTF_8), values.serialize(topic, value)))
          .get();
    }
  }

  /** A consumer outside any group that reads only committed records. */
  private static KafkaConsumer<byte[], byte[]> committedReader() {
    return new KafkaConsumer<>(KafkaSettings.committedConsumer(KafkaAccess.plaintext(kafka.bootstrapServers()), null, "test-reader"),
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static List<TopicPartition> partitionsOf(KafkaConsumer<byte[], byte[]> consumer, String topic) {
    return consumer.partitionsFor(topic).stream().map(info -> new TopicPartition(topic, info.partition())).toList();
  }

  /** Everything committed to the topic so far, up to its last stable offset. */
  private static List<ConsumerRecord<byte[], byte[]>> readAllCommitted(String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer = committedReader()) {
      List<TopicPartition> partitions = partitionsOf(consumer, topic);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
      await().atMost(WAIT).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        return partitions.stream().allMatch(partition -> consumer.position(partition) >= ends.get(partition));
      });
      return records;
    }
  }

  /**
   * The replies as the API reads them: the reply topic's records and the replies the events carry, in the
   * order written.
   */
  private static List<VerificationReply> readReplies(Topics topics, int expected) {
    List<Map.Entry<Long, VerificationReply>> found = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = committedReader()) {
      List<TopicPartition> partitions = new ArrayList<>(partitionsOf(consumer, topics.verificationReplies.name()));
      partitions.addAll(partitionsOf(consumer, topics.verificationEvents.name()));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      await().atMost(WAIT).until(() -> {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          VerificationReply reply = record.topic().equals(topics.verificationReplies.name())
              ? topics.verificationReplies.valueSerde().deserializer().deserialize("", record.value())
              : topics.verificationEvents.valueSerde().deserializer().deserialize("", record.value()).getReply();
          if (reply != null) {
            found.add(Map.entry(record.timestamp(), reply));
          }
        }
        return found.size() >= expected;
      });
    }
    found.sort(Map.Entry.comparingByKey());
    return found.stream().map(Map.Entry::getValue).toList();
  }

  /** Every offset a topic's partitions have taken, records and transaction markers alike. */
  private static long offsetsWritten(String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer = committedReader()) {
      List<TopicPartition> partitions = partitionsOf(consumer, topic);
      return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private static List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic, int expected) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = committedReader()) {
      List<TopicPartition> partitions = partitionsOf(consumer, topic);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      await().atMost(WAIT).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        return records.size() >= expected;
      });
    }
    records.sort(java.util.Comparator.comparingLong(ConsumerRecord::timestamp));
    return records;
  }

  private static void assertNoTopicHolds(Topics topics, String code) throws Exception {
    byte[] needle = code.getBytes(StandardCharsets.US_ASCII);
    List<String> names;
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      names = admin.listTopics().names().get().stream().filter(name -> name.startsWith("svc1.")).toList();
    }
    assertThat(names).contains(topics.sendCommands.name(), "svc1.dispatcher-verifications-changelog");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
        KafkaSettings.committedConsumer(KafkaAccess.plaintext(kafka.bootstrapServers()), null, "test-scan"), new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      names.forEach(name -> consumer.partitionsFor(name)
          .forEach(info -> partitions.add(new TopicPartition(name, info.partition()))));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      int scanned = 0;
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))
          && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          scanned++;
          assertThat(indexOf(record.key(), needle)).as("a code in " + record.topic()).isNegative();
          assertThat(indexOf(record.value(), needle)).as("a code in " + record.topic()).isNegative();
        }
      }
      assertThat(scanned).as("records scanned").isGreaterThan(5);
    }
  }

  private void assertNoStateFileHolds(String code) throws IOException {
    byte[] needle = code.getBytes(StandardCharsets.US_ASCII);
    List<Path> files;
    try (Stream<Path> walk = Files.walk(stateDir)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    assertThat(files).as("the stores were flushed at close").anyMatch(file -> file.toString().endsWith(".sst"));
    for (Path file : files) {
      assertThat(indexOf(Files.readAllBytes(file), needle)).as("a code in " + file.getFileName()).isNegative();
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    if (haystack == null) {
      return -1;
    }
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static int httpStatus(DispatcherService service, String path) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.httpPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
    return response.statusCode();
  }
}
