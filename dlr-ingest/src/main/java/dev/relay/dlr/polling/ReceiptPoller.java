package dev.relay.dlr.polling;

import dev.relay.dlr.receipts.DeliveryReceipts;
import dev.relay.dlr.receipts.ReceiptPublisher;
import dev.relay.providers.ProviderClient;
import dev.relay.providers.receipt.Receipt;
import dev.relay.schemas.SendResult;
import dev.relay.support.logging.LogContext;
import dev.relay.support.phone.PhoneNumbers;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes poll requests: asks each send's vendor for the message's status through
 * {@link ProviderClient#checkStatus} and produces what it says to {@code delivery-receipts}, as the
 * vendor's callback would have (same receipt id, so a receipt that arrives both ways counts once).
 * A batch's offsets are committed only after every receipt of it was acked; when producing fails,
 * the consumer goes back to the last commit and the batch is polled again.
 */
public final class ReceiptPoller implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(ReceiptPoller.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);

  private final Consumer<String, SendResult> consumer;
  private final String topic;
  private final Map<String, ProviderClient> clients;
  private final ReceiptPublisher publisher;
  private final Duration lookupTimeout;
  private final Clock clock;
  private final MeterRegistry metrics;
  private volatile boolean running = true;

  public ReceiptPoller(Consumer<String, SendResult> consumer, String topic, Map<String, ProviderClient> clients,
      ReceiptPublisher publisher, Duration lookupTimeout, Clock clock, MeterRegistry metrics) {
    this.consumer = consumer;
    this.topic = topic;
    this.clients = Map.copyOf(clients);
    this.publisher = publisher;
    this.lookupTimeout = lookupTimeout;
    this.clock = clock;
    this.metrics = metrics;
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(List.of(topic));
      while (running) {
        ConsumerRecords<String, SendResult> records = consumer.poll(POLL_TIMEOUT);
        if (records.isEmpty()) {
          continue;
        }
        try {
          pollAll(records);
          consumer.commitSync();
        } catch (RuntimeException e) {
          LOG.warn("status polls of {} records not recorded ({}); they are polled again", records.count(), e.toString());
          rewind();
        }
      }
    } catch (WakeupException e) {
      if (running) {
        throw e;
      }
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /** Stops the loop from any thread; {@link #run} returns after closing the consumer. */
  public void stop() {
    running = false;
    consumer.wakeup();
  }

  /** Looks every record's status up at once, then publishes what the vendors said and waits for the acks. */
  void pollAll(Iterable<ConsumerRecord<String, SendResult>> records) {
    List<CompletableFuture<?>> published = new ArrayList<>();
    List<CompletableFuture<Optional<Receipt>>> lookups = new ArrayList<>();
    List<SendResult> sends = new ArrayList<>();
    for (ConsumerRecord<String, SendResult> record : records) {
      SendResult send = record.value();
      if (send == null || send.getProviderMessageId() == null) {
        continue;
      }
      ProviderClient client = clients.get(send.getProvider());
      if (client == null) {
        count(send.getProvider(), "no_client");
        continue;
      }
      sends.add(send);
      lookups.add(client.checkStatus(send.getProviderMessageId())
          .completeOnTimeout(Optional.empty(), lookupTimeout.toMillis(), TimeUnit.MILLISECONDS));
    }
    for (int i = 0; i < sends.size(); i++) {
      SendResult send = sends.get(i);
      Optional<Receipt> status = lookups.get(i).join();
      if (status.isEmpty()) {
        count(send.getProvider(), "unknown");
        continue;
      }
      Receipt receipt = asCallback(status.get(), send);
      count(send.getProvider(), receipt.finalStatus() ? "final" : "intermediate");
      // Never the receipt itself: its toString holds the full number.
      try (LogContext.Scope verification = LogContext.verification(send.getVerificationId())) {
        LOG.debug("polled {} message {}: {} for {}", receipt.provider(), receipt.providerMessageId(), receipt.status(),
            PhoneNumbers.mask(receipt.to()));
      }
      published.add(publisher.publish(DeliveryReceipts.of(receipt, clock.instant())));
    }
    CompletableFuture.allOf(published.toArray(CompletableFuture[]::new)).join();
  }

  /** The status as the callback would have carried it: the send's client reference, and its number when the vendor omits it. */
  static Receipt asCallback(Receipt status, SendResult send) {
    return new Receipt(send.getProvider(), send.getProviderMessageId(),
        status.idempotencyKey() != null ? status.idempotencyKey() : send.getIdempotencyKey(),
        status.to() != null ? status.to() : send.getTo(),
        status.status(), status.vendorStatus(), status.vendorErrorCode(), status.occurredAt());
  }

  private void rewind() {
    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(consumer.assignment());
    Map<TopicPartition, Long> beginning = new HashMap<>();
    committed.forEach((partition, offset) -> {
      if (offset != null) {
        consumer.seek(partition, offset);
      } else {
        beginning.put(partition, 0L);
      }
    });
    if (!beginning.isEmpty()) {
      consumer.seekToBeginning(beginning.keySet());
    }
  }

  private void count(String provider, String outcome) {
    metrics.counter("dlr_status_polls_total", "provider", provider, "outcome", outcome).increment();
  }
}
