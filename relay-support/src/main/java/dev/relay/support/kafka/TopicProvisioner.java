package dev.relay.support.kafka;

import dev.relay.schemas.topics.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics Relay needs, as their descriptors say, and leaves existing ones alone: safe to
 * run at every start of every service.
 */
public final class TopicProvisioner {

  private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);
  private static final Duration LEADER_POLL = Duration.ofMillis(100);

  private TopicProvisioner() {}

  public static void ensure(String bootstrapServers, List<Topic<?, ?>> topics, Duration timeout) {
    Map<String, Object> props = new HashMap<>();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    try (Admin admin = Admin.create(props)) {
      Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (Topic<?, ?> topic : topics) {
        if (!existing.contains(topic.name())) {
          missing.add(newTopic(topic));
        }
      }
      if (missing.isEmpty()) {
        return;
      }
      try {
        admin.createTopics(missing).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        // Another service may have created the same topic a moment ago.
        if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
          throw e;
        }
      }
      List<String> created = missing.stream().map(NewTopic::name).toList();
      awaitLeaders(admin, created, System.nanoTime() + timeout.toNanos());
      LOG.info("created topics {}", created);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create topics on " + bootstrapServers + ": " + e, e);
    }
  }

  /**
   * Returns once the brokers' metadata shows every partition of {@code names} with a leader. The
   * controller answers CreateTopics before the brokers have caught up, and a Streams app started at
   * that moment fails outright: a global store finds "no partitions available" for its topic.
   */
  private static void awaitLeaders(Admin admin, List<String> names, long deadlineNanos)
      throws InterruptedException, TimeoutException {
    while (true) {
      long remainingMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
      try {
        Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames()
            .get(remainingMillis, TimeUnit.MILLISECONDS);
        boolean led = described.size() == names.size() && described.values().stream()
            .allMatch(topic -> !topic.partitions().isEmpty()
                && topic.partitions().stream().allMatch(partition -> partition.leader() != null));
        if (led) {
          return;
        }
      } catch (ExecutionException e) {
        // UnknownTopicOrPartition until the broker has the topic: what we are waiting out.
      }
      if (System.nanoTime() >= deadlineNanos) {
        throw new TimeoutException("topics " + names + " were created but have no leaders yet");
      }
      TimeUnit.MILLISECONDS.sleep(LEADER_POLL.toMillis());
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
