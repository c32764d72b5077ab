package dev.relay.api.admin;

import dev.relay.support.kafka.KafkaAccess;
import dev.relay.api.config.ApiConfig;
import dev.relay.schemas.PrefixBlock;
import dev.relay.schemas.PrefixBlockState;
import dev.relay.schemas.topics.Topic;
import dev.relay.support.kafka.CompactedTopicReader;
import dev.relay.support.kafka.KafkaSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blocked prefixes read straight from the compacted topic on every call (assigned, no group, from
 * the beginning to the end offsets): the topic holds one record per prefix ever blocked, the calls
 * are an operator's, and the API keeps no state. A release is produced with {@code acks=all} and
 * returned only once the broker acknowledged it.
 */
public final class KafkaBlockedPrefixes implements BlockedPrefixes {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaBlockedPrefixes.class);

  private final KafkaAccess kafka;
  private final Topic<String, PrefixBlock> topic;
  private final Duration timeout;

  public KafkaBlockedPrefixes(KafkaAccess kafka, Topic<String, PrefixBlock> topic, Duration timeout) {
    this.kafka = kafka;
    this.topic = topic;
    this.timeout = timeout;
  }

  /** Wired from config; connects only when called. */
  public static KafkaBlockedPrefixes create(ApiConfig config) {
    return new KafkaBlockedPrefixes(config.kafka(), config.topics().blockedPrefixes, config.replyTimeout());
  }

  @Override
  public List<PrefixBlock> blocked(Instant now) {
    List<PrefixBlock> blocked = new ArrayList<>();
    for (PrefixBlock block : latest().values()) {
      if (isBlocked(block, now)) {
        blocked.add(block);
      }
    }
    return blocked;
  }

  @Override
  public Optional<PrefixBlock> release(String prefix, String releasedBy, Instant now) {
    PrefixBlock held = latest().get(prefix);
    if (held == null || !isBlocked(held, now)) {
      return Optional.empty();
    }
    PrefixBlock release = PrefixBlock.newBuilder(held)
        .setState(PrefixBlockState.RELEASED)
        .setReleasedAt(now)
        .setReleasedBy(releasedBy)
        .build();
    Map<String, Object> props = KafkaSettings.durableProducer(kafka, clientId("release"), timeout);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      byte[] value = topic.valueSerde().serializer().serialize(topic.name(), release);
      producer.send(new ProducerRecord<>(topic.name(), prefix, value)).get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException | KafkaException e) {
      throw new BlocksUnavailableException("the release of a prefix could not be stored", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BlocksUnavailableException("interrupted while storing a release", e);
    }
    LOG.warn("destination prefix {} released by {}", prefix, releasedBy);
    return Optional.of(release);
  }

  static boolean isBlocked(PrefixBlock block, Instant now) {
    return block.getState() == PrefixBlockState.BLOCKED && block.getBlockedUntil().isAfter(now);
  }

  /** The latest record of every prefix, in prefix order. */
  private Map<String, PrefixBlock> latest() {
    try {
      return CompactedTopicReader.latestByKey(kafka, topic, clientId("read"), timeout);
    } catch (KafkaException e) {
      throw new BlocksUnavailableException("blocked-prefixes could not be read: " + e.getMessage(), e);
    }
  }

  private static String clientId(String purpose) {
    return "verification-api-blocked-prefixes-" + purpose + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
