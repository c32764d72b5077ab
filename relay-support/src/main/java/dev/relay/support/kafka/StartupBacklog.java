package dev.relay.support.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a consumer group has worked off the input that was waiting for it when its service started.
 * After a restart (a crash above all) its input topics hold everything written while it was down; a
 * request that arrives then waits behind all of it, and a caller who waits a few seconds for the answer
 * gets none. A service that answers callers is ready only once this backlog is done, so "ready" means
 * "answers now", not only "running". It latches: once done, ordinary lag under load changes nothing.
 *
 * <p>The backlog is each partition's last stable offset when {@link #snapshot} ran, for every partition
 * the group had committed offsets on; it is done when the group's committed offsets reach it. A
 * committed offset short of it counts as done when nothing a read_committed reader would see lies in
 * between: the transaction markers, and the aborted records a killed producer leaves, are skipped by the
 * reader without a commit ever moving past them.
 */
public final class StartupBacklog {

  private static final Logger LOG = LoggerFactory.getLogger(StartupBacklog.class);
  private static final Duration READ_POLL = Duration.ofMillis(200);

  private final KafkaAccess kafka;
  private final String groupId;
  private final Map<TopicPartition, Long> waiting;

  private StartupBacklog(KafkaAccess kafka, String groupId, Map<TopicPartition, Long> waiting) {
    this.kafka = kafka;
    this.groupId = groupId;
    this.waiting = new HashMap<>(waiting);
  }

  /**
   * Notes what waits for {@code groupId} now; call it before the group's consumers start. A group that
   * never committed (a first start) has no backlog.
   *
   * @throws IllegalStateException when the cluster does not answer within {@code timeout}
   */
  public static StartupBacklog snapshot(KafkaAccess kafka, String groupId, Duration timeout) {
    try (Admin admin = Admin.create(KafkaSettings.admin(kafka, groupId + "-backlog", timeout))) {
      Map<TopicPartition, OffsetAndMetadata> committed = committed(admin, groupId, timeout);
      Map<TopicPartition, Long> ends = lastStableOffsets(admin, committed, timeout);
      Map<TopicPartition, Long> waiting = new HashMap<>();
      ends.forEach((partition, end) -> {
        if (end > committed.get(partition).offset()) {
          waiting.put(partition, end);
        }
      });
      LOG.info("{} starts with input waiting on {} partition(s)", groupId, waiting.size());
      return new StartupBacklog(kafka, groupId, waiting);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the offsets of " + groupId, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot read the offsets of " + groupId, e);
    }
  }

  /** A backlog already done: for a service that does not wait for one. */
  public static StartupBacklog none() {
    return new StartupBacklog(null, "", Map.of());
  }

  /** The partitions (and the offsets up to which) the group still has to work through. */
  public synchronized Map<TopicPartition, Long> waiting() {
    return Map.copyOf(waiting);
  }

  /**
   * Checks the group's committed offsets once and forgets every partition it has worked through.
   *
   * @return true once nothing is left
   */
  public synchronized boolean check(Duration timeout) {
    if (waiting.isEmpty()) {
      return true;
    }
    try (Admin admin = Admin.create(KafkaSettings.admin(kafka, groupId + "-backlog", timeout))) {
      Map<TopicPartition, OffsetAndMetadata> committed = committed(admin, groupId, timeout);
      Map<TopicPartition, Long> behind = new HashMap<>();
      waiting.forEach((partition, end) -> {
        OffsetAndMetadata offset = committed.get(partition);
        if (offset == null || offset.offset() < end) {
          behind.put(partition, offset == null ? 0L : offset.offset());
        }
      });
      waiting.keySet().removeIf(partition -> !behind.containsKey(partition));
      if (!behind.isEmpty()) {
        waiting.keySet().removeIf(partition -> behind.containsKey(partition)
            && nothingVisible(partition, behind.get(partition), waiting.get(partition), timeout));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      LOG.warn("could not check the backlog of {}: {}", groupId, e.toString());
      return false;
    }
    return waiting.isEmpty();
  }

  /** True when a read_committed reader finds no record in {@code [from, to)} of the partition. */
  private boolean nothingVisible(TopicPartition partition, long from, long to, Duration timeout) {
    Map<String, Object> settings = KafkaSettings.committedConsumer(kafka, null, groupId + "-backlog-reader");
    try (KafkaConsumer<byte[], byte[]> reader =
        new KafkaConsumer<>(settings, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      reader.assign(java.util.List.of(partition));
      reader.seek(partition, from);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (reader.position(partition, timeout) < to) {
        for (ConsumerRecord<byte[], byte[]> record : reader.poll(READ_POLL)) {
          if (record.offset() < to) {
            return false;
          }
        }
        if (System.nanoTime() > deadline) {
          return false;
        }
      }
      return true;
    }
  }

  private static Map<TopicPartition, OffsetAndMetadata> committed(Admin admin, String groupId, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
        .partitionsToOffsetAndMetadata().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    // A partition listed without an offset has none committed.
    return committed.entrySet().stream().filter(e -> e.getValue() != null)
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  private static Map<TopicPartition, Long> lastStableOffsets(Admin admin, Map<TopicPartition, ?> partitions,
      Duration timeout) throws InterruptedException, ExecutionException, TimeoutException {
    if (partitions.isEmpty()) {
      return Map.of();
    }
    Map<TopicPartition, OffsetSpec> latest = partitions.keySet().stream()
        .collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()));
    return admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
        .get(timeout.toMillis(), TimeUnit.MILLISECONDS).entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
  }
}
