package dev.relay.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How far behind its inputs each consumer group is: a phase's approvals say the hot path kept up, not
 * that everything did (scoring, for one, is on no person's path and may fall behind unseen).
 */
final class ConsumerLag {

  private ConsumerLag() {}

  /**
   * Per consumer group, the records on its partitions past its committed offsets: what it has still to
   * read. A transaction's marker counts as a record, so a group reading transactional output is about one
   * behind on each partition written since its last commit.
   */
  static Map<String, Long> recordsBehind(String bootstrap) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      Map<String, Long> behind = new TreeMap<>();
      for (GroupListing group : admin.listGroups().all().get()) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(group.groupId()).partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, OffsetSpec> ends = new LinkedHashMap<>();
        committed.forEach((partition, position) -> {
          if (position != null) {
            ends.put(partition, OffsetSpec.latest());
          }
        });
        if (ends.isEmpty()) {
          continue;
        }
        long records = 0;
        for (var end : admin.listOffsets(ends).all().get().entrySet()) {
          records += Math.max(0, end.getValue().offset() - committed.get(end.getKey()).offset());
        }
        behind.put(group.groupId(), records);
      }
      return behind;
    }
  }
}
