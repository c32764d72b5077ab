package dev.relay.providers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SpeechLanguageTest {

  private static final Set<String> SPOKEN = Set.of("en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "es-MX", "pt-BR", "pt-PT");

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "es-MX, es-MX",   // the message's own region, when the vendor speaks it
      "pt-PT, pt-PT",
      "de-AT, de-DE",   // a region the vendor has no voice for: the language's usual voice
      "de, de-DE",      // no region: the usual one
      "pt, pt-BR",
      "en, en-US",
      "it, en-US",      // a language this vendor does not speak: the vendors' default
      "ja-JP, en-US"})
  void picksTheClosestVoiceTheVendorHas(String language, String tag) {
    assertThat(SpeechLanguage.tagFor(Locale.forLanguageTag(language), SPOKEN)).isEqualTo(tag);
  }
}
