package dev.relay.bench;

import dev.relay.support.kafka.KafkaAccess;
import dev.relay.support.kafka.TopicProvisioner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/**
 * What the broker on this machine allows, measured in the same run as the stack: records the size of
 * ours produced (acks=all, idempotent) and consumed, and the same records through a Kafka Streams
 * pass-through under exactly_once_v2. Every stack figure can be read as a fraction of these.
 * Each measurement ends in bounded time: the caller gives it a deadline and calls {@link #abandon()}
 * when it passes, which closes whatever client is still open.
 */
final class Ceiling {

  private static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(30);
  /** A send not acknowledged within this fails the measurement instead of retrying on and on. */
  private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration CONSUME_TIMEOUT = Duration.ofMinutes(2);

  private final List<AutoCloseable> open = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** About the size of a serialized VerificationRequest or SendCommand with its key. */
  static final int RECORD_BYTES = 300;

  private final String bootstrap;
  private final Path stateDir;

  Ceiling(String bootstrap, Path stateDir) {
    this.bootstrap = bootstrap;
    this.stateDir = stateDir;
  }

  /** Records a second, first produce to last consume. */
  double rawProduceConsume(int records) throws Exception {
    String topic = "bench.raw";
    create(topic);
    long begin = System.nanoTime();
    produce(topic, records);
    consumeAll(topic, records, false);
    return records / ((System.nanoTime() - begin) / 1e9);
  }

  /** Records a second through source -> sink under exactly_once_v2, at the dispatcher's commit interval. */
  double streamsPassThrough(int records, Duration commitInterval) throws Exception {
    String in = "bench.pass-in-" + commitInterval.toMillis();
    String out = "bench.pass-out-" + commitInterval.toMillis();
    create(in);
    create(out);
    produce(in, records);
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(in, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("bench-source"))
        .to(out, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("bench-sink"));
    Properties props = new Properties();
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-pass-through-" + commitInterval.toMillis());
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitInterval.toMillis());
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    long begin = System.nanoTime();
    try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
      open.add(streams);
      streams.start();
      consumeAll(out, records, true);
      double rate = records / ((System.nanoTime() - begin) / 1e9);
      streams.close(Duration.ofSeconds(30));
      open.remove(streams);
      return rate;
    }
  }

  /** Closes every client a measurement that ran out of time left open, without waiting for it. */
  void abandon() {
    for (AutoCloseable client : open) {
      try {
        if (client instanceof KafkaStreams streams) {
          streams.close(Duration.ZERO);
        } else if (client instanceof KafkaProducer<?, ?> producer) {
          producer.close(Duration.ZERO);
        } else {
          client.close();
        }
      } catch (Exception e) {
        System.out.println("closing " + client + " after the deadline: " + e);
      }
    }
    open.clear();
  }

  /**
   * Creates the topic and waits until each of its partitions is served by its leader: an idempotent
   * producer that starts earlier can have its first batch refused for ever (NOT_LEADER_OR_FOLLOWER,
   * then OUT_OF_ORDER_SEQUENCE_NUMBER once later batches were appended before its retry).
   */
  private void create(String topic) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, 6, (short) 1))).all().get(TOPIC_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
    TopicProvisioner.awaitLeaders(KafkaAccess.plaintext(bootstrap), List.of(topic), TOPIC_TIMEOUT);
  }

  private void produce(String topic, int records) throws Exception {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) DELIVERY_TIMEOUT.toMillis());
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) DELIVERY_TIMEOUT.toMillis());
    byte[] value = new byte[RECORD_BYTES - 16];
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      open.add(producer);
      java.util.concurrent.atomic.AtomicLong failed = new java.util.concurrent.atomic.AtomicLong();
      java.util.concurrent.atomic.AtomicReference<Exception> firstError = new java.util.concurrent.atomic.AtomicReference<>();
      for (int i = 0; i < records; i++) {
        // 16-byte keys like an E.164 number: spread over the partitions as ours are.
        producer.send(new ProducerRecord<>(topic, String.format("+49151%010d", i), value), (metadata, error) -> {
          if (error != null) {
            failed.incrementAndGet();
            firstError.compareAndSet(null, error);
          }
        });
      }
      producer.flush();
      open.remove(producer);
      if (failed.get() > 0) {
        throw new IllegalStateException(failed.get() + " of " + records + " sends to " + topic + " failed, first: "
            + firstError.get());
      }
    }
  }

  private void consumeAll(String topic, int records, boolean committedOnly) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-reader-" + topic);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, committedOnly ? "read_committed" : "read_uncommitted");
    long seen = 0;
    long giveUp = System.nanoTime() + CONSUME_TIMEOUT.toNanos();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(Set.of(topic));
      while (seen < records && System.nanoTime() < giveUp && !Thread.currentThread().isInterrupted()) {
        seen += consumer.poll(Duration.ofMillis(100)).count();
      }
    }
    if (seen < records) {
      throw new IllegalStateException("only " + seen + " of " + records + " records arrived on " + topic);
    }
  }
}
