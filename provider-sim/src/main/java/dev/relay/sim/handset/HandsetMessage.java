package dev.relay.sim.handset;

import java.time.Instant;

/**
 * One message a simulated handset received: the text of an SMS or the words a call spoke, who sent
 * it, and the code found in it.
 *
 * @param channel {@code sms} or {@code voice}
 * @param code the digits of the one-time code found in the text, or {@code null} when none
 */
public record HandsetMessage(
    String text,
    String provider,
    String channel,
    String from,
    String messageId,
    Instant receivedAt,
    String code) {

  @Override
  public String toString() {
    // Holds a one-time code: never print the text or the code.
    return "HandsetMessage[provider=" + provider + ", channel=" + channel + ", messageId=" + messageId + "]";
  }
}
