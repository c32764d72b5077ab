package dev.relay.sender.message;

import dev.relay.schemas.Channel;
import dev.relay.schemas.ServiceSettings;
import dev.relay.support.config.ConfigException;
import dev.relay.sender.config.MessageSettings;
import java.text.MessageFormat;
import java.util.Locale;

/**
 * The words around a code, in the recipient's language ({@link MessageLanguage}): the SMS body (also a
 * WhatsApp text where the vendor sends free text rather than its approved template), and the script a
 * voice call reads, digit by digit and twice, because a listener cannot scroll back. An SMS may end
 * with autofill lines: the Android SMS Retriever app hash, then the Web OTP origin-bound line, which
 * the WICG format requires to be the last line (the Retriever only needs the hash somewhere in the
 * message). Neither goes into a call or a WhatsApp text: they are for the phone's SMS reader.
 */
public final class MessageTemplates {

  private final MessageTexts texts;
  private final MessageSettings settings;

  public MessageTemplates(MessageTexts texts, MessageSettings settings) {
    this.texts = texts;
    this.settings = settings;
  }

  /** Relay's own wording with the given settings. */
  public static MessageTemplates bundled(MessageSettings settings) {
    return new MessageTemplates(new BundledTexts(), settings);
  }

  /**
   * @param requestedLocale the request's BCP 47 tag, or {@code null}
   * @param country the number's region ({@code DE})
   */
  public RenderedMessage render(Channel channel, String code, String requestedLocale, String country) {
    Locale language = MessageLanguage.resolve(requestedLocale, country, texts.languages());
    String text = switch (channel) {
      case VOICE -> format(texts.voice(language), language, spokenDigits(code));
      case SMS -> format(texts.sms(language), language, code) + autofillLines(code);
      default -> format(texts.sms(language), language, code);
    };
    return new RenderedMessage(text, language);
  }

  /**
   * As {@link #render(Channel, String, String, String)}, worded for the verification's service: its
   * friendly name, and its SMS template for the language where it has one. Without a service (null),
   * or with a name no message may carry, the sender's own settings word it.
   */
  public RenderedMessage render(Channel channel, String code, String requestedLocale, String country,
      ServiceSettings service) {
    if (service == null) {
      return render(channel, code, requestedLocale, country);
    }
    MessageSettings named;
    try {
      named = new MessageSettings(service.getFriendlyName(), settings.webOtpDomain(), settings.androidAppHash());
    } catch (ConfigException e) {
      return render(channel, code, requestedLocale, country);
    }
    MessageTexts worded = channel == Channel.VOICE ? texts : new ServiceTexts(texts, service.getTemplates());
    try {
      return new MessageTemplates(worded, named).render(channel, code, requestedLocale, country);
    } catch (IllegalArgumentException e) {
      // A template the API would have refused (written to the topic by another producer): Relay's wording.
      return new MessageTemplates(texts, named).render(channel, code, requestedLocale, country);
    }
  }

  private String format(String pattern, Locale language, String code) {
    return new MessageFormat(pattern, language).format(new Object[] {settings.friendlyName(), code});
  }

  /** Separated by a blank line, so the readers find them and a person skips them. */
  private String autofillLines(String code) {
    if (settings.androidAppHash().isEmpty() && settings.webOtpDomain().isEmpty()) {
      return "";
    }
    StringBuilder lines = new StringBuilder("\n");
    settings.androidAppHash().ifPresent(hash -> lines.append('\n').append(hash));
    settings.webOtpDomain().ifPresent(domain -> lines.append('\n').append('@').append(domain).append(" #").append(code));
    return lines.toString();
  }

  /** "1, 2, 3": text-to-speech pauses at each comma, so each digit is heard alone. */
  static String spokenDigits(String code) {
    return String.join(", ", code.split(""));
  }
}
