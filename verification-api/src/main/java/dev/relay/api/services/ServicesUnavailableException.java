package dev.relay.api.services;

/** The services topic could not be read or written in time: the caller gets a 503 and retries. */
public final class ServicesUnavailableException extends RuntimeException {

  public ServicesUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
