package dev.relay.api.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.relay.api.FakeDispatcherLink;
import dev.relay.schemas.Channel;
import dev.relay.schemas.CodeCheckRequest;
import dev.relay.schemas.ReplyKind;
import dev.relay.schemas.SealedSecret;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.VerificationReply;
import dev.relay.schemas.VerificationRequest;
import dev.relay.schemas.VerificationStatus;
import dev.relay.schemas.topics.Topics;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KafkaDispatcherLinkTest {

  private static final Topics TOPICS = Topics.defaults();
  private static final TopicPartition REPLIES = new TopicPartition(TOPICS.verificationReplies.name(), 0);
  private static final TopicPartition EVENTS = new TopicPartition(TOPICS.verificationEvents.name(), 0);
  private static final String NUMBER = "+4915112345678";
  private static final Duration PATIENT = Duration.ofSeconds(30);
  private static final Duration SHORT_REPLY_TIMEOUT = Duration.ofMillis(300);
  private static final Duration SHORT_PRODUCE_TIMEOUT = Duration.ofMillis(100);

  private final MockProducer<String, byte[]> producer =
      new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
  private final MockConsumer<String, byte[]> consumer = new BlockingMockConsumer<>();
  private final ReplyListener replies = new ReplyListener(consumer, TOPICS.verificationReplies, TOPICS.verificationEvents,
      Duration.ofSeconds(5));
  private final AtomicLong replyOffset = new AtomicLong();
  private final AtomicLong eventOffset = new AtomicLong();
  private KafkaDispatcherLink link;

  @BeforeEach
  void positionTheListener() {
    Node node = new Node(0, "localhost", 9092);
    consumer.updatePartitions(REPLIES.topic(), List.of(new PartitionInfo(REPLIES.topic(), 0, node, new Node[] {node}, new Node[] {node})));
    consumer.updatePartitions(EVENTS.topic(), List.of(new PartitionInfo(EVENTS.topic(), 0, node, new Node[] {node}, new Node[] {node})));
    consumer.updateEndOffsets(Map.of(REPLIES, 0L, EVENTS, 0L));
  }

  @AfterEach
  void stop() {
    if (link != null) {
      link.close();
    }
  }

  /**
   * Timeouts no busy test machine reaches, where none should fire: with the short ones everywhere, a
   * test held up between two steps on a loaded CI machine saw its ack time out.
   */
  private void startLink() {
    startLink(PATIENT, PATIENT);
  }

  private void startLink(Duration replyTimeout, Duration produceTimeout) {
    link = new KafkaDispatcherLink(TOPICS, replyTimeout, produceTimeout, producer, replies);
    assertThat(link.isReady()).isFalse();
    link.start();
  }

  @Test
  void aStartIsProducedKeyedByTheNumberAskingForItsReplyInTheEventAndAnsweredByIt() throws Exception {
    startLink();
    VerificationRequest request = request("req-1");

    CompletableFuture<VerificationReply> answer = link.start(request);

    assertThat(producer.history()).hasSize(1);
    ProducerRecord<String, byte[]> record = producer.history().get(0);
    assertThat(record.topic()).isEqualTo(TOPICS.verificationRequests.name());
    assertThat(record.key()).isEqualTo(NUMBER);
    assertThat(TOPICS.verificationRequests.valueSerde().deserializer().deserialize(record.topic(), record.value()))
        .isEqualTo(VerificationRequest.newBuilder(request).setReplyInEvent(true).build());
    assertThat(answer).isNotDone();

    producer.completeNext();
    assertThat(answer).isNotDone();
    createdEventArrives(request, FakeDispatcherLink.started(request, ReplyKind.STARTED));

    assertThat(answer.get(5, TimeUnit.SECONDS).getVerificationId()).isEqualTo("VE-proposed");
    await().until(() -> replies.waitingCount() == 0);
  }

  @Test
  void aStartAnsweredOnTheReplyTopicIsAnsweredToo() throws Exception {
    startLink();
    VerificationRequest request = request("req-1");

    CompletableFuture<VerificationReply> answer = link.start(request);
    producer.completeNext();
    replyArrives(FakeDispatcherLink.started(request, ReplyKind.EXISTING));

    assertThat(answer.get(5, TimeUnit.SECONDS).getKind()).isEqualTo(ReplyKind.EXISTING);
  }

  @Test
  void aReplyFasterThanTheAckIsNotLost() throws Exception {
    startLink();
    VerificationRequest request = request("req-1");
    CompletableFuture<VerificationReply> answer = link.start(request);

    replyArrives(FakeDispatcherLink.started(request, ReplyKind.EXISTING));
    // The listener delivers a poll's records before it polls again, and the mock runs one scheduled
    // task per poll: the second task runs only after the poll that returned the reply has delivered it.
    CountDownLatch replyDelivered = new CountDownLatch(1);
    consumer.schedulePollTask(() -> { });
    consumer.schedulePollTask(replyDelivered::countDown);
    await().until(() -> replyDelivered.getCount() == 0);
    assertThat(answer).as("waits for the ack, though its reply is in").isNotDone();
    producer.completeNext();

    assertThat(answer.get(5, TimeUnit.SECONDS).getKind()).isEqualTo(ReplyKind.EXISTING);
  }

  @Test
  void aCheckIsProducedToCodeChecksAndCorrelatedByItsCheckId() throws Exception {
    startLink();
    CodeCheckRequest check = CodeCheckRequest.newBuilder()
        .setCheckId("check-1").setVerificationId("VE-1").setTo(NUMBER)
        .setCode(new SealedSecret("k1", ByteBuffer.wrap(new byte[12]), ByteBuffer.wrap(new byte[22])))
        .setRequestedAt(Instant.parse("2030-01-01T00:00:00Z")).build();

    CompletableFuture<VerificationReply> answer = link.check(check);
    producer.completeNext();
    replyArrives(FakeDispatcherLink.reply("not-this-one", ReplyKind.CHECKED).build());
    replyArrives(FakeDispatcherLink.reply("check-1", ReplyKind.CHECKED).setValid(true).build());

    assertThat(producer.history()).singleElement().satisfies(record -> {
      assertThat(record.topic()).isEqualTo(TOPICS.codeChecks.name());
      assertThat(record.key()).isEqualTo(NUMBER);
      assertThat(TOPICS.codeChecks.valueSerde().deserializer().deserialize(record.topic(), record.value()).getReplyInEvent())
          .isTrue();
    });
    assertThat(answer.get(5, TimeUnit.SECONDS).getValid()).isTrue();
  }

  @Test
  void aSendKafkaRefusesIsNotAcknowledgedAndWaitsForNoReply() {
    startLink();
    CompletableFuture<VerificationReply> answer = link.start(request("req-1"));

    producer.errorNext(new TimeoutException("Expiring 1 record(s)"));

    assertThatThrownBy(() -> answer.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(NotAcknowledgedException.class)
        .hasMessageContaining(TOPICS.verificationRequests.name())
        .hasMessageNotContaining(NUMBER);
    await().until(() -> replies.waitingCount() == 0);
  }

  @Test
  void anAckThatNeverComesEndsAsNotAcknowledged() {
    startLink(PATIENT, SHORT_PRODUCE_TIMEOUT);
    CompletableFuture<VerificationReply> answer = link.start(request("req-1"));

    assertThatThrownBy(() -> answer.get(5, TimeUnit.SECONDS))
        .cause().isInstanceOf(NotAcknowledgedException.class);
  }

  @Test
  void aProducerThatCannotSendAtAllIsNotAcknowledged() {
    startLink();
    producer.close();

    CompletableFuture<VerificationReply> answer = link.start(request("req-1"));

    assertThatThrownBy(() -> answer.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(NotAcknowledgedException.class);
  }

  @Test
  void noReplyWithinTheTimeoutIsNoReply() {
    startLink(SHORT_REPLY_TIMEOUT, PATIENT);
    CompletableFuture<VerificationReply> answer = link.start(request("req-1"));
    producer.completeNext();

    assertThatThrownBy(() -> answer.get(5, TimeUnit.SECONDS))
        .cause().isInstanceOf(NoReplyException.class).hasMessageContaining("PT0.3S");
    await().until(() -> replies.waitingCount() == 0);
  }

  @Test
  void readinessFollowsTheReplyListener() {
    startLink();
    assertThat(link.isReady()).isTrue();

    replies.close();

    assertThat(link.isReady()).isFalse();
  }

  private void replyArrives(VerificationReply reply) {
    byte[] bytes = TOPICS.verificationReplies.valueSerde().serializer().serialize(REPLIES.topic(), reply);
    consumer.addRecord(new ConsumerRecord<>(REPLIES.topic(), 0, replyOffset.getAndIncrement(), reply.getCorrelationId(), bytes));
  }

  private void createdEventArrives(VerificationRequest request, VerificationReply reply) {
    VerificationEvent created = VerificationEvent.newBuilder()
        .setVerificationId(request.getVerificationId()).setTo(request.getTo()).setCountry(request.getCountry())
        .setChannel(request.getChannel()).setStatus(VerificationStatus.PENDING).setReason("created")
        .setCreatedAt(request.getRequestedAt()).setOccurredAt(request.getRequestedAt())
        .setReply(reply)
        .build();
    byte[] bytes = TOPICS.verificationEvents.valueSerde().serializer().serialize(EVENTS.topic(), created);
    consumer.addRecord(new ConsumerRecord<>(EVENTS.topic(), 0, eventOffset.getAndIncrement(), created.getTo(), bytes));
  }

  private static VerificationRequest request(String requestId) {
    return VerificationRequest.newBuilder()
        .setRequestId(requestId).setVerificationId("VE-proposed").setTo(NUMBER).setCountry("DE")
        .setChannel(Channel.SMS).setReplyTo(requestId).setRequestedAt(Instant.parse("2030-01-01T00:00:00Z"))
        .build();
  }
}
