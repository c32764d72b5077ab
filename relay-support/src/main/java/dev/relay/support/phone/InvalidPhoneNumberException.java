package dev.relay.support.phone;

/** A phone number Relay refuses, with a stable reason code and a message fit for the caller. */
public final class InvalidPhoneNumberException extends RuntimeException {

  private final String reason;

  public InvalidPhoneNumberException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
