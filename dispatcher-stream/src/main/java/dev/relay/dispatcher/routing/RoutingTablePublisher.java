package dev.relay.dispatcher.routing;

import dev.relay.support.routing.RoutingTableFile;
import dev.relay.support.kafka.KafkaAccess;
import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.schemas.RoutingTableVersion;
import dev.relay.schemas.topics.Topic;
import dev.relay.schemas.topics.Topics;
import dev.relay.support.config.CommonKeys;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.ConfigSchema;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.kafka.KafkaSettings;
import dev.relay.support.kafka.TopicProvisioner;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Publishes a validated routing table to {@code routing-table}, where every dispatcher picks it up
 * without a restart. Also the command line tool:
 * {@code java -cp ... dev.relay.dispatcher.routing.RoutingTablePublisher --relay.routing.table-file=routes.json
 * [--relay.kafka.bootstrap-servers=...]}; exits 0 once the broker acknowledged the version, 2 when the
 * table is invalid (nothing is published), 1 when the broker cannot be reached.
 */
public final class RoutingTablePublisher {

  public static final ConfigSchema SCHEMA = ConfigSchema.combine(
      List.of(CommonKeys.BOOTSTRAP_SERVERS, CommonKeys.KAFKA_CLIENT_PROPERTIES_FILE, DispatcherConfig.TABLE_FILE),
      CommonKeys.topicKeys()).withPrefix(KafkaAccess.CLIENT_KEYS);

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final KafkaAccess kafka;
  private final Topic<String, RoutingTableVersion> topic;
  private final Clock clock;

  public RoutingTablePublisher(KafkaAccess kafka, Topics topics, Clock clock) {
    this.kafka = kafka;
    this.topic = topics.routingTable;
    this.clock = clock;
  }

  /**
   * Reads, validates and publishes the file as a new version (the publication time in milliseconds,
   * so a later publication always wins).
   *
   * @throws ConfigException when the file is not a valid table; nothing is published then
   */
  public RoutingTableVersion publish(Path file, String publishedBy) {
    Instant now = clock.instant();
    RoutingTableVersion table = RoutingTableFile.read(file, now.toEpochMilli(), now, publishedBy);
    send(table);
    return table;
  }

  /** Publishes a version already read and checked (the admin API's); throws when the broker did not acknowledge it. */
  public void publish(RoutingTableVersion table) {
    send(table);
  }

  /** Publishes the file only when no table was ever published: a restart must not undo an operator's change. */
  public boolean publishIfNoneYet(Path file, String publishedBy) {
    Instant now = clock.instant();
    RoutingTableVersion table = RoutingTableFile.read(file, now.toEpochMilli(), now, publishedBy);
    if (anyPublished()) {
      return false;
    }
    send(table);
    return true;
  }

  private boolean anyPublished() {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
        KafkaSettings.committedConsumer(kafka, null, "relay-routing-table-check"),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<PartitionInfo> partitions = consumer.partitionsFor(topic.name(), TIMEOUT);
      List<TopicPartition> all = partitions.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      // Compaction keeps the latest record of the one key, so an end offset above 0 means a table exists.
      return consumer.endOffsets(all, TIMEOUT).values().stream().anyMatch(end -> end > 0);
    }
  }

  private void send(RoutingTableVersion table) {
    try (KafkaProducer<String, RoutingTableVersion> producer = new KafkaProducer<>(
        KafkaSettings.durableProducer(kafka, "relay-routing-table-publisher", TIMEOUT),
        topic.keySerde().serializer(), topic.valueSerde().serializer())) {
      producer.send(new ProducerRecord<>(topic.name(), Topics.ROUTING_TABLE_KEY, table))
          .get(TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing the routing table", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the routing table was not published: " + e.getMessage(), e);
    }
  }

  public static void main(String[] args) {
    try {
      RelayConfig config = RelayConfig.load(SCHEMA, args);
      String file = config.find(DispatcherConfig.TABLE_FILE).map(String::trim).orElse("");
      if (file.isEmpty()) {
        throw new ConfigException(DispatcherConfig.TABLE_FILE.name() + " names the table to publish; it is empty");
      }
      Topics topics = Topics.fromConfig(config.lookup());
      KafkaAccess kafka = KafkaAccess.from(config);
      TopicProvisioner.ensure(kafka, List.<Topic<?, ?>>of(topics.routingTable), TIMEOUT);
      RoutingTableVersion published = new RoutingTablePublisher(kafka, topics, Clock.systemUTC())
          .publish(Path.of(file), "cli:" + System.getProperty("user.name", "unknown"));
      System.out.println("routing table version " + published.getVersion() + " published to " + topics.routingTable.name());
    } catch (ConfigException e) {
      System.err.println("routing table not published: " + e.getMessage());
      System.exit(2);
    } catch (RuntimeException e) {
      System.err.println("routing table not published: " + e.getMessage());
      System.exit(1);
    }
  }
}
