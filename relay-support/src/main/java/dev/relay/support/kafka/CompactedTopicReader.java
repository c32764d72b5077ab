package dev.relay.support.kafka;

import dev.relay.schemas.topics.Topic;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a small compacted topic (one record per key: services, prefix blocks) without a store: an
 * assigned consumer with no group reads committed records from the beginning to the end offsets it
 * found at the start, so what a caller acknowledged before the read is in it.
 */
public final class CompactedTopicReader {

  private static final Duration POLL = Duration.ofMillis(100);

  private CompactedTopicReader() {}

  /**
   * The latest value of every key, in key order; a tombstone removes its key.
   *
   * @throws KafkaException when the topic cannot be read, a {@link TimeoutException} when not to its end
   *     within {@code timeout}
   */
  public static <V> Map<String, V> latestByKey(KafkaAccess kafka, Topic<String, V> topic, String clientId,
      Duration timeout) {
    Map<String, Object> props = KafkaSettings.committedConsumer(kafka, null, clientId);
    Map<String, V> latest = new TreeMap<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic.name(), timeout);
      if (infos == null || infos.isEmpty()) {
        return latest;
      }
      List<TopicPartition> partitions = infos.stream().map(info -> new TopicPartition(info.topic(), info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
      while (!caughtUp(consumer, ends, timeout)) {
        if (System.nanoTime() > deadline) {
          throw new TimeoutException(topic.name() + " could not be read to its end in " + timeout);
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
          if (record.key() == null) {
            continue;
          }
          if (record.value() == null) {
            latest.remove(record.key());
          } else {
            latest.put(record.key(), topic.valueSerde().deserializer().deserialize(record.topic(), record.value()));
          }
        }
      }
    }
    return latest;
  }

  private static boolean caughtUp(KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> ends, Duration timeout) {
    for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
      if (consumer.position(end.getKey(), timeout) < end.getValue()) {
        return false;
      }
    }
    return true;
  }
}
