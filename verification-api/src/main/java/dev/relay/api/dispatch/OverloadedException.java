package dev.relay.api.dispatch;

import java.time.Duration;

/**
 * A request refused before it was handed to the dispatcher, because it could not be expected to be
 * answered within the reply timeout. Nothing was produced: retrying after {@link #retryAfter()} is safe.
 */
public final class OverloadedException extends RuntimeException {

  private final Duration retryAfter;

  public OverloadedException(String message, Duration retryAfter) {
    super(message, null, false, false);
    this.retryAfter = retryAfter;
  }

  /** When the backlog ahead of it should have drained far enough for the request to be admitted. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
