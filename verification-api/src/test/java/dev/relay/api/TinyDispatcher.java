package dev.relay.api;

import dev.relay.support.kafka.KafkaAccess;
import dev.relay.schemas.CodeCheckRequest;
import dev.relay.schemas.ReplyKind;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.VerificationReply;
import dev.relay.schemas.VerificationRequest;
import dev.relay.schemas.VerificationStatus;
import dev.relay.schemas.topics.Topics;
import dev.relay.support.kafka.KafkaSettings;
import dev.relay.support.secrets.SecretSealer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A stand-in for dispatcher-stream in the API's integration test: it reads starts and checks from
 * their topics (read_committed, so it sees only what Kafka acknowledged) and answers on the reply
 * topic, or, for a new verification whose start asks for it, in the created event. One pending verification per number; the right code is {@link #CODE}; numbers in
 * {@link #silent} get no answer at all.
 */
final class TinyDispatcher implements AutoCloseable {

  static final String CODE = "135790";

  final List<VerificationRequest> requests = new CopyOnWriteArrayList<>();
  final List<CodeCheckRequest> checks = new CopyOnWriteArrayList<>();
  final Set<String> silent = ConcurrentHashMap.newKeySet();
  private final Map<String, VerificationRequest> pending = new ConcurrentHashMap<>();

  private final Topics topics;
  private final SecretSealer sealer;
  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaProducer<String, byte[]> producer;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final Thread thread;

  TinyDispatcher(String bootstrapServers, Topics topics, SecretSealer sealer) {
    this.topics = topics;
    this.sealer = sealer;
    Map<String, Object> consumerProps = KafkaSettings.committedConsumer(KafkaAccess.plaintext(bootstrapServers), null, "tiny-dispatcher");
    consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
    Map<String, Object> producerProps = KafkaSettings.durableProducer(KafkaAccess.plaintext(bootstrapServers), "tiny-dispatcher");
    producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
    producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
    producerProps.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
    producer = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
    thread = new Thread(this::run, "tiny-dispatcher");
    thread.setDaemon(true);
  }

  void start() {
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : List.of(topics.verificationRequests.name(), topics.codeChecks.name())) {
      for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
        partitions.add(new TopicPartition(topic, info.partition()));
      }
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    thread.start();
  }

  @Override
  public void close() {
    closing.set(true);
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(5));
  }

  private void run() {
    try {
      while (!closing.get()) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          if (record.topic().equals(topics.verificationRequests.name())) {
            onRequest(topics.verificationRequests.valueSerde().deserializer().deserialize(record.topic(), record.value()));
          } else {
            onCheck(topics.codeChecks.valueSerde().deserializer().deserialize(record.topic(), record.value()));
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close();
    }
  }

  private void onRequest(VerificationRequest request) {
    requests.add(request);
    if (silent.contains(request.getTo())) {
      return;
    }
    VerificationRequest existing = pending.putIfAbsent(request.getTo(), request);
    VerificationRequest current = existing == null ? request : existing;
    VerificationReply answer = VerificationReply.newBuilder()
        .setCorrelationId(request.getReplyTo())
        .setKind(existing == null ? ReplyKind.STARTED : ReplyKind.EXISTING)
        .setVerificationId(current.getVerificationId())
        .setTo(current.getTo())
        .setChannel(current.getChannel())
        .setStatus(VerificationStatus.PENDING)
        .setCreatedAt(current.getRequestedAt())
        .setExpiresAt(current.getRequestedAt().plus(Duration.ofMinutes(10)))
        .setRepliedAt(Instant.now())
        .build();
    if (existing == null && request.getReplyInEvent()) {
      // As the dispatcher does: the created event carries the start's answer.
      event(request, answer);
    } else {
      reply(answer);
    }
  }

  private void onCheck(CodeCheckRequest check) {
    checks.add(check);
    VerificationReply.Builder reply = VerificationReply.newBuilder()
        .setCorrelationId(check.getCheckId())
        .setTo(check.getTo())
        .setRepliedAt(Instant.now());
    VerificationRequest verification = pending.get(check.getTo());
    if (verification == null
        || (check.getVerificationId() != null && !check.getVerificationId().equals(verification.getVerificationId()))) {
      reply(reply.setKind(ReplyKind.NOT_FOUND).setStatus(VerificationStatus.UNKNOWN_STATUS).build());
      return;
    }
    // The API binds a guess to the id it names (none for a check by number) and the number.
    Optional<String> guess = sealer.open(check.getCode(), check.getVerificationId(), check.getTo());
    boolean valid = guess.isPresent() && guess.get().equals(CODE);
    if (valid) {
      pending.remove(check.getTo());
    }
    reply(reply.setKind(ReplyKind.CHECKED)
        .setVerificationId(verification.getVerificationId())
        .setStatus(valid ? VerificationStatus.APPROVED : VerificationStatus.PENDING)
        .setValid(valid)
        .setAttemptsRemaining(valid ? 5 : 4)
        .build());
  }

  private void event(VerificationRequest created, VerificationReply carried) {
    VerificationEvent event = VerificationEvent.newBuilder()
        .setVerificationId(created.getVerificationId())
        .setTo(created.getTo())
        .setCountry(created.getCountry())
        .setChannel(created.getChannel())
        .setStatus(VerificationStatus.PENDING)
        .setReason("created")
        .setCreatedAt(created.getRequestedAt())
        .setOccurredAt(Instant.now())
        .setReply(carried)
        .build();
    byte[] bytes = topics.verificationEvents.valueSerde().serializer().serialize(topics.verificationEvents.name(), event);
    producer.send(new ProducerRecord<>(topics.verificationEvents.name(), event.getTo(), bytes));
  }

  private void reply(VerificationReply reply) {
    byte[] bytes = topics.verificationReplies.valueSerde().serializer().serialize(topics.verificationReplies.name(), reply);
    producer.send(new ProducerRecord<>(topics.verificationReplies.name(), reply.getCorrelationId(), bytes));
  }
}
