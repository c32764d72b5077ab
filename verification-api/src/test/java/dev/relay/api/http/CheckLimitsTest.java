package dev.relay.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.api.ManualClock;
import dev.relay.support.http.ApiError;
import dev.relay.support.limits.Rates;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CheckLimitsTest {

  private static final Instant T0 = Instant.parse("2030-01-02T03:04:05Z");

  private final ManualClock clock = new ManualClock(T0);

  @Test
  void aSourceOverItsLimitWaitsAndARefusedCheckIsNotCounted() {
    CheckLimits limits = new CheckLimits(Rates.parse("ip", "2/1m"), Rates.none(), clock);
    limits.admit("203.0.113.7", "shop");
    clock.advance(Duration.ofSeconds(20));
    limits.admit("203.0.113.7", "shop");

    clock.advance(Duration.ofSeconds(10));
    assertThatThrownBy(() -> limits.admit("203.0.113.7", "shop"))
        .isInstanceOfSatisfying(ApiError.class, error -> {
          assertThat(error.status()).isEqualTo(429);
          assertThat(error.code()).isEqualTo(CheckLimits.ERROR_IP);
          assertThat(error.retryAfter()).isEqualTo(Duration.ofSeconds(30));
        });
    assertThatThrownBy(() -> limits.admit("203.0.113.7", "shop")).isInstanceOf(ApiError.class);
    assertThatCode(() -> limits.admit("203.0.113.8", "shop")).as("another address").doesNotThrowAnyException();

    clock.advance(Duration.ofSeconds(31));
    assertThatCode(() -> limits.admit("203.0.113.7", "shop")).as("refusals did not extend the wait").doesNotThrowAnyException();
  }

  @Test
  void theKeysLimitHoldsAcrossAddresses() {
    CheckLimits limits = new CheckLimits(Rates.none(), Rates.parse("key", "2/1h"), clock);
    limits.admit("203.0.113.1", "shop");
    limits.admit("203.0.113.2", "shop");

    assertThatThrownBy(() -> limits.admit("203.0.113.3", "shop"))
        .isInstanceOfSatisfying(ApiError.class, error -> assertThat(error.code()).isEqualTo(CheckLimits.ERROR_API_KEY));
    assertThatCode(() -> limits.admit("203.0.113.3", "bank")).doesNotThrowAnyException();
    assertThatCode(() -> limits.admit("203.0.113.3", null)).as("no key, no key limit").doesNotThrowAnyException();
  }
}
