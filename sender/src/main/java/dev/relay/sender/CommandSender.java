package dev.relay.sender;

import dev.relay.support.kafka.KafkaAccess;
import dev.relay.schemas.DeadLetter;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.SendCommand;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.serde.AvroSerde;
import dev.relay.schemas.topics.Topics;
import dev.relay.sender.config.SenderSettings;
import dev.relay.support.kafka.KafkaSettings;
import dev.relay.support.logging.LogContext;
import dev.relay.support.phone.PhoneNumbers;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads send commands ({@code read_committed}, outside the topology) and has the
 * {@link CommandExecutor} carry them out, a poll's worth at a time and concurrently. A batch's offsets
 * are committed before its provider calls (see {@link #claim}), so after a crash no command is sent
 * again; the send results are committed afterwards, with the offsets once more, and after an aborted
 * result transaction the same process answers from the results it already has instead of calling the
 * providers twice.
 */
public final class CommandSender implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CommandSender.class);
  private static final AvroSerde<DeadLetter> DEAD_LETTERS = AvroSerde.of(DeadLetter.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
  /**
   * The transaction opens after the provider calls and holds only the produce and the commit, so it
   * can be short; it bounds how long a crashed sender's open transaction blocks readers of results.
   */
  private static final Duration TRANSACTION_TIMEOUT = Duration.ofSeconds(30);
  /** Results of batches whose transaction did not commit, kept to answer the replay without a resend. */
  private static final int REMEMBERED_BATCH_RESULTS = 10_000;

  private final KafkaAccess kafka;
  private final Topics topics;
  private final SenderSettings settings;
  private final CommandExecutor executor;
  private final MeterRegistry metrics;
  private final Runnable onFatal;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicBoolean failed = new AtomicBoolean();
  private final AtomicInteger assignedPartitions = new AtomicInteger();
  private final Map<String, List<SendResult>> uncommitted = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, List<SendResult>> eldest) {
      return size() > REMEMBERED_BATCH_RESULTS;
    }
  };

  private KafkaConsumer<String, SendCommand> consumer;
  /** Bytes in, so results and dead letters (keyed differently) share one transaction. */
  private KafkaProducer<byte[], byte[]> producer;
  private Thread thread;
  private SenderMeters meters;

  /**
   * @param onFatal called once, from the sender's thread, when it stops for good (fenced by a newer
   *     instance with the same transactional id, or an unrecoverable producer error)
   */
  public CommandSender(KafkaAccess kafka, Topics topics, SenderSettings settings, CommandExecutor executor,
      MeterRegistry metrics, Runnable onFatal) {
    this.kafka = kafka;
    this.topics = topics;
    this.settings = settings;
    this.executor = executor;
    this.metrics = metrics;
    this.onFatal = onFatal;
  }

  public synchronized void start() {
    if (thread != null) {
      throw new IllegalStateException("the sender was started already");
    }
    consumer = new KafkaConsumer<>(consumerProperties(), new StringDeserializer(),
        topics.sendCommands.valueSerde().deserializer());
    producer = new KafkaProducer<>(producerProperties(), new ByteArraySerializer(), new ByteArraySerializer());
    meters = SenderMeters.bind(metrics, consumer, producer);
    running.set(true);
    thread = new Thread(this::run, "relay-sender");
    thread.start();
  }

  /** Whether the sender has partitions of the command topic to work on. */
  public boolean isAssigned() {
    return running.get() && !failed.get() && assignedPartitions.get() > 0;
  }

  /** Whether its consumer and producer hold a connection to the cluster now. */
  public boolean isConnected() {
    SenderMeters current = meters;
    return current != null && current.connected();
  }

  public boolean hasFailed() {
    return failed.get();
  }

  @Override
  public void close() {
    Thread worker;
    synchronized (this) {
      worker = thread;
      running.set(false);
    }
    if (worker == null) {
      return;
    }
    if (consumer != null) {
      consumer.wakeup();
    }
    try {
      worker.join(CLOSE_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Map<String, Object> consumerProperties() {
    Map<String, Object> props = KafkaSettings.committedConsumer(kafka, settings.groupId(),
        settings.transactionalId() + "-consumer");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxBatch());
    // The commands of a crashed sender wait for its session to expire; keep that short (as the Streams apps').
    props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) KafkaSettings.STREAMS_SESSION_TIMEOUT.toMillis());
    return props;
  }

  private Map<String, Object> producerProperties() {
    // The transactional id is stable per instance: on a restart the broker aborts what the previous run left open.
    return KafkaSettings.transactionalProducer(kafka, settings.transactionalId() + "-producer",
        settings.transactionalId(), TRANSACTION_TIMEOUT);
  }

  private void run() {
    try {
      producer.initTransactions();
      consumer.subscribe(List.of(topics.sendCommands.name()), new AssignmentTracker());
      while (running.get()) {
        ConsumerRecords<String, SendCommand> records;
        try {
          records = consumer.poll(POLL_TIMEOUT);
        } catch (RecordDeserializationException e) {
          deadLetter(e);
          continue;
        }
        if (!records.isEmpty()) {
          sendBatch(records);
        }
      }
    } catch (WakeupException e) {
      if (running.get()) {
        fail(e);
      }
    } catch (RuntimeException e) {
      // Fenced by a newer instance, or a producer error no transaction can recover from.
      fail(e);
    } finally {
      assignedPartitions.set(0);
      closeClients();
    }
  }

  private void sendBatch(ConsumerRecords<String, SendCommand> records) {
    if (!claim(records)) {
      return;
    }
    List<ConsumerRecord<String, SendCommand>> commands = new ArrayList<>();
    List<CompletableFuture<List<SendResult>>> answers = new ArrayList<>();
    for (ConsumerRecord<String, SendCommand> record : records) {
      if (record.value() == null) {
        continue;
      }
      SendCommand command = record.value();
      commands.add(record);
      List<SendResult> known = uncommitted.get(command.getIdempotencyKey());
      if (known != null) {
        answers.add(CompletableFuture.completedFuture(known));
      } else if (executor.expired(command)) {
        metrics.counter("relay.sender.skipped", "reason", "expired").increment();
        try (LogContext.Scope verification = LogContext.verification(command.getVerificationId())) {
          LOG.debug("skipped expired command {} for {}", command.getIdempotencyKey(), PhoneNumbers.mask(command.getTo()));
        }
        answers.add(CompletableFuture.completedFuture(List.of()));
      } else {
        answers.add(executor.execute(command));
      }
    }
    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).join();
    for (int i = 0; i < commands.size(); i++) {
      uncommitted.put(commands.get(i).value().getIdempotencyKey(), answers.get(i).join());
    }

    try {
      producer.beginTransaction();
      for (int i = 0; i < commands.size(); i++) {
        ConsumerRecord<String, SendCommand> record = commands.get(i);
        for (SendResult result : answers.get(i).join()) {
          String topic = topics.sendResults.name();
          producer.send(new ProducerRecord<>(topic, topics.sendResults.keySerde().serializer().serialize(topic, record.key()),
              topics.sendResults.valueSerde().serializer().serialize(topic, result)));
        }
      }
      producer.sendOffsetsToTransaction(nextOffsets(records), consumer.groupMetadata());
      producer.commitTransaction();
    } catch (ProducerFencedException | InvalidProducerEpochException | OutOfOrderSequenceException
        | AuthorizationException | UnsupportedVersionException e) {
      throw e;
    } catch (KafkaException e) {
      LOG.warn("send results of {} commands not committed, reading them again: {}", commands.size(), e.toString());
      producer.abortTransaction();
      rewind(records);
      return;
    }
    for (int i = 0; i < commands.size(); i++) {
      SendCommand command = commands.get(i).value();
      uncommitted.remove(command.getIdempotencyKey());
      for (SendResult result : answers.get(i).join()) {
        try (LogContext.Scope verification = LogContext.verification(command.getVerificationId())) {
          LOG.debug("attempt {} try {} to {} by {}: {}{}", result.getAttempt(), result.getTryIndex(),
              PhoneNumbers.mask(result.getTo()), result.getProvider(), result.getOutcome(),
              result.getErrorCategory() == null || result.getErrorCategory() == ErrorCategory.NONE
                  ? "" : " (" + result.getErrorCategory() + ")");
        }
        metrics.counter("relay.sender.tries", "provider", result.getProvider(),
            "channel", result.getChannel().name().toLowerCase(java.util.Locale.ROOT),
            "outcome", result.getOutcome().name().toLowerCase(java.util.Locale.ROOT)).increment();
        meters.submitted(result);
      }
    }
  }

  /**
   * Commits the offsets past a batch before any of its provider calls. A sender that dies during the
   * calls then leaves no command to be read again: an attempt reaches its provider at most once, and
   * the delivery window (which runs from the command) sends the next attempt of one whose result never
   * came. A batch already claimed (read again after an aborted result transaction) is not claimed twice.
   *
   * @return false when the claim did not commit; the batch was rewound and nothing was sent
   */
  private boolean claim(ConsumerRecords<String, SendCommand> records) {
    boolean allKnown = true;
    for (ConsumerRecord<String, SendCommand> record : records) {
      if (record.value() != null && !uncommitted.containsKey(record.value().getIdempotencyKey())) {
        allKnown = false;
      }
    }
    if (allKnown) {
      return true;
    }
    try {
      producer.beginTransaction();
      producer.sendOffsetsToTransaction(nextOffsets(records), consumer.groupMetadata());
      producer.commitTransaction();
      return true;
    } catch (ProducerFencedException | InvalidProducerEpochException | OutOfOrderSequenceException
        | AuthorizationException | UnsupportedVersionException e) {
      throw e;
    } catch (KafkaException e) {
      LOG.warn("claim of {} commands not committed, reading them again: {}", records.count(), e.toString());
      producer.abortTransaction();
      rewind(records);
      return false;
    }
  }

  private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<?, ?> records) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition partition : records.partitions()) {
      List<? extends ConsumerRecord<?, ?>> inPartition = records.records(partition);
      offsets.put(partition, new OffsetAndMetadata(inPartition.get(inPartition.size() - 1).offset() + 1));
    }
    return offsets;
  }

  /** Back to the first command of the batch on every partition still ours, to try the commit again. */
  private void rewind(ConsumerRecords<?, ?> records) {
    for (TopicPartition partition : records.partitions()) {
      if (consumer.assignment().contains(partition)) {
        consumer.seek(partition, records.records(partition).get(0).offset());
      }
    }
  }

  /** An unreadable command goes to the dead-letter topic, committed with the offset past it. */
  private void deadLetter(RecordDeserializationException e) {
    TopicPartition partition = e.topicPartition();
    Throwable cause = e.getCause() == null ? e : e.getCause();
    LOG.warn("cannot read send command {}@{}, sent to {}: {}", partition, e.offset(), topics.deadLetters.name(),
        cause.getClass().getSimpleName());
    byte[] key = bytes(e.keyBuffer());
    byte[] value = bytes(e.valueBuffer());
    DeadLetter letter = DeadLetter.newBuilder()
        .setApplication(settings.applicationName())
        .setSourceTopic(partition.topic())
        .setPartition(partition.partition())
        .setOffset(e.offset())
        .setKey(key == null ? null : ByteBuffer.wrap(key))
        .setValue(value == null ? null : ByteBuffer.wrap(value))
        .setErrorClass(cause.getClass().getName())
        .setErrorMessage(cause.getMessage())
        .setFailedAt(Instant.now())
        .build();
    try {
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topics.deadLetters.name(), key, DEAD_LETTERS.toBytes(letter)));
      producer.sendOffsetsToTransaction(Map.of(partition, new OffsetAndMetadata(e.offset() + 1)),
          consumer.groupMetadata());
      producer.commitTransaction();
      consumer.seek(partition, e.offset() + 1);
    } catch (ProducerFencedException | InvalidProducerEpochException | OutOfOrderSequenceException
        | AuthorizationException | UnsupportedVersionException fatal) {
      throw fatal;
    } catch (KafkaException failure) {
      // The next poll meets the same record again and retries.
      LOG.warn("dead letter for {}@{} not committed: {}", partition, e.offset(), failure.toString());
      producer.abortTransaction();
    }
  }

  private static byte[] bytes(ByteBuffer buffer) {
    if (buffer == null) {
      return null;
    }
    ByteBuffer view = buffer.duplicate();
    byte[] bytes = new byte[view.remaining()];
    view.get(bytes);
    return bytes;
  }

  private void fail(Exception e) {
    LOG.error("the sender stops", e);
    failed.set(true);
    running.set(false);
    onFatal.run();
  }

  private void closeClients() {
    meters.close();
    try {
      consumer.close(CLOSE_TIMEOUT);
    } catch (RuntimeException e) {
      LOG.warn("closing the command consumer failed: {}", e.toString());
    }
    try {
      producer.close(CLOSE_TIMEOUT);
    } catch (RuntimeException e) {
      LOG.warn("closing the result producer failed: {}", e.toString());
    }
  }

  private final class AssignmentTracker implements ConsumerRebalanceListener {

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      assignedPartitions.addAndGet(-partitions.size());
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      assignedPartitions.addAndGet(partitions.size());
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      assignedPartitions.addAndGet(-partitions.size());
    }
  }
}
