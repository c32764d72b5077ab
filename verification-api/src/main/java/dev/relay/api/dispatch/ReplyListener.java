package dev.relay.api.dispatch;

import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.VerificationReply;
import dev.relay.schemas.topics.Topic;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes the requests this instance waits on with the dispatcher's replies. A reply comes on the
 * reply topic, or inside the lifecycle event of the transition its request caused (a start, an
 * approving check, a cancel: the dispatcher writes one record for both). It reads every partition of
 * both topics itself (assigned, no consumer group, from the end), because a reply is keyed by its
 * correlation id or its number, not by the instance that waits: every instance sees every reply and
 * keeps the ones it expects, so any instance can serve any request.
 */
public final class ReplyListener implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ReplyListener.class);
  /** Poll returns at once when replies are there, and close() wakes it: longer only wakes an idle listener less often. */
  private static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  private final Consumer<String, byte[]> consumer;
  private volatile KafkaClientMetrics clientMetrics;
  private final Topic<String, VerificationReply> topic;
  private final Deserializer<VerificationReply> deserializer;
  private final Topic<String, VerificationEvent> events;
  private final Deserializer<VerificationEvent> eventDeserializer;
  private final Duration startupTimeout;
  private final Map<String, Waiters> waiting = new ConcurrentHashMap<>();
  private final CountDownLatch startupDone = new CountDownLatch(1);
  private final AtomicBoolean closing = new AtomicBoolean();

  private volatile boolean positioned;
  private volatile RuntimeException failure;
  private volatile ConnectionGauge connections;
  private Thread thread;

  public ReplyListener(Consumer<String, byte[]> consumer, Topic<String, VerificationReply> topic,
      Topic<String, VerificationEvent> events, Duration startupTimeout) {
    this.consumer = consumer;
    this.topic = topic;
    this.deserializer = topic.valueSerde().deserializer();
    this.events = events;
    this.eventDeserializer = events.valueSerde().deserializer();
    this.startupTimeout = startupTimeout;
  }

  /**
   * Starts reading and returns once every partition is positioned at its end: a request produced
   * after this returns cannot have its reply missed.
   *
   * @throws IllegalStateException when the reply topic cannot be read within the start-up timeout
   */
  public void start() {
    thread = new Thread(this::run, "reply-listener-" + topic.name());
    thread.setDaemon(true);
    thread.start();
    boolean finished;
    try {
      finished = startupDone.await(startupTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IllegalStateException("interrupted while positioning on " + topic.name(), e);
    }
    if (!finished || failure != null) {
      RuntimeException cause = failure;
      close();
      throw new IllegalStateException(finished
          ? "cannot read replies from " + topic.name() + ": " + cause.getMessage()
          : "not positioned on " + topic.name() + " within " + startupTimeout, cause);
    }
  }

  /**
   * Registers interest in the reply with this correlation id; register before producing the request,
   * so even an instant reply is seen. The API makes a fresh id for every request, so one id has one
   * waiter; should several wait on one id anyway (a direct Kafka client reusing its own), the first
   * reply completes them all, and the routes still check that it is about their request.
   */
  public Expectation expect(String correlationId) {
    Waiters waiters = waiting.compute(correlationId, (id, existing) -> {
      Waiters current = existing == null ? new Waiters() : existing;
      current.holders++;
      return current;
    });
    return new Expectation(correlationId, waiters.reply.copy());
  }

  /** Positioned on every partition, still reading, and connected to the cluster. */
  public boolean isReady() {
    if (!positioned || failure != null || closing.get()) {
      return false;
    }
    return connections.connected();
  }

  /** How many correlation ids are waited on now; for tests and metrics. */
  public int waitingCount() {
    return waiting.size();
  }

  /** Binds the reply consumer's own metrics (lag, fetch rate) to the service's registry. */
  void bindMetrics(MeterRegistry registry) {
    KafkaClientMetrics bound = new KafkaClientMetrics(consumer);
    bound.bindTo(registry);
    clientMetrics = bound;
  }

  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    if (clientMetrics != null) {
      clientMetrics.close();
    }
    if (thread == null) {
      // Never started: the consumer is ours to close here.
      consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));
      return;
    }
    consumer.wakeup();
    if (thread != Thread.currentThread()) {
      try {
        thread.join(CLOSE_TIMEOUT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void run() {
    try {
      position();
      while (!closing.get()) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL_TIMEOUT)) {
          deliver(record);
        }
      }
    } catch (WakeupException e) {
      if (!closing.get()) {
        fail(new IllegalStateException("woken up without being closed", e));
      }
    } catch (RuntimeException e) {
      fail(e);
    } finally {
      startupDone.countDown();
      try {
        consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));
      } catch (RuntimeException e) {
        LOG.warn("closing the reply consumer failed: {}", e.toString());
      }
    }
  }

  private void position() {
    List<TopicPartition> assigned = new ArrayList<>(partitionsOf(topic.name()));
    assigned.addAll(partitionsOf(events.name()));
    consumer.assign(assigned);
    // Replies written before this instance started belong to requests nobody here waits on.
    consumer.seekToEnd(assigned);
    for (TopicPartition partition : assigned) {
      // seekToEnd is lazy; position() resolves it now, so "positioned" is true when we say it.
      consumer.position(partition, startupTimeout);
    }
    connections = ConnectionGauge.of(consumer.metrics(), "consumer-metrics");
    positioned = true;
    startupDone.countDown();
    LOG.info("reading replies from all {} partitions of {} and {}", assigned.size(), topic.name(), events.name());
  }

  private List<TopicPartition> partitionsOf(String name) {
    List<PartitionInfo> partitions = consumer.partitionsFor(name, startupTimeout);
    if (partitions == null || partitions.isEmpty()) {
      throw new IllegalStateException("topic " + name + " does not exist");
    }
    return partitions.stream().map(info -> new TopicPartition(info.topic(), info.partition())).toList();
  }

  private void deliver(ConsumerRecord<String, byte[]> record) {
    VerificationReply reply;
    try {
      reply = record.topic().equals(events.name())
          ? replyCarriedBy(record)
          : deserializer.deserialize(record.topic(), record.value());
    } catch (SerializationException e) {
      // One bad record must not stop every reply behind it; its position is enough to find it.
      LOG.warn("skipping a reply that cannot be decoded at {}-{} offset {}: {}",
          record.topic(), record.partition(), record.offset(), e.getMessage());
      return;
    }
    if (reply == null) {
      return;
    }
    Waiters waiters = waiting.get(reply.getCorrelationId());
    if (waiters != null) {
      waiters.reply.complete(reply);
    }
  }

  private VerificationReply replyCarriedBy(ConsumerRecord<String, byte[]> eventRecord) {
    VerificationEvent event = eventDeserializer.deserialize(eventRecord.topic(), eventRecord.value());
    return event == null ? null : event.getReply();
  }

  private void fail(RuntimeException e) {
    failure = e;
    if (!positioned) {
      return;
    }
    // After start-up nothing can answer the waiting requests any more: readiness says so.
    LOG.error("reply listener on {} stopped; requests will time out until the service restarts", topic.name(), e);
  }

  /** The shared reply of one correlation id and how many requests wait on it. */
  private static final class Waiters {
    private final CompletableFuture<VerificationReply> reply = new CompletableFuture<>();
    private int holders;
  }

  /**
   * One request's wait for its reply. Close it when the request is answered or given up, so the
   * correlation id is forgotten.
   */
  public final class Expectation implements AutoCloseable {

    private final String correlationId;
    private final CompletableFuture<VerificationReply> reply;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Expectation(String correlationId, CompletableFuture<VerificationReply> reply) {
      this.correlationId = correlationId;
      this.reply = reply;
    }

    /** Completes when the reply arrives; this request's own copy, so cancelling it affects no other. */
    public CompletableFuture<VerificationReply> reply() {
      return reply;
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        waiting.computeIfPresent(correlationId, (id, waiters) -> --waiters.holders == 0 ? null : waiters);
      }
    }
  }
}
