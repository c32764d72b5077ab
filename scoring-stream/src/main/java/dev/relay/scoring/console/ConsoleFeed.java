package dev.relay.scoring.console;

import dev.relay.schemas.ProviderAlert;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.RoutingTableVersion;
import dev.relay.schemas.topics.Topic;
import dev.relay.schemas.topics.Topics;
import dev.relay.support.kafka.KafkaAccess;
import dev.relay.support.kafka.KafkaSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fills the console's {@link ConsoleHistory} from the topics scoring already publishes (and the
 * routing table the dispatcher reads): one plain consumer on its own thread, no consumer group, every
 * partition assigned, so each scoring instance shows every route, not only those it scores. At start
 * it seeks back {@code retention} by timestamp (the routing table from its beginning: compacted, one
 * key), so the console is rebuilt from Kafka after a restart without a store of its own.
 */
public final class ConsoleFeed implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ConsoleFeed.class);
  /** Records end a poll at once, and close() wakes it: longer only wakes an idle feed less often. */
  private static final Duration POLL = Duration.ofSeconds(5);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Topics topics;
  private final ConsoleHistory history;
  private final Thread thread;
  private volatile boolean closed;

  private ConsoleFeed(KafkaConsumer<byte[], byte[]> consumer, Topics topics, ConsoleHistory history) {
    this.consumer = consumer;
    this.topics = topics;
    this.history = history;
    this.thread = new Thread(this::run, "scoring-console-feed");
    this.thread.setDaemon(true);
  }

  /** Assigns the partitions, seeks back {@code retention} and starts reading. */
  public static ConsoleFeed start(KafkaAccess kafka, Topics topics, ConsoleHistory history, Duration retention, Clock clock) {
    Map<String, Object> props = KafkaSettings.committedConsumer(kafka, null, "relay-scoring-console");
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    try {
      long since = clock.instant().minus(retention).toEpochMilli();
      List<TopicPartition> fromTime = partitions(consumer, topics.providerScoreHistory, topics.providerScores, topics.providerAlerts);
      List<TopicPartition> fromStart = partitions(consumer, topics.routingTable);
      List<TopicPartition> all = new ArrayList<>(fromTime);
      all.addAll(fromStart);
      consumer.assign(all);
      consumer.seekToBeginning(fromStart);
      Map<TopicPartition, Long> times = new HashMap<>();
      fromTime.forEach(partition -> times.put(partition, since));
      Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(times);
      List<TopicPartition> nothingSince = new ArrayList<>();
      offsets.forEach((partition, offset) -> {
        if (offset == null) {
          nothingSince.add(partition);
        } else {
          consumer.seek(partition, offset.offset());
        }
      });
      consumer.seekToEnd(nothingSince);
    } catch (RuntimeException e) {
      consumer.close();
      throw e;
    }
    ConsoleFeed feed = new ConsoleFeed(consumer, topics, history);
    feed.thread.start();
    return feed;
  }

  private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, Topic<?, ?>... topics) {
    List<TopicPartition> partitions = new ArrayList<>();
    for (Topic<?, ?> topic : topics) {
      for (PartitionInfo info : consumer.partitionsFor(topic.name())) {
        partitions.add(new TopicPartition(info.topic(), info.partition()));
      }
    }
    return partitions;
  }

  private void run() {
    try {
      while (!closed) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
          take(record);
        }
      }
    } catch (WakeupException e) {
      if (!closed) {
        LOG.error("the console feed was woken up unexpectedly", e);
      }
    } catch (RuntimeException e) {
      // The console is a view: scoring itself goes on, the page says the history is stale.
      LOG.error("the console feed stopped; the console's history no longer follows the topics", e);
    } finally {
      consumer.close();
    }
  }

  private void take(ConsumerRecord<byte[], byte[]> record) {
    if (record.value() == null) {
      return;
    }
    try {
      String topic = record.topic();
      if (topic.equals(topics.providerScoreHistory.name())) {
        history.addWindow(decode(topics.providerScoreHistory, record));
      } else if (topic.equals(topics.providerScores.name())) {
        ProviderScore score = decode(topics.providerScores, record);
        history.addScore(score, Instant.ofEpochMilli(record.timestamp()));
      } else if (topic.equals(topics.providerAlerts.name())) {
        ProviderAlert alert = decode(topics.providerAlerts, record);
        history.addAlert(alert);
      } else if (topic.equals(topics.routingTable.name())) {
        RoutingTableVersion table = decode(topics.routingTable, record);
        history.setTable(table);
      }
    } catch (RuntimeException e) {
      // One record the console cannot read is left out of the view; scoring's own dead letters are its topology's.
      LOG.warn("the console skips {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.toString());
    }
  }

  private static <V> V decode(Topic<String, V> topic, ConsumerRecord<byte[], byte[]> record) {
    return topic.valueSerde().deserializer().deserialize(topic.name(), record.value());
  }

  /** Whether the feed still follows the topics. */
  public boolean running() {
    return thread.isAlive();
  }

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
    try {
      thread.join(Duration.ofSeconds(10).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
