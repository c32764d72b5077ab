package dev.relay.sender.message;

import java.util.Locale;
import java.util.ResourceBundle;
import java.util.Set;

/**
 * Relay's default wording, one properties bundle a language under {@code dev/relay/sender/message/}:
 * {@code texts.properties} is English, {@code texts_de.properties} German, and so on.
 */
public final class BundledTexts implements MessageTexts {

  static final String BASE_NAME = "dev.relay.sender.message.texts";
  static final String SMS_KEY = "sms";
  static final String VOICE_KEY = "voice";

  /** The languages with a bundle; English is the base bundle. */
  public static final Set<String> LANGUAGES = Set.of("en", "de", "fr", "es", "it", "nl", "pt");

  // The JVM's default locale must not decide: a language without a bundle falls to the base (English).
  private static final ResourceBundle.Control NO_DEFAULT_LOCALE =
      ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES);

  @Override
  public Set<String> languages() {
    return LANGUAGES;
  }

  @Override
  public String sms(Locale language) {
    return bundle(language).getString(SMS_KEY);
  }

  @Override
  public String voice(Locale language) {
    return bundle(language).getString(VOICE_KEY);
  }

  /** Looked up by language alone: the texts do not differ by region. ResourceBundle caches the bundles. */
  static ResourceBundle bundle(Locale language) {
    return ResourceBundle.getBundle(BASE_NAME, new Locale(language.getLanguage()), NO_DEFAULT_LOCALE);
  }
}
