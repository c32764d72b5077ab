package dev.relay.api.dispatch;

/**
 * Kafka did not acknowledge a request in time: the caller should retry later. The message names the
 * topic and the Kafka error only, never the record, which holds a phone number.
 */
public final class NotAcknowledgedException extends RuntimeException {

  public NotAcknowledgedException(String topic, Throwable cause) {
    super("Kafka did not acknowledge the record for " + topic + ": " + cause.getClass().getSimpleName(), cause);
  }
}
