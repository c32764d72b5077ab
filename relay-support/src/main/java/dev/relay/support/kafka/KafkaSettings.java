package dev.relay.support.kafka;

import dev.relay.support.streams.StoreOpening;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The Kafka client settings every Relay service uses, in one place, each with its reason. Every
 * client starts from the {@link KafkaAccess} (bootstrap servers and security), so no client can be
 * made that skips the deployment's authentication.
 */
public final class KafkaSettings {

  /** How long an HTTP caller may wait on Kafka before it gets a 503 and retries. */
  public static final Duration HTTP_PRODUCE_TIMEOUT = Duration.ofSeconds(5);

  /** How long a Streams member may be silent before its partitions move; heartbeats go every 3 s. */
  public static final Duration STREAMS_SESSION_TIMEOUT = Duration.ofSeconds(10);

  private KafkaSettings() {}

  /**
   * A producer for requests arriving over HTTP: idempotent with {@code acks=all}, so a 2xx means the
   * record is durable on every in-sync replica; bounded blocking and delivery time, so a broker
   * outage becomes a quick 503 instead of a hanging request.
   */
  public static Map<String, Object> durableProducer(KafkaAccess kafka, String clientId) {
    return durableProducer(kafka, clientId, HTTP_PRODUCE_TIMEOUT);
  }

  /** As {@link #durableProducer(KafkaAccess, String)}, with the caller's bound on how long a send may take. */
  public static Map<String, Object> durableProducer(KafkaAccess kafka, String clientId, Duration timeout) {
    Map<String, Object> props = kafka.clientSettings();
    props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    // A human waits for the answer: send at once rather than batch.
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) timeout.toMillis());
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    // delivery.timeout.ms must be at least request.timeout.ms + linger.ms.
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout.toMillis() + 1);
    return props;
  }

  /** A consumer that sees only committed records and commits its offsets itself. */
  public static Map<String, Object> committedConsumer(KafkaAccess kafka, String groupId, String clientId) {
    Map<String, Object> props = kafka.clientSettings();
    if (groupId != null) {
      props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    }
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return props;
  }

  /**
   * A Kafka Streams app under {@code exactly_once_v2}. The commit interval is the latency of every
   * hop, so apps a human waits on choose a short one on purpose.
   */
  public static Properties streams(KafkaAccess kafka, String applicationId, Path stateDir,
      Duration commitInterval, short replicationFactor) {
    Properties props = new Properties();
    // Unprefixed client properties reach every client of the app: consumers, producers and its admin.
    props.putAll(kafka.clientSettings());
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitInterval.toMillis());
    // Changelog and repartition topics must not ask for more replicas than the cluster has.
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) replicationFactor);
    // Records cross topics at commit anyway; a cache would only delay state-driven emits.
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, StoreOpening.class);
    // A crashed member (one that could not leave its group, see StreamsShutdown) holds its partitions
    // until its session expires: the 45 s default kept a restarted app waiting that long.
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), (int) STREAMS_SESSION_TIMEOUT.toMillis());
    return props;
  }

  /**
   * An admin client whose every call gives up after {@code timeout}: for the start-up checks and
   * the provisioning commands.
   */
  public static Map<String, Object> admin(KafkaAccess kafka, String clientId, Duration timeout) {
    Map<String, Object> props = kafka.clientSettings();
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    // The admin refuses an API timeout shorter than one request's.
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
    return props;
  }

  /**
   * A transactional producer with a stable id per instance (the sender's): idempotent, acks=all,
   * no batching delay. The caller's transactions decide what is durable.
   */
  public static Map<String, Object> transactionalProducer(KafkaAccess kafka, String clientId, String transactionalId,
      Duration transactionTimeout) {
    Map<String, Object> props = kafka.clientSettings();
    props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    // Failover latency matters more than batching.
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) transactionTimeout.toMillis());
    return props;
  }
}
