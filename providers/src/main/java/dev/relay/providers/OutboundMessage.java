package dev.relay.providers;

import dev.relay.schemas.Channel;

/**
 * What to deliver: the number, the channel, the text already rendered (an SMS body, or the script a
 * voice call reads), and the client reference the vendor echoes back in its receipts.
 *
 * @param idempotencyKey {@code <verification id>-<attempt>}; passed as the vendor's client reference
 */
public record OutboundMessage(String to, String country, Channel channel, String text, String idempotencyKey) {

  @Override
  public String toString() {
    // The text holds the code: never print it.
    return "OutboundMessage[channel=" + channel + ", country=" + country + ", ref=" + idempotencyKey + "]";
  }
}
