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
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Services read straight from the compacted topic (assigned, no group, from the beginning to the end
 * offsets): it holds one record per service, and the API keeps no store. {@link #all()} reads the
 * topic on every call (an operator's). {@link #find} answers from the last read: only the first call
 * waits for one; once the copy is older than the refresh interval, the call that notices starts one
 * read in the background and still answers from the copy, so no start waits for the topic (a read
 * takes a consumer's connect and fetch, and every start of a keyed service would queue behind it). A
 * change made on another API instance applies here within the refresh interval plus one read; while
 * the topic cannot be read, the copy keeps answering. A save is produced with {@code acks=all} and
 * returned only once the broker acknowledged it.
 */
public final class KafkaServices implements Services {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaServices.class);

  private final KafkaAccess kafka;
  private final Topic<String, VerificationService> topic;
  private final Duration timeout;
  private final Duration refresh;
  private final Clock clock;
  private final Object firstRead = new Object();
  private final AtomicBoolean refreshing = new AtomicBoolean();
  private volatile Snapshot snapshot;
  /** Guarded by this: reads under way, and the saves acknowledged while any ran. */
  private int readsRunning;
  private final Map<String, VerificationService> savedWhileReading = new HashMap<>();

  /** Services by id as read at {@code readAt}, never changed once published (a save publishes a new copy). */
  private record Snapshot(Map<String, VerificationService> byId, Instant readAt) {}

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
  public Optional<VerificationService> find(String serviceId) {
    Snapshot current = snapshot;
    if (current == null) {
      current = firstSnapshot();
    } else if (!clock.instant().isBefore(current.readAt().plus(refresh))) {
      refreshInBackground();
    }
    return Optional.ofNullable(current.byId().get(serviceId));
  }

  /** The first caller reads; callers arriving meanwhile wait for that read rather than start their own. */
  private Snapshot firstSnapshot() {
    synchronized (firstRead) {
      Snapshot current = snapshot;
      if (current == null) {
        read();
        current = snapshot;
      }
      return current;
    }
  }

  private void refreshInBackground() {
    if (!refreshing.compareAndSet(false, true)) {
      return;
    }
    Thread reader = new Thread(() -> {
      try {
        read();
      } catch (ServicesUnavailableException e) {
        // The copy keeps answering; the next find past the interval tries again.
        LOG.warn("services could not be refreshed, answering from the copy read at {}: {}", snapshot.readAt(),
            e.getMessage());
      } finally {
        refreshing.set(false);
      }
    }, "services-refresh");
    reader.setDaemon(true);
    reader.start();
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
    saved(service);
  }

  /** The latest record of every service, in id order; kept as the copy {@link #find} answers from. */
  private Map<String, VerificationService> read() {
    Instant readAt = clock.instant();
    readStarted();
    Map<String, VerificationService> latest;
    try {
      latest = CompactedTopicReader.latestByKey(kafka, topic, clientId("read"), timeout);
    } catch (KafkaException e) {
      readEnded(null, readAt);
      throw new ServicesUnavailableException("services could not be read: " + e.getMessage(), e);
    }
    readEnded(latest, readAt);
    return latest;
  }

  private synchronized void readStarted() {
    readsRunning++;
  }

  /**
   * Publishes a read as the copy. A save acknowledged while it ran may have come after the end offsets
   * it read to: such saves are laid over it, so this instance never loses sight of its own save.
   */
  private synchronized void readEnded(Map<String, VerificationService> latest, Instant readAt) {
    Snapshot current = snapshot;
    // A read that started before the copy's (an operator's list beside a refresh) is older: it is not published.
    if (latest != null && (current == null || !readAt.isBefore(current.readAt()))) {
      Map<String, VerificationService> byId = new TreeMap<>(latest);
      byId.putAll(savedWhileReading);
      snapshot = new Snapshot(Collections.unmodifiableMap(byId), readAt);
    }
    if (--readsRunning == 0) {
      savedWhileReading.clear();
    }
  }

  private synchronized void saved(VerificationService service) {
    if (readsRunning > 0) {
      savedWhileReading.put(service.getServiceId(), service);
    }
    Snapshot current = snapshot;
    if (current != null) {
      Map<String, VerificationService> byId = new TreeMap<>(current.byId());
      byId.put(service.getServiceId(), service);
      snapshot = new Snapshot(Collections.unmodifiableMap(byId), current.readAt());
    }
  }

  private static String clientId(String purpose) {
    return "verification-api-services-" + purpose + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
