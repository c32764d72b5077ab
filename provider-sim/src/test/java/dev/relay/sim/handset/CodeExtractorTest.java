package dev.relay.sim.handset;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
}
