package dev.relay.api.admin;

import dev.relay.schemas.PrefixBlock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The operator's view of anti-pumping: which destination prefixes are blocked now, and releasing
 * one. Backed by the compacted {@code blocked-prefixes} topic ({@link KafkaBlockedPrefixes}); the
 * dispatcher's detector writes the blocks and reads the releases from it.
 *
 * <p>Both methods throw {@link BlocksUnavailableException} when Kafka cannot be read or written in time.
 */
public interface BlockedPrefixes {

  /** Every prefix whose block holds at {@code now}, in prefix order. */
  List<PrefixBlock> blocked(Instant now);

  /**
   * Releases the prefix when it is blocked at {@code now}: the release is durable on the topic when
   * this returns it. Empty when the prefix is not blocked.
   */
  Optional<PrefixBlock> release(String prefix, String releasedBy, Instant now);
}
