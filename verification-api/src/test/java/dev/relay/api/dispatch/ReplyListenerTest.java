package dev.relay.api.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.relay.api.FakeDispatcherLink;
import dev.relay.schemas.Channel;
import dev.relay.schemas.ReplyKind;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.VerificationReply;
import dev.relay.schemas.VerificationStatus;
import dev.relay.schemas.topics.Topic;
import dev.relay.schemas.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReplyListenerTest {

  private static final Topic<String, VerificationReply> REPLIES = Topics.defaults().verificationReplies;
  private static final TopicPartition P0 = new TopicPartition(REPLIES.name(), 0);
  private static final TopicPartition P1 = new TopicPartition(REPLIES.name(), 1);
  private static final Topic<String, VerificationEvent> EVENTS = Topics.defaults().verificationEvents;
  private static final TopicPartition E0 = new TopicPartition(EVENTS.name(), 0);

  private final MockConsumer<String, byte[]> consumer = new BlockingMockConsumer<>();
  private final ReplyListener listener = new ReplyListener(consumer, REPLIES, EVENTS, Duration.ofSeconds(5));
  private final Map<TopicPartition, Long> nextOffset = new java.util.concurrent.ConcurrentHashMap<>();

  @BeforeEach
  void start() {
    Node node = new Node(0, "localhost", 9092);
    consumer.updatePartitions(REPLIES.name(), List.of(
        new PartitionInfo(REPLIES.name(), 0, node, new Node[] {node}, new Node[] {node}),
        new PartitionInfo(REPLIES.name(), 1, node, new Node[] {node}, new Node[] {node})));
    consumer.updatePartitions(EVENTS.name(), List.of(
        new PartitionInfo(EVENTS.name(), 0, node, new Node[] {node}, new Node[] {node})));
    // Replies written before the instance started: they must be skipped, not delivered.
    consumer.updateEndOffsets(Map.of(P0, 5L, P1, 3L, E0, 7L));
    nextOffset.put(P0, 5L);
    nextOffset.put(P1, 3L);
    nextOffset.put(E0, 7L);
    listener.start();
  }

  @AfterEach
  void stop() {
    listener.close();
  }

  @Test
  void readsEveryPartitionOfTheRepliesAndTheEventsFromItsEnd() {
    assertThat(consumer.assignment()).containsExactlyInAnyOrder(P0, P1, E0);
    assertThat(consumer.position(P0)).isEqualTo(5L);
    assertThat(consumer.position(P1)).isEqualTo(3L);
    assertThat(consumer.position(E0)).isEqualTo(7L);
    assertThat(listener.isReady()).isTrue();
  }

  @Test
  void completesTheRequestWaitingOnTheReplysCorrelationId() throws Exception {
    ReplyListener.Expectation expectation = listener.expect("c-1");

    deliver(P1, reply("c-1"));

    assertThat(expectation.reply().get(5, TimeUnit.SECONDS).getCorrelationId()).isEqualTo("c-1");
  }

  @Test
  void completesTheRequestWithTheReplyItsEventCarries() throws Exception {
    ReplyListener.Expectation expectation = listener.expect("c-1");

    deliver(E0, event(null));
    deliver(E0, event(reply("someone-elses")));
    assertThat(expectation.reply()).isNotDone();
    deliver(E0, event(reply("c-1")));

    assertThat(expectation.reply().get(5, TimeUnit.SECONDS).getCorrelationId()).isEqualTo("c-1");
  }

  @Test
  void anEventThatDoesNotDecodeIsSkipped() throws Exception {
    ReplyListener.Expectation expectation = listener.expect("c-1");

    deliver(E0, "+4915112345678", new byte[] {1, 2, 3});
    deliver(E0, "+4915112345678", null);
    deliver(E0, event(reply("c-1")));

    assertThat(expectation.reply().get(5, TimeUnit.SECONDS).getKind()).isEqualTo(ReplyKind.STARTED);
    assertThat(listener.isReady()).isTrue();
  }

  @Test
  void ignoresRepliesNobodyHereWaitsFor() throws Exception {
    ReplyListener.Expectation expectation = listener.expect("c-1");

    deliver(P0, reply("someone-elses"));
    deliver(P1, reply("c-1"));

    assertThat(expectation.reply().get(5, TimeUnit.SECONDS).getCorrelationId()).isEqualTo("c-1");
    assertThat(listener.waitingCount()).isEqualTo(1);
  }

  @Test
  void everyRequestWaitingOnOneIdGetsTheReply() throws Exception {
    ReplyListener.Expectation first = listener.expect("same-request-id");
    ReplyListener.Expectation second = listener.expect("same-request-id");

    deliver(P0, reply("same-request-id"));

    assertThat(first.reply().get(5, TimeUnit.SECONDS)).isEqualTo(second.reply().get(5, TimeUnit.SECONDS));
  }

  @Test
  void cancellingOneWaitAffectsNoOther() throws Exception {
    ReplyListener.Expectation first = listener.expect("same-request-id");
    ReplyListener.Expectation second = listener.expect("same-request-id");

    first.reply().cancel(true);
    first.close();
    deliver(P0, reply("same-request-id"));

    assertThat(second.reply().get(5, TimeUnit.SECONDS).getCorrelationId()).isEqualTo("same-request-id");
  }

  @Test
  void anIdIsForgottenWhenItsLastWaitCloses() {
    ReplyListener.Expectation first = listener.expect("c-1");
    ReplyListener.Expectation second = listener.expect("c-1");
    assertThat(listener.waitingCount()).isEqualTo(1);

    first.close();
    first.close();
    assertThat(listener.waitingCount()).isEqualTo(1);
    second.close();

    assertThat(listener.waitingCount()).isZero();
  }

  @Test
  void aRecordThatDoesNotDecodeIsSkipped() throws Exception {
    ReplyListener.Expectation expectation = listener.expect("c-1");

    deliver(P0, "c-1", new byte[] {1, 2, 3});
    deliver(P0, "c-1", null);
    deliver(P0, reply("c-1"));

    assertThat(expectation.reply().get(5, TimeUnit.SECONDS).getKind()).isEqualTo(ReplyKind.STARTED);
    assertThat(listener.isReady()).isTrue();
  }

  @Test
  void aFailingConsumerMakesItNotReady() {
    CompletableFuture<VerificationReply> waiting = listener.expect("c-1").reply();

    consumer.setPollException(new KafkaException("broken"));

    await().atMost(Duration.ofSeconds(5)).until(() -> !listener.isReady());
    assertThat(waiting).isNotDone();
  }

  @Test
  void closingStopsReadingAndClosesTheConsumer() {
    listener.close();

    assertThat(listener.isReady()).isFalse();
    assertThat(consumer.closed()).isTrue();
  }

  @Test
  void startFailsWhenTheReplyTopicDoesNotExist() {
    MockConsumer<String, byte[]> empty = new MockConsumer<>("latest");
    ReplyListener orphan = new ReplyListener(empty, REPLIES, EVENTS, Duration.ofSeconds(5));

    assertThatThrownBy(orphan::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(REPLIES.name());
    assertThat(orphan.isReady()).isFalse();
    assertThat(empty.closed()).isTrue();
  }

  private void deliver(TopicPartition partition, VerificationReply reply) {
    deliver(partition, reply.getCorrelationId(), REPLIES.valueSerde().serializer().serialize(REPLIES.name(), reply));
  }

  private void deliver(TopicPartition partition, VerificationEvent event) {
    deliver(partition, event.getTo(), EVENTS.valueSerde().serializer().serialize(EVENTS.name(), event));
  }

  private void deliver(TopicPartition partition, String key, byte[] value) {
    long offset = nextOffset.merge(partition, 1L, Long::sum) - 1;
    consumer.addRecord(new ConsumerRecord<>(partition.topic(), partition.partition(), offset, key, value));
  }

  private static VerificationEvent event(VerificationReply carried) {
    Instant now = Instant.parse("2026-03-02T12:00:00Z");
    return VerificationEvent.newBuilder()
        .setVerificationId("v-1")
        .setTo("+4915112345678")
        .setCountry("DE")
        .setChannel(Channel.SMS)
        .setStatus(VerificationStatus.PENDING)
        .setCreatedAt(now)
        .setOccurredAt(now)
        .setReply(carried)
        .build();
  }

  private static VerificationReply reply(String correlationId) {
    return FakeDispatcherLink.reply(correlationId, ReplyKind.STARTED).build();
  }
}
