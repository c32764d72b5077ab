package dev.relay.sim.handset;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class CodeExtractorTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "NONE", value = {
      "Your Relay code is 482913. It expires in 10 minutes. | 482913",
      "482913 is your verification code                     | 482913",
      "Code: 1234                                            | 1234",
      "Your code is 4, 8, 2, 9, 1, 3. Again: 4, 8, 2, 9, 1, 3. | 482913",
      "Your code is 4. 8. 2. 9.                              | 4829",
      "Your code is 4 8 2 9 1 3 0 7                          | 48291307",
      "It expires in 10 minutes                              | NONE",
      "Call 112 now                                          | NONE",
      "An 11-digit number 12345678901 is no code             | NONE",
      "no digits at all                                      | NONE"})
  void findsTheCodeAPersonWouldRead(String text, String code) {
    assertThat(CodeExtractor.find(text).orElse(null)).isEqualTo(code);
  }

  /** The sender's texts in every language, SMS and call (sender's texts*.properties with friendly name Acme). */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "Your Acme code is 482913",
      "Ihr Code für Acme lautet 482913",
      "Votre code Acme est 482913",
      "Tu código de Acme es 482913",
      "Il tuo codice Acme è 482913",
      "Je code voor Acme is 482913",
      "O seu código Acme é 482913",
      "Your Acme code is 4, 8, 2, 9, 1, 3. Once again, your code is 4, 8, 2, 9, 1, 3.",
      "Ihr Code für Acme lautet 4, 8, 2, 9, 1, 3. Noch einmal, Ihr Code lautet 4, 8, 2, 9, 1, 3.",
      "Votre code Acme est 4, 8, 2, 9, 1, 3. Je répète, votre code est 4, 8, 2, 9, 1, 3.",
      "Tu código de Acme es 4, 8, 2, 9, 1, 3. Otra vez, tu código es 4, 8, 2, 9, 1, 3.",
      "Il tuo codice Acme è 4, 8, 2, 9, 1, 3. Ripeto, il tuo codice è 4, 8, 2, 9, 1, 3.",
      "Je code voor Acme is 4, 8, 2, 9, 1, 3. Nogmaals, je code is 4, 8, 2, 9, 1, 3.",
      "O seu código Acme é 4, 8, 2, 9, 1, 3. Repetindo, o seu código é 4, 8, 2, 9, 1, 3."})
  void findsTheCodeInEveryLanguage(String text) {
    assertThat(CodeExtractor.find(text)).contains("482913");
  }

  static Stream<Arguments> autofillLines() {
    return Stream.of(
        Arguments.of("Your Acme code is 482913\n\n@example.com #482913", "482913"),
        Arguments.of("Ihr Code für Acme lautet 482913\n\nFA+9qCX9VSu", "482913"),
        // a hash with a digit run of its own comes after the code
        Arguments.of("Ihr Code für Acme lautet 482913\n\nAb12345cdEf", "482913"),
        Arguments.of("Votre code Acme est 482913\n\nAb12345cdEf\n@login.example.com #482913", "482913"),
        // the Web OTP line is what autofill reads, even when the text has an earlier number
        Arguments.of("Your Shop 2024 code is 482913\n\n@shop.example #482913", "482913"),
        Arguments.of("Your Shop 2024 code is 482913\n\n@shop.example #482913 @embedded.example", "482913"),
        // an origin-bound line that is not the last line is no Web OTP line
        Arguments.of("Code 4829\n@shop.example #1111\nmore text", "4829"));
  }

  @ParameterizedTest
  @MethodSource("autofillLines")
  void findsTheCodeBesideTheAutofillLines(String text, String code) {
    assertThat(CodeExtractor.find(text)).contains(code);
  }
}
