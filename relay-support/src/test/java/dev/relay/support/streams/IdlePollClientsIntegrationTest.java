package dev.relay.support.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.kafka.embedded.EmbeddedKafkaCluster;
import dev.relay.kafka.embedded.FreePorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An exactly-once app with a long {@code poll.ms} and {@link IdlePollClients} (main and restore consumers),
 * against a real broker: it starts (joins, restores a store) and answers as fast as with a short poll.
 * Without them each step of its start, and a record that comes within the commit interval after a commit,
 * would wait out the whole poll; so would a wall-clock punctuation and its output, without {@link WallClockWakes}.
 */
@Tag("integration")
class IdlePollClientsIntegrationTest {

  private static final Duration COMMIT_INTERVAL = Duration.ofSeconds(1);
  /** Long enough to tell apart from the commit interval; closing waits for the thread's poll, so no longer. */
  private static final Duration IDLE_POLL = Duration.ofSeconds(12);
  /** Within {@link #IDLE_POLL}: what waited for an idle poll to end misses it. */
  private static final Duration PROMPT = IDLE_POLL.multipliedBy(2).dividedBy(3);
  private static final String INPUT = "idle-poll-in";
  private static final String OUTPUT = "idle-poll-out";
  private static final String ARM_INPUT = "idle-poll-arm-in";
  private static final String ARM_OUTPUT = "idle-poll-arm-out";
  /** When a punctuation first answers a record: after the record's commit, at most a commit interval after it. */
  private static final Duration ARM_DELAY = COMMIT_INTERVAL.multipliedBy(5).dividedBy(2);
  /** When a second punctuation answers it: within the commit interval after the first answer's commit. */
  private static final Duration SECOND_ANSWER_DELAY = ARM_DELAY.plus(COMMIT_INTERVAL.dividedBy(4));

  private static EmbeddedKafkaCluster kafka;

  @TempDir
  Path stateDir;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafkaCluster.builder().port(FreePorts.pick()).build();
    kafka.start();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(INPUT, 1, (short) 1), new NewTopic(OUTPUT, 1, (short) 1),
          new NewTopic(ARM_INPUT, 1, (short) 1), new NewTopic(ARM_OUTPUT, 1, (short) 1))).all().get();
    }
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void startsPromptlyAndCommitsARecordBetweenTwoCommitsAfterTheIntervalNotAfterTheIdlePoll() {
    StreamsBuilder builder = new StreamsBuilder();
    // A store, so the task restores (its partition paused) before it runs.
    builder.table(INPUT, Consumed.with(Serdes.String(), Serdes.String()),
            Materialized.as(Stores.persistentKeyValueStore("latest")))
        .toStream()
        .to(OUTPUT, Produced.with(Serdes.String(), Serdes.String()));
    try (KafkaStreams streams = new KafkaStreams(builder.build(), properties("idle-poll"),
            new IdlePollClients(COMMIT_INTERVAL));
        KafkaProducer<String, String> producer = producer();
        KafkaConsumer<String, String> committedOutput = committedOutput(OUTPUT)) {
      streams.start();
      await().atMost(PROMPT).until(() -> streams.state() == KafkaStreams.State.RUNNING);
      List<String> seen = new ArrayList<>();

      producer.send(new ProducerRecord<>(INPUT, "k", "first"));
      producer.flush();
      await().atMost(PROMPT).until(() -> read(committedOutput, seen).contains("first"));

      // Just after the commit that made "first" visible: the thread's next commit is an interval away.
      producer.send(new ProducerRecord<>(INPUT, "k", "second"));
      producer.flush();
      await().atMost(PROMPT).until(() -> read(committedOutput, seen).contains("second"));
      assertThat(seen).containsExactly("first", "second");
    }
  }

  @Test
  void punctuationsScheduledThroughTheWakesFireWhenDueAndTheirOutputIsCommittedPromptly() {
    WallClockWakes wakes = new WallClockWakes();
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(ARM_INPUT, Consumed.with(Serdes.String(), Serdes.String()))
        .process(() -> new ArmedAnswers(wakes))
        .to(ARM_OUTPUT, Produced.with(Serdes.String(), Serdes.String()));
    try (KafkaStreams streams = new KafkaStreams(builder.build(), properties("idle-poll-armed"),
            new IdlePollClients(COMMIT_INTERVAL, wakes));
        KafkaProducer<String, String> producer = producer();
        KafkaConsumer<String, String> committedOutput = committedOutput(ARM_OUTPUT)) {
      streams.start();
      await().atMost(PROMPT).until(() -> streams.state() == KafkaStreams.State.RUNNING);
      List<String> seen = new ArrayList<>();

      producer.send(new ProducerRecord<>(ARM_INPUT, "k", "arm"));
      producer.flush();
      // The first answer is due while the thread waits in an idle poll (the record's commit is over by then):
      // without the wakes it would fire when that poll ends, 12 s on. The second comes within the commit
      // interval after the first's commit, so the thread commits it only after its next poll: without the
      // bound after a punctuation, when that idle poll ends.
      await().atMost(PROMPT).until(() -> read(committedOutput, seen).contains("second"));
      assertThat(seen).containsExactly("first", "second");
    }
  }

  /**
   * Answers a record twice from wall-clock punctuations, {@link #ARM_DELAY} and {@link #SECOND_ANSWER_DELAY} later;
   * each cancels itself when it has fired.
   */
  private static final class ArmedAnswers implements Processor<String, String, String, String> {

    private final WallClockWakes wakes;
    private ProcessorContext<String, String> context;

    ArmedAnswers(WallClockWakes wakes) {
      this.wakes = wakes;
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
      this.context = context;
    }

    @Override
    public void process(Record<String, String> record) {
      answerOnce(record.key(), "first", ARM_DELAY);
      answerOnce(record.key(), "second", SECOND_ANSWER_DELAY);
    }

    private void answerOnce(String key, String answer, Duration delay) {
      Cancellable[] wake = new Cancellable[1];
      wake[0] = wakes.schedule(context, delay, timestamp -> {
        context.forward(new Record<>(key, answer, timestamp));
        wake[0].cancel();
      });
    }
  }

  private Properties properties(String applicationId) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_INTERVAL.toMillis());
    props.put(StreamsConfig.POLL_MS_CONFIG, IDLE_POLL.toMillis());
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    return props;
  }

  private static KafkaProducer<String, String> producer() {
    return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
        new StringSerializer(), new StringSerializer());
  }

  private static KafkaConsumer<String, String> committedOutput(String topic) {
    KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new StringDeserializer());
    TopicPartition partition = new TopicPartition(topic, 0);
    consumer.assign(List.of(partition));
    consumer.seekToBeginning(List.of(partition));
    return consumer;
  }

  private static List<String> read(KafkaConsumer<String, String> consumer, List<String> seen) {
    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
      seen.add(record.value());
    }
    return seen;
  }
}
