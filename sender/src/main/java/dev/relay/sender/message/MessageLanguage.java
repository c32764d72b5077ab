package dev.relay.sender.message;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Chooses the language of a message: the one the request asked for ({@code de}, {@code de-AT},
 * {@code pt-BR}: its language decides, its region is kept), else the main language of the number's
 * country, else English. A language without texts counts as not asked for. The region travels with
 * the language so a call can be spoken with that country's voice ({@code pt-PT}, {@code es-MX}).
 */
public final class MessageLanguage {

  /** The language when neither the request nor the number's country names one with texts. */
  public static final Locale FALLBACK = Locale.ENGLISH;

  /** A country's main language, where Relay has texts for it; any other country gets {@link #FALLBACK}. */
  private static final Map<String, String> COUNTRY_LANGUAGE = Map.ofEntries(
      Map.entry("DE", "de"), Map.entry("AT", "de"), Map.entry("CH", "de"), Map.entry("LI", "de"),
      Map.entry("FR", "fr"), Map.entry("BE", "fr"), Map.entry("MC", "fr"), Map.entry("LU", "fr"),
      Map.entry("ES", "es"), Map.entry("MX", "es"), Map.entry("AR", "es"), Map.entry("CO", "es"),
      Map.entry("CL", "es"), Map.entry("PE", "es"), Map.entry("VE", "es"), Map.entry("EC", "es"),
      Map.entry("GT", "es"), Map.entry("CU", "es"), Map.entry("BO", "es"), Map.entry("DO", "es"),
      Map.entry("HN", "es"), Map.entry("PY", "es"), Map.entry("SV", "es"), Map.entry("NI", "es"),
      Map.entry("CR", "es"), Map.entry("PA", "es"), Map.entry("UY", "es"), Map.entry("PR", "es"),
      Map.entry("IT", "it"), Map.entry("SM", "it"), Map.entry("VA", "it"),
      Map.entry("NL", "nl"), Map.entry("SR", "nl"),
      Map.entry("PT", "pt"), Map.entry("BR", "pt"), Map.entry("AO", "pt"), Map.entry("MZ", "pt"), Map.entry("CV", "pt"),
      Map.entry("US", "en"), Map.entry("GB", "en"), Map.entry("IE", "en"), Map.entry("AU", "en"),
      Map.entry("NZ", "en"), Map.entry("CA", "en"), Map.entry("IN", "en"), Map.entry("ZA", "en"));

  private MessageLanguage() {}

  /**
   * @param requested the request's BCP 47 tag, or {@code null}
   * @param country the number's region (libphonenumber's, {@code DE}), or {@code null}
   * @param languages the languages there are texts for ({@code de}, ...)
   */
  public static Locale resolve(String requested, String country, Set<String> languages) {
    String region = country == null ? "" : country.trim().toUpperCase(Locale.ROOT);
    if (requested != null && !requested.isBlank()) {
      Locale asked = Locale.forLanguageTag(requested.trim());
      if (languages.contains(asked.getLanguage())) {
        return asked.getCountry().isEmpty() ? withCountry(asked.getLanguage(), region) : new Locale(asked.getLanguage(), asked.getCountry());
      }
    }
    String spoken = COUNTRY_LANGUAGE.get(region);
    if (spoken != null && languages.contains(spoken)) {
      return new Locale(spoken, region);
    }
    return FALLBACK;
  }

  /** The language with the number's country as its region, if that is where it is spoken. */
  private static Locale withCountry(String language, String region) {
    return language.equals(COUNTRY_LANGUAGE.get(region)) ? new Locale(language, region) : new Locale(language);
  }
}
