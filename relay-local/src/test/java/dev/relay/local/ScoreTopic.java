package dev.relay.local;

import dev.relay.schemas.Channel;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.topics.ProviderScoreKeys;
import dev.relay.schemas.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads {@code provider-scores} as it is on the broker, to hold the page to what scoring published. */
final class ScoreTopic {

  private static final Duration READ_WAIT = Duration.ofSeconds(30);

  private ScoreTopic() {}

  /** When scoring published the route demoted, after a score that was not: the record's timestamp. */
  static Instant firstDemotion(String bootstrapServers, String provider, String country) {
    Topics topics = Topics.defaults();
    String key = ProviderScoreKeys.key(provider, country, Channel.SMS);
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
      Set<TopicPartition> partitions = consumer.partitionsFor(topics.providerScores.name()).stream()
          .map(info -> new TopicPartition(info.topic(), info.partition())).collect(Collectors.toSet());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      Boolean demoted = null;
      long deadline = System.nanoTime() + READ_WAIT.toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (!key.equals(record.key()) || record.value() == null) {
            continue;
          }
          ProviderScore score = topics.providerScores.valueSerde().deserializer().deserialize(record.topic(), record.value());
          if (Boolean.FALSE.equals(demoted) && score.getDemoted()) {
            return Instant.ofEpochMilli(record.timestamp());
          }
          demoted = score.getDemoted();
        }
      }
    }
    throw new AssertionError("scoring never published " + key + " demoted after a score that was not");
  }
}
