package dev.relay.providers.receipt;

/** A callback that is not a receipt this vendor sends: a missing field, a body that does not parse. */
public final class MalformedReceiptException extends RuntimeException {

  public MalformedReceiptException(String message) {
    super(message, null, false, false);
  }
}
