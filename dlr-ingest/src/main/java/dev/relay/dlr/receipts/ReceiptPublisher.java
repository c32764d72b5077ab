package dev.relay.dlr.receipts;

import dev.relay.schemas.DeliveryReceipt;
import dev.relay.schemas.topics.Topic;
import dev.relay.support.kafka.KafkaFutures;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Produces receipts to {@code delivery-receipts} and reports when the broker acknowledged them, so
 * the HTTP answer can wait for the ack. Whether the producer is durable (idempotent, acks=all) is
 * decided by whoever builds it: {@code KafkaSettings.durableProducer} in the service.
 */
public final class ReceiptPublisher {

  private final Producer<String, DeliveryReceipt> producer;
  private final Topic<String, DeliveryReceipt> topic;
  private final Duration ackTimeout;

  public ReceiptPublisher(Producer<String, DeliveryReceipt> producer, Topic<String, DeliveryReceipt> topic, Duration ackTimeout) {
    this.producer = producer;
    this.topic = topic;
    this.ackTimeout = ackTimeout;
  }

  /** Completes when Kafka acked the receipt; exceptionally when it did not within the ack timeout. */
  public CompletableFuture<RecordMetadata> publish(DeliveryReceipts.Keyed receipt) {
    // send() blocks the calling (HTTP server) thread for at most max.block.ms while metadata is
    // missing; the ack itself is awaited without a thread, and never longer than the ack timeout.
    return KafkaFutures.send(producer, new ProducerRecord<>(topic.name(), receipt.key(), receipt.value()))
        .orTimeout(ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
