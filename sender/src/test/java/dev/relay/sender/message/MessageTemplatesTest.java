package dev.relay.sender.message;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.Channel;
import dev.relay.schemas.ServiceSettings;
import dev.relay.sender.config.MessageSettings;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ResourceBundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class MessageTemplatesTest {

  /** A fixture, not an issued code. */
  private static final String CODE = "482913";
  private static final String HASH = "FA+9qCX9VSu";

  private static final MessageTemplates ACME = MessageTemplates.bundled(MessageSettings.named("Acme"));
  private static final MessageTemplates WITH_AUTOFILL = MessageTemplates.bundled(
      new MessageSettings("Acme", Optional.of("example.com"), Optional.of(HASH)));

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', value = {
      "en | Your Acme code is 482913",
      "de | Ihr Code für Acme lautet 482913",
      "fr | Votre code Acme est 482913",
      "es | Tu código de Acme es 482913",
      "it | Il tuo codice Acme è 482913",
      "nl | Je code voor Acme is 482913",
      "pt | O seu código Acme é 482913"})
  void anSmsInEachLanguageNamesTheAppAndCarriesTheCode(String language, String text) {
    RenderedMessage message = ACME.render(Channel.SMS, CODE, language, "US");

    assertThat(message.text()).isEqualTo(text);
    assertThat(message.language().getLanguage()).isEqualTo(language);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', value = {
      "en | Your Acme code is 4, 8, 2, 9, 1, 3. Once again, your code is 4, 8, 2, 9, 1, 3.",
      "de | Ihr Code für Acme lautet 4, 8, 2, 9, 1, 3. Noch einmal, Ihr Code lautet 4, 8, 2, 9, 1, 3.",
      "fr | Votre code Acme est 4, 8, 2, 9, 1, 3. Je répète, votre code est 4, 8, 2, 9, 1, 3.",
      "es | Tu código de Acme es 4, 8, 2, 9, 1, 3. Otra vez, tu código es 4, 8, 2, 9, 1, 3.",
      "it | Il tuo codice Acme è 4, 8, 2, 9, 1, 3. Ripeto, il tuo codice è 4, 8, 2, 9, 1, 3.",
      "nl | Je code voor Acme is 4, 8, 2, 9, 1, 3. Nogmaals, je code is 4, 8, 2, 9, 1, 3.",
      "pt | O seu código Acme é 4, 8, 2, 9, 1, 3. Repetindo, o seu código é 4, 8, 2, 9, 1, 3."})
  void aCallInEachLanguageReadsTheDigitsTwice(String language, String script) {
    assertThat(ACME.render(Channel.VOICE, CODE, language, "US").text()).isEqualTo(script);
  }

  @Test
  void withoutALocaleTheNumbersCountryChoosesAndTheRegionTravelsWithTheLanguage() {
    RenderedMessage message = ACME.render(Channel.VOICE, CODE, null, "BR");

    assertThat(message.text()).startsWith("O seu código Acme é 4, 8");
    assertThat(message.language()).isEqualTo(Locale.forLanguageTag("pt-BR"));
  }

  @Test
  void anUnknownLocaleAndCountryFallBackToEnglish() {
    RenderedMessage message = ACME.render(Channel.SMS, CODE, "ja-JP", "JP");

    assertThat(message.text()).isEqualTo("Your Acme code is 482913");
    assertThat(message.language()).isEqualTo(Locale.ENGLISH);
  }

  @Test
  void theWebOtpLineIsTheLastLineAfterTheAppHash() {
    String text = WITH_AUTOFILL.render(Channel.SMS, CODE, "de", "DE").text();

    assertThat(text).isEqualTo("Ihr Code für Acme lautet 482913\n\n" + HASH + "\n@example.com #482913");
    String[] lines = text.split("\n");
    assertThat(lines[lines.length - 1]).isEqualTo("@example.com #" + CODE);
  }

  @Test
  void theWebOtpLineAloneEndsTheSms() {
    MessageTemplates webOtp = MessageTemplates.bundled(
        new MessageSettings("Acme", Optional.of("login.example.com"), Optional.empty()));

    assertThat(webOtp.render(Channel.SMS, CODE, "en", "US").text())
        .isEqualTo("Your Acme code is 482913\n\n@login.example.com #482913");
  }

  @Test
  void theAppHashAloneEndsTheSms() {
    MessageTemplates appHash = MessageTemplates.bundled(new MessageSettings("Acme", Optional.empty(), Optional.of(HASH)));

    String text = appHash.render(Channel.SMS, CODE, "en", "US").text();

    assertThat(text).isEqualTo("Your Acme code is 482913\n\n" + HASH).endsWith(HASH);
  }

  @ParameterizedTest
  @EnumSource(value = Channel.class, names = "SMS", mode = EnumSource.Mode.EXCLUDE)
  void autofillLinesAreForSmsOnly(Channel channel) {
    String text = WITH_AUTOFILL.render(channel, CODE, "en", "US").text();

    assertThat(text).doesNotContain(HASH).doesNotContain("@example.com").doesNotContain("\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"en", "de", "fr", "es", "it", "nl", "pt"})
  void everyLanguageHasItsOwnBundleWithBothTextsAndBothPlaceholders(String language) {
    ResourceBundle bundle = BundledTexts.bundle(new Locale(language));
    if (!language.equals("en")) {
      assertThat(bundle.getLocale().getLanguage()).as("a bundle of its own, not the English base").isEqualTo(language);
    }
    assertThat(bundle.getString(BundledTexts.SMS_KEY)).contains("{0}", "{1}");
    assertThat(bundle.getString(BundledTexts.VOICE_KEY)).contains("{0}", "{1}");
    assertThat(BundledTexts.LANGUAGES).contains(language);
  }

  @Test
  void aLanguageWithoutABundleIsNotTakenFromTheJvmsDefaultLocale() {
    Locale before = Locale.getDefault();
    try {
      Locale.setDefault(Locale.GERMAN);
      assertThat(new BundledTexts().sms(new Locale("ja"))).isEqualTo("Your {0} code is {1}");
    } finally {
      Locale.setDefault(before);
    }
  }

  @Test
  void theFriendlyNameIsTextNotAPattern() {
    MessageTemplates quoted = MessageTemplates.bundled(MessageSettings.named("Bob's {1} Shop"));

    assertThat(quoted.render(Channel.SMS, CODE, "en", "US").text()).isEqualTo("Your Bob's {1} Shop code is 482913");
  }

  @Test
  void theRenderedMessageNeverPrintsItsText() {
    assertThat(ACME.render(Channel.SMS, CODE, "en", "US").toString()).doesNotContain(CODE).contains("en");
  }

  // ---------------------------------------------------------------- a service's own wording

  private static ServiceSettings service(String friendlyName, Map<String, String> templates) {
    return ServiceSettings.newBuilder().setFriendlyName(friendlyName).setCodeLength(6).setExpiryMillis(600_000)
        .setMaxChecks(5).setMaxSends(5).setTemplates(templates).build();
  }

  @Test
  void aServicesFriendlyNameTakesTheSendersPlaceInEveryChannel() {
    ServiceSettings shop = service("Shop", Map.of());

    assertThat(ACME.render(Channel.SMS, CODE, "en", "US", shop).text()).isEqualTo("Your Shop code is 482913");
    assertThat(ACME.render(Channel.VOICE, CODE, "de", "DE", shop).text()).startsWith("Ihr Code für Shop lautet 4, 8, 2");
    assertThat(ACME.render(Channel.WHATSAPP, CODE, "fr", "FR", shop).text()).isEqualTo("Votre code Shop est 482913");
    assertThat(ACME.render(Channel.SMS, CODE, "en", "US", null).text()).isEqualTo("Your Acme code is 482913");
  }

  @Test
  void aServicesTemplateWordsTheSmsInItsLanguageRegionFirstAndRelaysWordsTheRest() {
    ServiceSettings shop = service("Shop", Map.of("de", "{1} ist Ihr {0}-Code", "pt", "Código {0}: {1}",
        "pt-BR", "Seu código {0}: {1}"));

    assertThat(ACME.render(Channel.SMS, CODE, null, "DE", shop).text()).isEqualTo("482913 ist Ihr Shop-Code");
    assertThat(ACME.render(Channel.SMS, CODE, "pt-BR", "US", shop).text()).isEqualTo("Seu código Shop: 482913");
    assertThat(ACME.render(Channel.SMS, CODE, "pt-PT", "US", shop).text()).isEqualTo("Código Shop: 482913");
    assertThat(ACME.render(Channel.SMS, CODE, "nl", "NL", shop).text()).isEqualTo("Je code voor Shop is 482913");
    assertThat(ACME.render(Channel.VOICE, CODE, "de", "DE", shop).text()).as("a call keeps Relay's script")
        .startsWith("Ihr Code für Shop lautet");
  }

  @Test
  void aTemplateInALanguageRelayHasNoTextsForIsUsedForTheSmsAndACallFallsBackToEnglish() {
    ServiceSettings shop = service("Shop", Map.of("pl", "Kod {0}: {1}"));

    RenderedMessage sms = ACME.render(Channel.SMS, CODE, "pl", "PL", shop);
    assertThat(sms.text()).isEqualTo("Kod Shop: 482913");
    assertThat(sms.language().getLanguage()).isEqualTo("pl");
    assertThat(ACME.render(Channel.VOICE, CODE, "pl", "PL", shop).text()).startsWith("Your Shop code is 4, 8");
  }

  @Test
  void theAutofillLinesStillEndAServicesSms() {
    String text = WITH_AUTOFILL.render(Channel.SMS, CODE, "de", "DE", service("Shop", Map.of("de", "{1} ist Ihr {0}-Code")))
        .text();

    assertThat(text).isEqualTo("482913 ist Ihr Shop-Code\n\n" + HASH + "\n@example.com #482913");
  }

  @Test
  void settingsNoMessageMayCarryFallBackToTheSendersWording() {
    assertThat(ACME.render(Channel.SMS, CODE, "en", "US", service("Line\nbreak", Map.of())).text())
        .isEqualTo("Your Acme code is 482913");
    assertThat(ACME.render(Channel.SMS, CODE, "en", "US", service("Shop", Map.of("en", "Code {1"))).text())
        .isEqualTo("Your Shop code is 482913");
  }
}
