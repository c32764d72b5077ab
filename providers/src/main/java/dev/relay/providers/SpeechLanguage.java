package dev.relay.providers;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The language tag a vendor's text-to-speech is asked to speak a message in ({@code de-DE}): vendors
 * want a language with a region, and offer voices only for some pairs. The message's own region wins
 * when the vendor has a voice for it ({@code pt-PT}, {@code es-MX}); otherwise the language's usual
 * voice ({@code de-AT} is spoken {@code de-DE}); a language the vendor does not speak falls back to
 * {@code en-US}, the vendors' own default.
 */
public final class SpeechLanguage {

  /** What the vendors default to when no language is given. */
  public static final String FALLBACK = "en-US";

  private static final Map<String, String> USUAL_REGION = Map.of(
      "en", "US", "de", "DE", "fr", "FR", "es", "ES", "it", "IT", "nl", "NL", "pt", "BR");

  private SpeechLanguage() {}

  /**
   * @param language the message's language, with or without a region
   * @param spoken the vendor's language tags, {@code xx-YY}
   */
  public static String tagFor(Locale language, Set<String> spoken) {
    String lang = language.getLanguage();
    String region = language.getCountry();
    if (!region.isEmpty()) {
      String exact = lang + "-" + region;
      if (spoken.contains(exact)) {
        return exact;
      }
    }
    String usualRegion = USUAL_REGION.get(lang);
    if (usualRegion != null && spoken.contains(lang + "-" + usualRegion)) {
      return lang + "-" + usualRegion;
    }
    return FALLBACK;
  }
}
