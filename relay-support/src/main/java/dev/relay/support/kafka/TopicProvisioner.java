package dev.relay.support.kafka;

import dev.relay.schemas.topics.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics Relay needs, as their descriptors say, and leaves existing ones alone: safe to
 * run at every start of every service. Returns only once every partition of them is served by its
 * leader, so the first records produced after it cannot meet a partition that is still being set up.
 */
public final class TopicProvisioner {

  private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);
  /** How often a new topic's partitions are asked for their leaders: one round trip on a local broker. */
  private static final Duration LEADER_POLL = Duration.ofMillis(20);

  private TopicProvisioner() {}

  public static void ensure(KafkaAccess kafka, List<Topic<?, ?>> topics, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = Admin.create(KafkaSettings.admin(kafka, "relay-topic-provisioner", timeout))) {
      Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (Topic<?, ?> topic : topics) {
        if (!existing.contains(topic.name())) {
          missing.add(newTopic(topic));
        }
      }
      if (!missing.isEmpty()) {
        try {
          admin.createTopics(missing).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
          if (e.getCause() instanceof AuthorizationException) {
            // A topic hidden from a principal without DESCRIBE looks missing: say both possible causes.
            throw new IllegalStateException("topics " + missing.stream().map(NewTopic::name).toList()
                + " are not visible to this Kafka principal (no DESCRIBE ACL) or do not exist, and it may not create"
                + " them (no CREATE ACL): grant the service's ACLs or create the topics first (docs/deploy.md)", e.getCause());
          }
          // Another service may have created the same topic a moment ago.
          if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
            throw e;
          }
        }
        LOG.info("created topics {}", missing.stream().map(NewTopic::name).toList());
      }
      // Existing topics too: another service may have created them a moment ago.
      awaitLeaders(admin, topics.stream().map(Topic::name).toList(), deadline);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create topics on " + kafka.bootstrapServers() + ": " + e, e);
    }
  }

  /**
   * Returns once every partition of the named topics is served by its leader, or throws when the
   * timeout passes first. For anyone who creates topics and produces to them at once.
   */
  public static void awaitLeaders(KafkaAccess kafka, Collection<String> topicNames, Duration timeout) {
    try (Admin admin = Admin.create(KafkaSettings.admin(kafka, "relay-topic-provisioner", timeout))) {
      awaitLeaders(admin, topicNames, System.nanoTime() + timeout.toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for partition leaders", e);
    }
  }

  /**
   * A topic the controller has just created is not yet served everywhere. An idempotent producer whose
   * first batch to such a partition meets NOT_LEADER_OR_FOLLOWER may see its later batches appended
   * first (a producer the broker has no state for may start at any sequence), and its first batch is
   * then refused with OUT_OF_ORDER_SEQUENCE_NUMBER until it times out: lost. So wait until each
   * partition has a leader in the metadata and that leader answers for it (a list-offsets request goes
   * to the leader and fails while it is not leading yet).
   */
  static void awaitLeaders(Admin admin, Collection<String> topicNames, long deadlineNanos) throws InterruptedException {
    String problem = "no answer";
    while (true) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        throw new IllegalStateException("partitions of " + topicNames + " are not served by a leader in time: " + problem);
      }
      try {
        Map<String, TopicDescription> described =
            admin.describeTopics(topicNames).allTopicNames().get(left, TimeUnit.NANOSECONDS);
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        List<TopicPartition> leaderless = new ArrayList<>();
        for (TopicDescription topic : described.values()) {
          for (TopicPartitionInfo partition : topic.partitions()) {
            TopicPartition tp = new TopicPartition(topic.name(), partition.partition());
            partitions.put(tp, OffsetSpec.latest());
            if (partition.leader() == null || partition.leader().isEmpty()) {
              leaderless.add(tp);
            }
          }
        }
        if (leaderless.isEmpty()) {
          admin.listOffsets(partitions).all().get(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
          return;
        }
        problem = "no leader for " + leaderless;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException)) {
          throw new IllegalStateException("cannot describe " + topicNames + ": " + e.getCause(), e.getCause());
        }
        problem = e.getCause().toString();
      } catch (TimeoutException e) {
        problem = "no answer";
        continue;
      }
      Thread.sleep(LEADER_POLL.toMillis());
    }
  }

  static NewTopic newTopic(Topic<?, ?> topic) {
    Map<String, String> configs = new HashMap<>();
    configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, topic.cleanup().policy());
    configs.put(TopicConfig.RETENTION_MS_CONFIG,
        topic.retention() == null ? "-1" : Long.toString(topic.retention().toMillis()));
    if (topic.replicationFactor() > 1) {
      configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(topic.replicationFactor() - 1));
    }
    return new NewTopic(topic.name(), topic.partitions(), topic.replicationFactor()).configs(configs);
  }
}
