package dev.relay.dlr.polling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.relay.dlr.receipts.DeliveryReceipts;
import dev.relay.dlr.receipts.ReceiptPublisher;
import dev.relay.providers.OutboundMessage;
import dev.relay.providers.ProviderClient;
import dev.relay.providers.ProviderResponse;
import dev.relay.providers.receipt.Receipt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.DeliveryReceipt;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.SendOutcome;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.topics.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class ReceiptPollerTest {

  private static final Instant NOW = Instant.parse("2026-11-28T12:05:00Z");
  private static final String NUMBER = "+4915112345678";
  private final Topics topics = Topics.defaults();
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

  /** A vendor that knows one message, delivered; Twilio echoes no client reference in a status lookup. */
  private static final ProviderClient TWILIO = new ProviderClient() {
    @Override
    public String name() {
      return "twilio";
    }

    @Override
    public Set<Channel> channels() {
      return Set.of(Channel.SMS);
    }

    @Override
    public CompletableFuture<ProviderResponse> send(OutboundMessage message) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Optional<Receipt>> checkStatus(String providerMessageId) {
      return CompletableFuture.completedFuture("sm100".equals(providerMessageId)
          ? Optional.of(new Receipt("twilio", "SM100", null, NUMBER, DeliveryStatus.DELIVERED, "delivered", null, null))
          : Optional.empty());
    }
  };

  /** An accepted send as the dispatcher asks for its status poll. */
  static SendResult acceptedSend(String provider, String messageId, Instant completedAt) {
    return SendResult.newBuilder()
        .setVerificationId("VEtest").setAttempt(1).setIdempotencyKey("VEtest-1").setTryIndex(0).setLastTry(true)
        .setProvider(provider).setChannel(Channel.SMS).setTo(NUMBER).setCountry("DE").setOutcome(SendOutcome.ACCEPTED)
        .setErrorCategory(ErrorCategory.NONE)
        .setProviderMessageId(messageId).setStartedAt(completedAt.minusMillis(80)).setCompletedAt(completedAt).build();
  }

  private ReceiptPoller poller(MockProducer<String, DeliveryReceipt> producer) {
    return new ReceiptPoller(new MockConsumer<>("earliest"), topics.receiptPolls.name(), Map.of("twilio", TWILIO),
        new ReceiptPublisher(producer, topics.deliveryReceipts, Duration.ofSeconds(5)), Duration.ofSeconds(2),
        Clock.fixed(NOW, ZoneOffset.UTC), metrics);
  }

  private MockProducer<String, DeliveryReceipt> producer(boolean autoComplete) {
    return new MockProducer<>(autoComplete, null, new StringSerializer(), topics.deliveryReceipts.valueSerde().serializer());
  }

  private ConsumerRecord<String, SendResult> poll(String provider, String messageId) {
    SendResult send = acceptedSend(provider, messageId, NOW.minusSeconds(60));
    return new ConsumerRecord<>(topics.receiptPolls.name(), 0, 0, NUMBER, send);
  }

  @Test
  void aKnownStatusBecomesTheReceiptTheCallbackWouldHaveBeen() {
    MockProducer<String, DeliveryReceipt> producer = producer(true);

    poller(producer).pollAll(List.of(poll("twilio", "sm100"), poll("twilio", "sm999"), poll("vonage", "0a0000001")));

    List<ProducerRecord<String, DeliveryReceipt>> produced = producer.history();
    assertThat(produced).singleElement().satisfies(record -> {
      assertThat(record.topic()).isEqualTo(topics.deliveryReceipts.name());
      assertThat(record.key()).isEqualTo(NUMBER);
      DeliveryReceipt receipt = record.value();
      assertThat(receipt.getProviderMessageId()).isEqualTo("sm100");
      assertThat(receipt.getIdempotencyKey()).isEqualTo("VEtest-1");
      assertThat(receipt.getStatus()).isEqualTo(DeliveryStatus.DELIVERED);
      assertThat(receipt.getFinalStatus()).isTrue();
      assertThat(receipt.getReceivedAt()).isEqualTo(NOW);
      // The id a signed callback for the same status gets: one of the two is dropped downstream.
      Receipt callback = new Receipt("twilio", "SM100", "VEtest-1", NUMBER, DeliveryStatus.DELIVERED, "delivered", null, null);
      assertThat(receipt.getReceiptId()).isEqualTo(DeliveryReceipts.receiptId(callback));
    });
    assertThat(metrics.counter("dlr_status_polls_total", "provider", "twilio", "outcome", "final").count()).isEqualTo(1);
    assertThat(metrics.counter("dlr_status_polls_total", "provider", "twilio", "outcome", "unknown").count()).isEqualTo(1);
    assertThat(metrics.counter("dlr_status_polls_total", "provider", "vonage", "outcome", "no_client").count()).isEqualTo(1);
  }

  @Test
  void aReceiptKafkaDidNotAckFailsTheBatchSoItIsNotCommitted() {
    MockProducer<String, DeliveryReceipt> producer = producer(false);
    ReceiptPoller poller = poller(producer);

    CompletableFuture<Void> batch = CompletableFuture.runAsync(() -> poller.pollAll(List.of(poll("twilio", "sm100"))));
    await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() == 1);
    assertThat(batch).isNotDone();
    producer.errorNext(new TimeoutException("broker unavailable"));

    assertThatThrownBy(batch::join).isInstanceOf(CompletionException.class);
  }
}
