package dev.relay.support.phone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PhoneNumbersTest {

  @ParameterizedTest
  @CsvSource({
      "'+4915112345678', +4915112345678, DE",
      "'+49 151 1234 5678', +4915112345678, DE",
      "'+1 (415) 555-2671', +14155552671, US",
      "'+33 6 12 34 56 78', +33612345678, FR"})
  void normalizesInternationalNumbersToE164WithTheirRegion(String input, String e164, String region) {
    PhoneNumbers.E164 parsed = PhoneNumbers.parse(input);

    assertThat(parsed.number()).isEqualTo(e164);
    assertThat(parsed.region()).isEqualTo(region);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "015112345678", "+49", "+999123456789", "+4915112345678\u0000", "+49151abcdefgh",
      "+4915112345678901234567890123456789"})
  void refusesWhatIsNotAValidInternationalNumber(String input) {
    assertThatThrownBy(() -> PhoneNumbers.parse(input)).isInstanceOf(InvalidPhoneNumberException.class);
  }

  @Test
  void masksAllButThePrefixAndTheLastTwoDigits() {
    assertThat(PhoneNumbers.mask("+4915112345678")).isEqualTo("+49151******78");
    assertThat(PhoneNumbers.mask("+4915112345678")).doesNotContain("123456");
  }
}
