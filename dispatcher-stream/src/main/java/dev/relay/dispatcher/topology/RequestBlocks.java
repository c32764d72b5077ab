package dev.relay.dispatcher.topology;

import dev.relay.schemas.VerificationRequest;
import java.time.Instant;
import java.util.Optional;

/**
 * The request limits as the lifecycle asks them: is a block in force for this request's client IP,
 * client network or API key? The blocks are decided off the hot path ({@link RequestLimiter}) and
 * read from a global store.
 */
interface RequestBlocks {

  RequestBlocks NONE = (request, now) -> Optional.empty();

  /** A block in force: the refusal's error code and when the limit lets a request through again. */
  record Block(String error, Instant until) {}

  /** The block in force that lasts longest, or empty when none holds the request back. */
  Optional<Block> blockOf(VerificationRequest request, Instant now);
}
