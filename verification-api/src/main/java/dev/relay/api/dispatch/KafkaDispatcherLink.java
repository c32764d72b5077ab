package dev.relay.api.dispatch;

import dev.relay.support.kafka.acl.AclCheck;
import dev.relay.api.config.ApiConfig;
import dev.relay.schemas.CodeCheckRequest;
import dev.relay.schemas.VerificationReply;
import dev.relay.schemas.VerificationRequest;
import dev.relay.schemas.topics.Topic;
import dev.relay.schemas.topics.Topics;
import dev.relay.support.kafka.KafkaFutures;
import dev.relay.support.kafka.KafkaSettings;
import dev.relay.support.kafka.TopicProvisioner;
import dev.relay.support.logging.LogContext;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher reached through Kafka: requests and checks go out on their topics, keyed by the
 * phone number, through an idempotent {@code acks=all} producer, and the reply comes back through
 * this instance's {@link ReplyListener}. A request counts as handed over only when the broker
 * acknowledged it; only then does the wait for the reply begin.
 */
public final class KafkaDispatcherLink implements DispatcherLink {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaDispatcherLink.class);
  /**
   * The producer's own delivery timeout ends every send; this is a backstop on top of it, so a
   * callback that never fires cannot hold an HTTP request forever.
   */
  private static final Duration ACK_BACKSTOP = Duration.ofSeconds(1);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private final Topics topics;
  private final Duration replyTimeout;
  private final Duration produceTimeout;
  private final Runnable provisioning;
  private final Producer<String, byte[]> producer;
  private final ReplyListener replies;
  /**
   * Completing an answer writes the HTTP response on the completing thread; without this hand-off
   * that would be the one reply-listener thread or the producer's network thread, and one slow
   * client would hold up every other answer.
   */
  private final ExecutorService answering = Executors.newFixedThreadPool(
      Math.max(2, Runtime.getRuntime().availableProcessors()), daemonThreads("verification-api-answers"));
  private volatile ConnectionGauge producerConnections;
  private volatile boolean started;
  private KafkaClientMetrics producerMetrics;

  /** Wired from config: provisions its topics at start and owns its Kafka clients. */
  public static KafkaDispatcherLink create(ApiConfig config) {
    String clientId = "verification-api-" + UUID.randomUUID().toString().substring(0, 8);
    Topics topics = config.topics();

    // The caller waits on this send: every bound follows the configured produce timeout.
    Map<String, Object> producerProps =
        KafkaSettings.durableProducer(config.kafka(), clientId, config.produceTimeout());
    Producer<String, byte[]> producer = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());

    // No group: every instance reads every partition (see ReplyListener).
    Map<String, Object> consumerProps = KafkaSettings.committedConsumer(config.kafka(), null, clientId + "-replies");
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
    ReplyListener replies = new ReplyListener(consumer, topics.verificationReplies, topics.verificationEvents,
        config.startupTimeout());

    // blocked-prefixes and services too: the admin endpoints read and release blocks and keep the services,
    // and every start by a service's key reads them (the API's ACLs name all six).
    List<Topic<?, ?>> used = List.of(topics.verificationRequests, topics.codeChecks, topics.verificationReplies,
        topics.verificationEvents, topics.blockedPrefixes, topics.services);
    Runnable provisioning = () -> {
      TopicProvisioner.ensure(config.kafka(), used, config.startupTimeout());
      AclCheck.verify(config.kafka(), config.kafkaAcls(), config.startupTimeout());
    };
    return new KafkaDispatcherLink(topics, config.replyTimeout(), config.produceTimeout(), provisioning, producer, replies);
  }

  /** For tests: given clients, no provisioning. */
  public KafkaDispatcherLink(Topics topics, Duration replyTimeout, Duration produceTimeout,
      Producer<String, byte[]> producer, ReplyListener replies) {
    this(topics, replyTimeout, produceTimeout, () -> { }, producer, replies);
  }

  private KafkaDispatcherLink(Topics topics, Duration replyTimeout, Duration produceTimeout, Runnable provisioning,
      Producer<String, byte[]> producer, ReplyListener replies) {
    this.topics = topics;
    this.replyTimeout = replyTimeout;
    this.produceTimeout = produceTimeout;
    this.provisioning = provisioning;
    this.producer = producer;
    this.replies = replies;
  }

  @Override
  public void start() {
    provisioning.run();
    replies.start();
    // Fetches the requests topic's metadata now, so the first request does not pay for it.
    producer.partitionsFor(topics.verificationRequests.name());
    producerConnections = ConnectionGauge.of(producer.metrics(), "producer-metrics");
    started = true;
  }

  @Override
  public CompletableFuture<VerificationReply> start(VerificationRequest request) {
    Objects.requireNonNull(request.getReplyTo(), "a start the API waits on names its replyTo");
    // The listener reads the events too: the answer may ride on the event of the transition (one record fewer).
    VerificationRequest asked = VerificationRequest.newBuilder(request).setReplyInEvent(true).build();
    return send(topics.verificationRequests, asked.getTo(), asked, asked.getReplyTo(), asked.getVerificationId());
  }

  @Override
  public CompletableFuture<VerificationReply> check(CodeCheckRequest check) {
    CodeCheckRequest asked = CodeCheckRequest.newBuilder(check).setReplyInEvent(true).build();
    return send(topics.codeChecks, asked.getTo(), asked, asked.getCheckId(), asked.getVerificationId());
  }

  @Override
  public boolean isReady() {
    if (!started || !replies.isReady()) {
      return false;
    }
    return producerConnections.connected();
  }

  @Override
  public void bindMetrics(MeterRegistry registry) {
    producerMetrics = new KafkaClientMetrics(producer);
    producerMetrics.bindTo(registry);
    replies.bindMetrics(registry);
  }

  @Override
  public void close() {
    started = false;
    if (producerMetrics != null) {
      producerMetrics.close();
    }
    replies.close();
    producer.close(CLOSE_TIMEOUT);
    answering.shutdown();
  }

  private <V> CompletableFuture<VerificationReply> send(Topic<String, V> topic, String number, V value, String correlationId,
      String verificationId) {
    ReplyListener.Expectation expectation = replies.expect(correlationId);
    CompletableFuture<VerificationReply> answer = new CompletableFuture<>();
    answer.whenComplete((reply, error) -> expectation.close());
    try {
      byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
      KafkaFutures.send(producer, new ProducerRecord<>(topic.name(), number, bytes))
          .orTimeout(produceTimeout.plus(ACK_BACKSTOP).toMillis(), TimeUnit.MILLISECONDS)
          .whenComplete((metadata, error) -> {
            if (error != null) {
              try (LogContext.Scope verification = LogContext.verification(verificationId)) {
                LOG.warn("Kafka did not acknowledge a request on {}: {}", topic.name(), error.toString());
              }
              finish(answer, null, new NotAcknowledgedException(topic.name(), error));
            } else {
              awaitReply(expectation, answer);
            }
          });
    } catch (RuntimeException e) {
      answer.completeExceptionally(e);
    }
    return answer;
  }

  private void awaitReply(ReplyListener.Expectation expectation, CompletableFuture<VerificationReply> answer) {
    expectation.reply()
        .orTimeout(replyTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((reply, error) -> finish(answer, reply, error == null ? null : new NoReplyException(replyTimeout)));
  }

  private void finish(CompletableFuture<VerificationReply> answer, VerificationReply reply, RuntimeException failure) {
    Runnable completion = () -> {
      if (failure != null) {
        answer.completeExceptionally(failure);
      } else {
        answer.complete(reply);
      }
    };
    try {
      answering.execute(completion);
    } catch (RejectedExecutionException e) {
      // Closing: no pool any more, and nobody left to hold up.
      completion.run();
    }
  }

  private static ThreadFactory daemonThreads(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
