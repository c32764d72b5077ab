package dev.relay.scoring.replay;

import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.topics.Topic;
import dev.relay.schemas.topics.Topics;
import dev.relay.support.kafka.KafkaAccess;
import dev.relay.support.kafka.KafkaSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a {@link Recording} from the topics: verification events, send results and delivery receipts
 * from {@code from} to {@code to} plus {@code settle} (so the verifications started before {@code to}
 * are seen to their end), and the scores ({@code provider-scores}, {@code provider-score-history}) from
 * {@code scoreLookback} before {@code from}, so the order at the range's start is known. One plain
 * consumer per topic, no group, every partition assigned; it seeks by timestamp ({@code offsetsForTimes}),
 * reads committed records only, and stops each partition at its end offset as it stood when the read
 * began or at its first record past the range. A record that does not decode is counted and left out.
 */
public final class RecordingReader {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Duration POLL = Duration.ofMillis(200);

  private final KafkaAccess kafka;
  private final Topics topics;
  private long undecodable;

  public RecordingReader(KafkaAccess kafka, Topics topics) {
    this.kafka = kafka;
    this.topics = topics;
  }

  public Recording read(Instant from, Instant to, Duration settle, Duration scoreLookback) {
    Instant until = to.plus(settle);
    List<ProviderScore> scores = new ArrayList<>(read(topics.providerScoreHistory, from.minus(scoreLookback), until));
    scores.addAll(read(topics.providerScores, from.minus(scoreLookback), until));
    return new Recording(from, to, read(topics.verificationEvents, from, until), read(topics.sendResults, from, until),
        read(topics.deliveryReceipts, from, until), scores);
  }

  /** Records that could not be decoded (an unknown writer schema, a foreign producer) and were left out. */
  public long undecodable() {
    return undecodable;
  }

  private <V> List<V> read(Topic<?, V> topic, Instant since, Instant until) {
    List<V> values = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
        KafkaSettings.committedConsumer(kafka, null, "relay-routing-replay"),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic.name(), TIMEOUT);
      if (infos == null || infos.isEmpty()) {
        return values;
      }
      List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, TIMEOUT);
      Map<TopicPartition, Long> times = new HashMap<>();
      partitions.forEach(partition -> times.put(partition, since.toEpochMilli()));
      Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(times, TIMEOUT);
      Set<TopicPartition> open = new HashSet<>();
      for (TopicPartition partition : partitions) {
        OffsetAndTimestamp start = starts.get(partition);
        long end = ends.getOrDefault(partition, 0L);
        if (start != null && start.offset() < end) {
          consumer.seek(partition, start.offset());
          open.add(partition);
        }
      }
      consumer.pause(partitions.stream().filter(p -> !open.contains(p)).toList());
      var deserializer = topic.valueSerde().deserializer();
      while (!open.isEmpty()) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
          TopicPartition partition = new TopicPartition(record.topic(), record.partition());
          if (!open.contains(partition)) {
            continue;
          }
          if (record.timestamp() > until.toEpochMilli()) {
            close(consumer, open, partition);
            continue;
          }
          // A producer's clock may put a record a little before its neighbours: the range is by timestamp.
          if (record.value() != null && record.timestamp() >= since.toEpochMilli()) {
            try {
              values.add(deserializer.deserialize(record.topic(), record.value()));
            } catch (RuntimeException e) {
              undecodable++;
            }
          }
          if (record.offset() + 1 >= ends.get(partition)) {
            close(consumer, open, partition);
          }
        }
        // Under read_committed the end offset may sit behind a transaction marker no record reaches.
        for (TopicPartition partition : List.copyOf(open)) {
          if (consumer.position(partition, TIMEOUT) >= ends.get(partition)) {
            close(consumer, open, partition);
          }
        }
      }
    }
    return values;
  }

  private static void close(KafkaConsumer<byte[], byte[]> consumer, Set<TopicPartition> open, TopicPartition partition) {
    open.remove(partition);
    consumer.pause(List.of(partition));
  }
}
