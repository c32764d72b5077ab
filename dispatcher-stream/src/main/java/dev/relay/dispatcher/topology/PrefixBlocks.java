package dev.relay.dispatcher.topology;

import java.time.Instant;
import java.util.Optional;

/** The anti-pumping blocks as the lifecycle asks them: is this number's destination prefix blocked now? */
interface PrefixBlocks {

  PrefixBlocks NONE = (number, now) -> Optional.empty();

  /** When the block on the number's prefix ends, or empty when the prefix is not blocked. */
  Optional<Instant> blockedUntil(String number, Instant now);
}
