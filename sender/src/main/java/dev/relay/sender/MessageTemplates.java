package dev.relay.sender;

import dev.relay.schemas.Channel;

/**
 * The words around a code: the SMS body (also a WhatsApp text where the vendor sends free text rather
 * than its approved template), and the script a voice call reads, digit by digit and twice, because a
 * listener cannot scroll back. English only until locales are supported.
 */
public final class MessageTemplates {

  private MessageTemplates() {}

  public static String render(Channel channel, String code) {
    return channel == Channel.VOICE ? voice(code) : sms(code);
  }

  public static String sms(String code) {
    return "Your verification code is " + code;
  }

  public static String voice(String code) {
    String digits = String.join(", ", code.split(""));
    return "Your verification code is " + digits + ". Once again, your code is " + digits + ".";
  }
}
