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
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
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
 * {@link CommandExecutor} carry them out concurrently, up to {@code relay.sender.max-in-flight} at a
 * time. Commands are claimed (their offsets committed) before their provider calls, so after a crash
 * no command is sent again; results are committed as the calls come back, at most every
 * {@link #RESULT_INTERVAL}, each transaction carrying the results that came back and the claim of the
 * commands just read. A command never waits for another's provider: one vendor answering in 15 s
 * holds up nobody else's code.
 */
public final class CommandSender implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CommandSender.class);
  private static final AvroSerde<DeadLetter> DEAD_LETTERS = AvroSerde.of(DeadLetter.class);
  /** With no call running nothing can come back, and a command or {@link #close} wakes the poll at once. */
  private static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);
  /**
   * How long a result that came back may wait for its transaction: one commit interval of the
   * dispatcher, so the sender's hop costs about what a Streams hop does, at no more than 50
   * transactions a second however many calls end.
   */
  static final Duration RESULT_INTERVAL = Duration.ofMillis(20);
  /** How long a stopping sender waits for the calls it started (within {@link #CLOSE_TIMEOUT}). */
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
  /**
   * The transaction opens after the provider calls and holds only the produce and the commit, so it
   * can be short; it bounds how long a crashed sender's open transaction blocks readers of results.
   */
  private static final Duration TRANSACTION_TIMEOUT = Duration.ofSeconds(30);

  private final KafkaAccess kafka;
  private final Topics topics;
  private final SenderSettings settings;
  private final CommandExecutor executor;
  private final MeterRegistry metrics;
  private final Runnable onFatal;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicBoolean failed = new AtomicBoolean();
  private final AtomicInteger assignedPartitions = new AtomicInteger();
  /** Commands whose provider calls are running. */
  private final AtomicInteger inFlight = new AtomicInteger();
  /** Commands whose calls have ended, queued by the threads that end them for the sender's thread. */
  private final Queue<Finished> finished = new ConcurrentLinkedQueue<>();
  /** Taken from {@link #finished}, not committed yet (a transaction that did not commit keeps them); the sender's thread only. */
  private final List<Finished> unpublished = new ArrayList<>();

  /** One command whose provider calls have ended: its results, keyed as the command was. */
  private record Finished(String key, SendCommand command, List<SendResult> results) {}

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
          records = consumer.poll(pollTimeout());
        } catch (RecordDeserializationException e) {
          deadLetter(e);
          continue;
        }
        commitAndSend(records);
        throttle();
      }
      publishInFlight();
    } catch (WakeupException e) {
      if (running.get()) {
        fail(e);
      } else {
        publishInFlight();
      }
    } catch (RuntimeException e) {
      // Fenced by a newer instance, or a producer error no transaction can recover from.
      fail(e);
    } finally {
      assignedPartitions.set(0);
      closeClients();
    }
  }

  /**
   * While calls are running, at most one {@link #RESULT_INTERVAL}: a result that came back waits no
   * longer than that for its transaction. Idle, the consumer may wait longer, as nothing can come back.
   */
  private Duration pollTimeout() {
    return inFlight.get() > 0 || !finished.isEmpty() || !unpublished.isEmpty() ? RESULT_INTERVAL : POLL_TIMEOUT;
  }

  /**
   * One transaction: the results of every command whose calls have ended since the last one, and the
   * claim of the commands just read (their offsets), committed before any of their provider calls. A
   * sender that dies during the calls then leaves no command to be read again: an attempt reaches its
   * provider at most once, and the delivery window (which runs from the command) sends the next attempt
   * of one whose result never came. Only then are the new commands' calls started; no command waits
   * for another's provider to answer.
   *
   * <p>When the transaction does not commit, the new commands are read again (nothing was sent for
   * them) and the results stay for the next transaction: no provider is called twice.
   */
  private void commitAndSend(ConsumerRecords<String, SendCommand> records) {
    for (Finished done; (done = finished.poll()) != null; ) {
      unpublished.add(done);
    }
    if (records.isEmpty() && unpublished.isEmpty()) {
      return;
    }
    try {
      producer.beginTransaction();
      String topic = topics.sendResults.name();
      for (Finished done : unpublished) {
        byte[] key = topics.sendResults.keySerde().serializer().serialize(topic, done.key());
        for (SendResult result : done.results()) {
          producer.send(new ProducerRecord<>(topic, key, topics.sendResults.valueSerde().serializer().serialize(topic, result)));
        }
      }
      if (!records.isEmpty()) {
        producer.sendOffsetsToTransaction(nextOffsets(records), consumer.groupMetadata());
      }
      producer.commitTransaction();
    } catch (ProducerFencedException | InvalidProducerEpochException | OutOfOrderSequenceException
        | AuthorizationException | UnsupportedVersionException e) {
      throw e;
    } catch (KafkaException e) {
      LOG.warn("{} commands claimed and results of {} not committed, trying again: {}", records.count(),
          unpublished.size(), e.toString());
      producer.abortTransaction();
      rewind(records);
      return;
    }
    published(unpublished);
    unpublished.clear();
    for (ConsumerRecord<String, SendCommand> record : records) {
      if (record.value() != null) {
        send(record.key(), record.value());
      }
    }
  }

  /** Starts a claimed command's provider calls; its results are committed by a later {@link #commitAndSend}. */
  private void send(String key, SendCommand command) {
    if (executor.expired(command)) {
      metrics.counter("relay.sender.skipped", "reason", "expired").increment();
      try (LogContext.Scope verification = LogContext.verification(command.getVerificationId())) {
        LOG.debug("skipped expired command {} for {}", command.getIdempotencyKey(), PhoneNumbers.mask(command.getTo()));
      }
      return;
    }
    inFlight.incrementAndGet();
    CompletableFuture<List<SendResult>> answer;
    try {
      answer = executor.execute(command);
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    answer.whenComplete((results, error) -> {
      if (error != null) {
        // An adapter's fault, not the vendor's answer: no result, so the delivery window sends the next attempt.
        try (LogContext.Scope verification = LogContext.verification(command.getVerificationId())) {
          Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
          LOG.error("command {} failed without a result: {}", command.getIdempotencyKey(), cause.getClass().getName());
        }
      }
      // Queued before the count drops, so whoever sees no call in flight also sees its result.
      finished.add(new Finished(key, command, error == null ? results : List.of()));
      inFlight.decrementAndGet();
    });
  }

  /** Stops reading while {@code max-in-flight} commands are being sent; reads again once calls come back. */
  private void throttle() {
    if (inFlight.get() >= settings.maxInFlight()) {
      consumer.pause(consumer.assignment());
    } else if (!consumer.paused().isEmpty()) {
      consumer.resume(consumer.paused());
    }
  }

  /**
   * Asked to stop: commits the results of the calls still running as they come back, for at most
   * {@link #DRAIN_TIMEOUT}. What is still out then is as if the process had died: the delivery windows
   * send those attempts again.
   */
  private void publishInFlight() {
    long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
    while ((inFlight.get() > 0 || !finished.isEmpty() || !unpublished.isEmpty()) && System.nanoTime() < deadline) {
      if (finished.isEmpty() && inFlight.get() > 0) {
        try {
          Thread.sleep(RESULT_INTERVAL.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      commitAndSend(ConsumerRecords.empty());
    }
    int left = inFlight.get() + finished.size() + unpublished.size();
    if (left > 0) {
      LOG.warn("stopped with the results of {} commands not committed; their delivery windows send them again", left);
    }
  }

  private void published(List<Finished> done) {
    for (Finished command : done) {
      for (SendResult result : command.results()) {
        try (LogContext.Scope verification = LogContext.verification(command.command().getVerificationId())) {
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
