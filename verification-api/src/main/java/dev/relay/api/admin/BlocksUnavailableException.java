package dev.relay.api.admin;

/** The blocked-prefixes topic could not be read or written in time; nothing may be assumed to have changed. */
public final class BlocksUnavailableException extends RuntimeException {

  public BlocksUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
