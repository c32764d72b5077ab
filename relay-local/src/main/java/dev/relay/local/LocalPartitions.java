package dev.relay.local;

import dev.relay.schemas.topics.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * How many partitions the embedded run's topics have. A deployment's default (six) lets up to six
 * instances of a service share the work; the embedded run has one broker and one instance of each
 * service, where more partitions buy nothing and cost on every commit: each transaction writes an
 * offset and a marker per partition it touched, and each Streams task opens its own stores. Two
 * cut the offsets written per verification by a third to a half at 200 verifications a second, and
 * the memory by 55-65 MiB (docs/performance.md). A data directory made by an earlier run keeps the count its topics were
 * created with, since a topic keyed by number cannot change it without moving its keys.
 */
final class LocalPartitions {

  /** The topics of a new data directory. */
  static final int NEW_DATA_DIRECTORY = 2;

  private LocalPartitions() {}

  /** The partitions of the data directory's topics, read from its broker; {@link #NEW_DATA_DIRECTORY} when it has none yet. */
  static int of(String bootstrapServers, Duration timeout) {
    String requests = Topics.defaults().verificationRequests.name();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      return admin.describeTopics(List.of(requests)).allTopicNames()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(requests).partitions().size();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return NEW_DATA_DIRECTORY;
      }
      throw new IllegalStateException("cannot tell the partitions of " + requests + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("the broker did not describe " + requests + " within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the partitions of " + requests, e);
    }
  }
}
