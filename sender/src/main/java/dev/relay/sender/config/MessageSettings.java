package dev.relay.sender.config;

import dev.relay.support.config.ConfigException;
import dev.relay.support.config.RelayConfig;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What goes into every message besides the code, read and validated once by {@link #from(RelayConfig)}:
 * the app's friendly name, and the optional autofill lines of an SMS (the Web OTP origin-bound line,
 * the Android SMS Retriever app hash).
 *
 * @param webOtpDomain the host of the site that reads the code ({@code example.com}), or empty: no Web OTP line
 * @param androidAppHash the app's 11-character SMS Retriever hash, or empty: no hash line
 */
public record MessageSettings(String friendlyName, Optional<String> webOtpDomain, Optional<String> androidAppHash) {

  static final int MAX_FRIENDLY_NAME = 30;
  private static final Pattern HOST =
      Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
  // Google's hash: the first 11 characters of a base64-encoded SHA-256.
  private static final Pattern APP_HASH = Pattern.compile("[A-Za-z0-9+/]{11}");

  public MessageSettings {
    if (friendlyName == null || friendlyName.isBlank() || friendlyName.length() > MAX_FRIENDLY_NAME) {
      throw new ConfigException(SenderConfig.FRIENDLY_NAME.name() + " must be 1 to " + MAX_FRIENDLY_NAME
          + " characters, not '" + friendlyName + "'");
    }
    // A line break in the name could forge a line of the message, an autofill line among them.
    if (friendlyName.chars().anyMatch(Character::isISOControl)) {
      throw new ConfigException(SenderConfig.FRIENDLY_NAME.name() + " must be one line without control characters");
    }
    webOtpDomain.filter(domain -> !HOST.matcher(domain).matches()).ifPresent(domain -> {
      throw new ConfigException(SenderConfig.WEB_OTP_DOMAIN.name()
          + " must be a host name such as example.com (no scheme, port or path), not '" + domain + "'");
    });
    androidAppHash.filter(hash -> !APP_HASH.matcher(hash).matches()).ifPresent(hash -> {
      throw new ConfigException(SenderConfig.ANDROID_APP_HASH.name()
          + " must be the app's 11-character SMS Retriever hash (letters, digits, + and /), not '" + hash + "'");
    });
  }

  /** Just the friendly name, without autofill lines. */
  public static MessageSettings named(String friendlyName) {
    return new MessageSettings(friendlyName, Optional.empty(), Optional.empty());
  }

  public static MessageSettings from(RelayConfig config) {
    return new MessageSettings(
        config.get(SenderConfig.FRIENDLY_NAME).trim(),
        config.find(SenderConfig.WEB_OTP_DOMAIN).map(domain -> domain.trim().toLowerCase(Locale.ROOT)),
        config.find(SenderConfig.ANDROID_APP_HASH).map(String::trim));
  }
}
