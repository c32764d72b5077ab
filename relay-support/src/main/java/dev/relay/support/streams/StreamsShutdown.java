package dev.relay.support.streams;

import java.time.Duration;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Closes a Kafka Streams client so that its successor starts at once. A Streams member does not leave
 * its consumer group on a plain {@code close()}: the group then waits out the old member's session
 * before it assigns the partitions to the restarted instance, which made a restart of the local stack
 * take close to a minute.
 */
public final class StreamsShutdown {

  private StreamsShutdown() {}

  /**
   * Closes {@code streams} within {@code timeout} and leaves its group.
   *
   * @return false when the client did not stop within the timeout
   */
  public static boolean closeLeavingGroup(KafkaStreams streams, Duration timeout) {
    return streams.close(CloseOptions.timeout(timeout)
        .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
  }
}
