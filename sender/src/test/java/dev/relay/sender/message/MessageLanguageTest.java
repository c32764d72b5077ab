package dev.relay.sender.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessageLanguageTest {

  @ParameterizedTest(name = "locale {0}, country {1} -> {2}")
  @CsvSource(nullValues = "NONE", value = {
      // the request's locale decides, its region kept
      "de, US, de",
      "de-AT, US, de-AT",
      "pt-BR, PT, pt-BR",
      "FR, DE, fr",
      // a language without region takes the number's country when that is where it is spoken
      "de, AT, de-AT",
      "es, MX, es-MX",
      "it, DE, it",
      // no locale: the country's main language
      "NONE, DE, de-DE",
      "NONE, AT, de-AT",
      "NONE, CH, de-CH",
      "NONE, FR, fr-FR",
      "NONE, BE, fr-BE",
      "NONE, ES, es-ES",
      "NONE, AR, es-AR",
      "NONE, IT, it-IT",
      "NONE, NL, nl-NL",
      "NONE, PT, pt-PT",
      "NONE, BR, pt-BR",
      "NONE, GB, en-GB",
      // a locale without texts counts as none: the country, else English
      "ja, DE, de-DE",
      "ja-JP, JP, en",
      "NONE, JP, en",
      "'', PL, en",
      "NONE, NONE, en",
      "NONE, ZZ, en"})
  void explicitLocaleElseCountryElseEnglish(String requested, String country, String expected) {
    assertThat(MessageLanguage.resolve(requested, country, BundledTexts.LANGUAGES))
        .isEqualTo(Locale.forLanguageTag(expected));
  }

  @ParameterizedTest(name = "a set without {0}")
  @CsvSource({"de", "pt"})
  void aLanguageTheTextSetLacksIsNotChosen(String missing) {
    java.util.Set<String> languages = new java.util.HashSet<>(BundledTexts.LANGUAGES);
    languages.remove(missing);

    assertThat(MessageLanguage.resolve(missing, null, languages)).isEqualTo(MessageLanguage.FALLBACK);
    assertThat(MessageLanguage.resolve(null, missing.equals("de") ? "DE" : "BR", languages))
        .isEqualTo(MessageLanguage.FALLBACK);
  }
}
