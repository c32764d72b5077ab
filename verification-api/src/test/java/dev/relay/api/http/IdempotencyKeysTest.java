package dev.relay.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.api.ManualClock;
import dev.relay.support.http.ApiError;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class IdempotencyKeysTest {

  private static final Instant T0 = Instant.parse("2030-01-02T03:04:05Z");

  private final ManualClock clock = new ManualClock(T0);
  private final IdempotencyKeys keys = new IdempotencyKeys(Duration.ofHours(24), clock);

  @Test
  void theSameRequestAgainIsARetryAndAnotherBodyIs422() {
    keys.claim("shop", "signup-42", "START", "+4915112345678", "SMS", null);

    assertThatCode(() -> keys.claim("shop", "signup-42", "START", "+4915112345678", "SMS", null)).doesNotThrowAnyException();
    assertThatThrownBy(() -> keys.claim("shop", "signup-42", "START", "+4915112345679", "SMS", null))
        .isInstanceOfSatisfying(ApiError.class, error -> assertThat(error.status()).isEqualTo(422))
        .hasMessageContaining("requestId");
  }

  @Test
  void eachApiKeyHasItsOwnRequestIds() {
    keys.claim("shop", "signup-42", "START", "+4915112345678");

    assertThatCode(() -> keys.claim("bank", "signup-42", "START", "+4915112345679")).doesNotThrowAnyException();
    assertThatCode(() -> keys.claim(null, "signup-42", "START", "+4915112345670")).doesNotThrowAnyException();
  }

  @Test
  void partsCannotBeShiftedIntoEachOther() {
    keys.claim("shop", "r-1", "ab", "c");

    assertThatThrownBy(() -> keys.claim("shop", "r-1", "a", "bc")).isInstanceOf(ApiError.class);
  }

  @Test
  void aReleasedOrExpiredClaimFreesTheRequestId() {
    keys.claim("shop", "r-1", "START", "+4915112345678").release();
    assertThatCode(() -> keys.claim("shop", "r-1", "START", "+4915112345679")).doesNotThrowAnyException();

    clock.advance(Duration.ofHours(24).plusSeconds(1));
    assertThatCode(() -> keys.claim("shop", "r-1", "START", "+4915112345670")).doesNotThrowAnyException();
  }

  @Test
  void withoutARequestIdNothingIsRemembered() {
    keys.claim("shop", null, "START", "+4915112345678");

    assertThatCode(() -> keys.claim("shop", null, "START", "+4915112345679")).doesNotThrowAnyException();
  }
}
