package dev.relay.providers;

import dev.relay.schemas.Channel;

/**
 * What to deliver: the number, the channel, the text already rendered (an SMS body, or the script a
 * voice call reads), the code itself for channels that carry it as a template variable (WhatsApp's
 * approved authentication templates: the vendor renders the text), and the client reference the
 * vendor echoes back in its receipts.
 *
 * @param code the one-time code, or {@code null} when the channel needs only {@code text}
 * @param idempotencyKey {@code <verification id>-<attempt>}; passed as the vendor's client reference
 */
public record OutboundMessage(String to, String country, Channel channel, String text, String code, String idempotencyKey) {

  /** A message whose channel carries the rendered text alone (SMS, voice). */
  public OutboundMessage(String to, String country, Channel channel, String text, String idempotencyKey) {
    this(to, country, channel, text, null, idempotencyKey);
  }

  @Override
  public String toString() {
    // The text and the code are secret: never print them.
    return "OutboundMessage[channel=" + channel + ", country=" + country + ", ref=" + idempotencyKey + "]";
  }
}
