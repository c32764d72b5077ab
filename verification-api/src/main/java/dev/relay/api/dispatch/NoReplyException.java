package dev.relay.api.dispatch;

import java.time.Duration;

/** Kafka took a request, but the dispatcher's reply did not come within the reply timeout. */
public final class NoReplyException extends RuntimeException {

  public NoReplyException(Duration waited) {
    super("no reply from the dispatcher within " + waited, null, false, false);
  }
}
