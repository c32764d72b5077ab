package dev.relay.api.services;

import dev.relay.api.config.ApiConfig;
import dev.relay.schemas.VerificationService;
import dev.relay.schemas.topics.Topic;
import dev.relay.support.kafka.KafkaAccess;
import dev.relay.support.kafka.CompactedTopicReader;
import dev.relay.support.kafka.KafkaSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Services read straight from the compacted topic (assigned, no group, from the beginning to the end
 * offsets): it holds one record per service, and the API keeps no store. {@link #all()} reads the
 * topic on every call (an operator's); {@link #find} answers from the last read while it is younger
 * than the refresh interval, so a change made on another API instance applies there within that
 * interval. A save is produced with {@code acks=all} and returned only once the broker acknowledged it.
 */
public final class KafkaServices implements Services {

  private final KafkaAccess kafka;
  private final Topic<String, VerificationService> topic;
  private final Duration timeout;
  private final Duration refresh;
  private final Clock clock;
  private Map<String, VerificationService> snapshot;
  private Instant snapshotAt;

  public KafkaServices(KafkaAccess kafka, Topic<String, VerificationService> topic, Duration timeout, Duration refresh,
      Clock clock) {
    this.kafka = kafka;
    this.topic = topic;
    this.timeout = timeout;
    this.refresh = refresh;
    this.clock = clock;
  }

  /** Wired from config; connects only when called. */
  public static KafkaServices create(ApiConfig config) {
    return new KafkaServices(config.kafka(), config.topics().services, config.replyTimeout(), config.servicesRefresh(),
        Clock.systemUTC());
  }

  @Override
  public List<VerificationService> all() {
    return new ArrayList<>(read().values());
  }

  @Override
  public synchronized Optional<VerificationService> find(String serviceId) {
    Instant now = clock.instant();
    if (snapshot == null || !now.isBefore(snapshotAt.plus(refresh))) {
      read();
    }
    return Optional.ofNullable(snapshot.get(serviceId));
  }

  @Override
  public void save(VerificationService service) {
    Map<String, Object> props = KafkaSettings.durableProducer(kafka, clientId("save"), timeout);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      byte[] value = topic.valueSerde().serializer().serialize(topic.name(), service);
      producer.send(new ProducerRecord<>(topic.name(), service.getServiceId(), value))
          .get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException | KafkaException e) {
      throw new ServicesUnavailableException("the service could not be stored", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServicesUnavailableException("interrupted while storing a service", e);
    }
    synchronized (this) {
      if (snapshot != null) {
        snapshot.put(service.getServiceId(), service);
      }
    }
  }

  /** The latest record of every service, in id order; kept as the snapshot {@link #find} answers from. */
  private Map<String, VerificationService> read() {
    Instant readAt = clock.instant();
    Map<String, VerificationService> latest;
    try {
      latest = CompactedTopicReader.latestByKey(kafka, topic, clientId("read"), timeout);
    } catch (KafkaException e) {
      throw new ServicesUnavailableException("services could not be read: " + e.getMessage(), e);
    }
    synchronized (this) {
      snapshot = new TreeMap<>(latest);
      snapshotAt = readAt;
    }
    return latest;
  }

  private static String clientId(String purpose) {
    return "verification-api-services-" + purpose + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
