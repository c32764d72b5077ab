package dev.relay.providers.twilio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.providers.ErrorCategories;
import dev.relay.schemas.ErrorCategory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TwilioErrorsTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "21211, INVALID_NUMBER", "21217, INVALID_NUMBER", "21401, INVALID_NUMBER", "30005, INVALID_NUMBER",
      "13223, INVALID_NUMBER", "13224, INVALID_NUMBER",
      "21610, OPTED_OUT", "30004, OPTED_OUT",
      "21214, UNREACHABLE_NUMBER", "21216, UNREACHABLE_NUMBER", "21614, UNREACHABLE_NUMBER", "30003, UNREACHABLE_NUMBER",
      "30006, UNREACHABLE_NUMBER",
      "20429, THROTTLED", "63018, THROTTLED", "14107, THROTTLED", "21611, THROTTLED", "30001, THROTTLED", "30022, THROTTLED",
      "20003, AUTH_CONFIG", "20005, AUTH_CONFIG", "20404, AUTH_CONFIG", "21205, AUTH_CONFIG", "21210, AUTH_CONFIG",
      "21212, AUTH_CONFIG", "21602, AUTH_CONFIG", "21606, AUTH_CONFIG", "21608, AUTH_CONFIG", "21659, AUTH_CONFIG",
      "21660, AUTH_CONFIG", "30002, AUTH_CONFIG", "30010, AUTH_CONFIG",
      "13227, NO_ROUTE", "21215, NO_ROUTE", "21408, NO_ROUTE", "21612, NO_ROUTE", "30007, NO_ROUTE",
      "20500, PROVIDER_ERROR", "20503, PROVIDER_ERROR", "21617, PROVIDER_ERROR", "30008, PROVIDER_ERROR",
      // WhatsApp: a user the channel cannot reach is no verdict on the number.
      "63003, NO_ROUTE", "63024, NO_ROUTE", "63032, NO_ROUTE", "63049, NO_ROUTE",
      "63001, AUTH_CONFIG", "63005, AUTH_CONFIG", "63007, AUTH_CONFIG", "63013, AUTH_CONFIG", "63016, AUTH_CONFIG",
      "63027, AUTH_CONFIG", "63028, AUTH_CONFIG", "63021, PROVIDER_ERROR", "63012, PROVIDER_ERROR", "63038, THROTTLED"})
  void mapsEveryCodeInTheTable(int code, ErrorCategory expected) {
    assertThat(TwilioErrors.categorize(400, code)).isEqualTo(expected);
  }

  @Test
  void theTableTestCoversTheWholeTable() {
    assertThat(TwilioErrors.CODES).hasSize(55);
  }

  @Test
  void theNumberCodesArePermanentAndTheOthersRetryable() {
    assertThat(ErrorCategories.isPermanentForNumber(TwilioErrors.categorize(400, 21211))).isTrue();
    assertThat(ErrorCategories.isPermanentForNumber(TwilioErrors.categorize(400, 21610))).isTrue();
    assertThat(ErrorCategories.isPermanentForNumber(TwilioErrors.categorize(429, 20429))).isFalse();
    assertThat(ErrorCategories.isPermanentForNumber(TwilioErrors.categorize(401, 20003))).isFalse();
  }

  @ParameterizedTest(name = "HTTP {0} without a code -> {1}")
  @CsvSource({"401, AUTH_CONFIG", "403, AUTH_CONFIG", "404, AUTH_CONFIG", "429, THROTTLED", "400, UNKNOWN_ERROR",
      "500, PROVIDER_ERROR", "502, PROVIDER_ERROR", "503, PROVIDER_ERROR", "504, PROVIDER_ERROR"})
  void fallsBackOnTheHttpStatus(int httpStatus, ErrorCategory expected) {
    assertThat(TwilioErrors.categorize(httpStatus, null)).isEqualTo(expected);
  }

  @Test
  void anyServerErrorIsRetryableWhateverItsCode() {
    assertThat(TwilioErrors.categorize(500, 21211)).isEqualTo(ErrorCategory.PROVIDER_ERROR);
  }
}
