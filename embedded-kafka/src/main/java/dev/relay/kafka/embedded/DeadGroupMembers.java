package dev.relay.kafka.embedded;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.utils.Utils;

/**
 * Removes the members a killed process left in the consumer groups of a cluster that only that process
 * used. A group's coordinator keeps a member until its session expires, heartbeats or not, and a
 * restarted node reloads its groups with their members: a service that starts again and joins its group
 * gets no partitions until every old member's session has run out (10 s for Relay's Streams apps, 45 s
 * for a plain consumer's default), and the coordinator starts counting only once the node is back.
 *
 * <p>Only for a cluster nothing else uses, before anything joins a group: every member it lists then
 * belongs to the dead process.
 */
public final class DeadGroupMembers {

    /** States in which a group has no members to remove. */
    private static final Set<GroupState> WITHOUT_MEMBERS = EnumSet.of(GroupState.EMPTY, GroupState.DEAD);

    private DeadGroupMembers() {}

    /**
     * Removes every member of every consumer group (Streams apps' groups included) within {@code timeout}.
     *
     * @return the groups that had members
     */
    public static List<String> removeAll(String bootstrapServers, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            awaitGroupsLoaded(admin, deadline);
            Collection<GroupListing> groups = admin.listGroups(ListGroupsOptions.forConsumerGroups()).all()
                    .get(HangingTransactions.remaining(deadline), TimeUnit.MILLISECONDS);
            List<String> emptied = new ArrayList<>();
            for (GroupListing group : groups) {
                if (group.isSimpleConsumerGroup() || group.groupState().map(WITHOUT_MEMBERS::contains).orElse(false)) {
                    continue;
                }
                try {
                    admin.removeMembersFromConsumerGroup(group.groupId(), new RemoveMembersFromConsumerGroupOptions())
                            .all().get(HangingTransactions.remaining(deadline), TimeUnit.MILLISECONDS);
                    emptied.add(group.groupId());
                } catch (ExecutionException e) {
                    // Emptied or gone since it was listed: nothing is left to remove.
                    if (!(e.getCause() instanceof GroupIdNotFoundException || e.getCause() instanceof UnknownMemberIdException)) {
                        throw e;
                    }
                }
            }
            return emptied;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while removing the members of a killed run", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot remove the members of a killed run from their groups on "
                    + bootstrapServers, e);
        }
    }

    /**
     * Waits until the coordinator has loaded every partition of the groups' topic: until then a group
     * listing leaves out, without an error, the groups of the partitions still loading, as it does right
     * after a restart. A group description waits for its partition; one made-up group per partition
     * (found in none) waits for them all.
     */
    private static void awaitGroupsLoaded(Admin admin, long deadline)
            throws InterruptedException, ExecutionException, TimeoutException {
        int partitions;
        try {
            partitions = admin.describeTopics(List.of(Topic.GROUP_METADATA_TOPIC_NAME)).allTopicNames()
                    .get(HangingTransactions.remaining(deadline), TimeUnit.MILLISECONDS).get(Topic.GROUP_METADATA_TOPIC_NAME).partitions().size();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return; // No group has ever been used.
            }
            throw e;
        }
        for (KafkaFuture<ConsumerGroupDescription> probe : admin.describeConsumerGroups(probes(partitions)).describedGroups().values()) {
            try {
                probe.get(HangingTransactions.remaining(deadline), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                // Not found: its partition is loaded, and that is all the probe asks.
                if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                    throw e;
                }
            }
        }
    }

    /** One group id for each partition of the groups' topic, as the coordinator places groups. */
    private static List<String> probes(int partitions) {
        String[] probes = new String[partitions];
        int found = 0;
        for (int i = 0; found < partitions; i++) {
            String groupId = "relay-load-probe-" + i;
            int partition = Utils.abs(groupId.hashCode()) % partitions;
            if (probes[partition] == null) {
                probes[partition] = groupId;
                found++;
            }
        }
        return List.of(probes);
    }
}
