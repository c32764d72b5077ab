package dev.relay.dispatcher.http;

import dev.relay.schemas.state.VerificationState;
import java.util.Optional;

/**
 * Where a number's verification lives among the dispatcher instances, and its value when it lives
 * here. Kafka Streams in production ({@link StreamsVerificationLocator}); the query routes know
 * nothing else of it.
 */
public interface VerificationLocator {

  /** Which instance holds the active copy of the number's verification now. */
  Owner ownerOf(String number);

  /**
   * The number's verification from this instance's active store.
   *
   * @throws NotQueryableException when the partition's store cannot answer now (a rebalance moved it,
   *     it is restoring); a standby or stale copy is never read
   */
  Optional<VerificationState> readHere(String number, int partition);

  /** The owner of one number, as the Streams metadata tells it. */
  sealed interface Owner {

    /** This instance; {@code partition} is the one holding the number. */
    record Here(int partition) implements Owner {}

    /** Another instance, at its {@code application.server}. */
    record There(String host, int port) implements Owner {}

    /** Nobody known now: not started, rebalancing, or the metadata not yet there. */
    record Unknown(String why) implements Owner {}
  }

  /** The store for the number's partition is not queryable here now; asking again shortly may succeed. */
  final class NotQueryableException extends RuntimeException {

    public NotQueryableException(String message) {
      super(message, null, false, false);
    }
  }
}
