package dev.relay.providers;

import dev.relay.schemas.Channel;
import java.util.Locale;
import java.util.Objects;

/**
 * What to deliver: the number, the channel, the text already rendered (an SMS body, or the script a
 * voice call reads), the code itself for channels that carry it as a template variable (WhatsApp's
 * approved authentication templates: the vendor renders the text), the client reference the vendor
 * echoes back in its receipts, and the language the text is written in, so a call is spoken in it.
 *
 * @param code the one-time code, or {@code null} when the channel needs only {@code text}
 * @param idempotencyKey {@code <verification id>-<attempt>}; passed as the vendor's client reference
 * @param language the text's language, with the region when one was chosen ({@code de}, {@code pt-BR})
 */
public record OutboundMessage(String to, String country, Channel channel, String text, String code, String idempotencyKey,
    Locale language) {

  public OutboundMessage {
    Objects.requireNonNull(language, "language");
  }

  /** An English message (the language of texts rendered before locales were supported). */
  public OutboundMessage(String to, String country, Channel channel, String text, String code, String idempotencyKey) {
    this(to, country, channel, text, code, idempotencyKey, Locale.ENGLISH);
  }

  /** An English message whose channel carries the rendered text alone (SMS, voice). */
  public OutboundMessage(String to, String country, Channel channel, String text, String idempotencyKey) {
    this(to, country, channel, text, null, idempotencyKey, Locale.ENGLISH);
  }

  @Override
  public String toString() {
    // The text and the code are secret: never print them.
    return "OutboundMessage[channel=" + channel + ", country=" + country + ", language=" + language.toLanguageTag()
        + ", ref=" + idempotencyKey + "]";
  }
}
