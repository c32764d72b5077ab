package dev.relay.support.kafka;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/** Bridges the producer's callback to a future, so an HTTP answer can wait for the broker's ack. */
public final class KafkaFutures {

  private KafkaFutures() {}

  /** Completes when the broker acknowledged the record, or exceptionally when it will not. */
  public static <K, V> CompletableFuture<RecordMetadata> send(Producer<K, V> producer, ProducerRecord<K, V> record) {
    CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
    try {
      producer.send(record, (metadata, error) -> {
        if (error != null) {
          acked.completeExceptionally(error);
        } else {
          acked.complete(metadata);
        }
      });
    } catch (RuntimeException e) {
      // send() itself throws when metadata cannot be fetched within max.block.ms.
      acked.completeExceptionally(e);
    }
    return acked;
  }
}
