package dev.relay.api.dispatch;

import java.time.Duration;

/**
 * No dispatcher could answer a read now (a rebalance, the owner restoring or unreachable, none
 * configured): the caller gets 503 and retries after {@link #retryAfter()}.
 */
public final class ReadUnavailableException extends RuntimeException {

  private final Duration retryAfter;

  public ReadUnavailableException(String message, Duration retryAfter) {
    super(message, null, false, false);
    this.retryAfter = retryAfter;
  }

  public Duration retryAfter() {
    return retryAfter;
  }
}
