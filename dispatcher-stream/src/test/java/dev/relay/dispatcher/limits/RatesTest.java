package dev.relay.dispatcher.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.support.config.ConfigException;
import dev.relay.support.limits.Rates;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Sliding-window limits and the networks addresses are counted in. */
class RatesTest {

  private static final Instant NOW = Instant.parse("2026-01-05T10:00:00Z");

  @Test
  void parsesCountsOverDurationsAndEmptyMeansUnlimited() {
    Rates rates = Rates.parse("k", " 5/1m, 20/PT1H ");

    assertThat(rates.rates()).containsExactly(new Rates.Rate(5, Duration.ofMinutes(1)), new Rates.Rate(20, Duration.ofHours(1)));
    assertThat(rates.horizon()).isEqualTo(Duration.ofHours(1));
    assertThat(Rates.parse("k", "").blockedUntil(List.of(NOW, NOW, NOW), NOW)).isEmpty();
  }

  @Test
  void badEntriesNameTheSetting() {
    for (String bad : List.of("5", "/1m", "0/1m", "5/0s", "x/1m", "5/soon", "-1/1m")) {
      assertThatThrownBy(() -> Rates.parse("relay.limits.per-ip", bad)).as(bad)
          .isInstanceOf(ConfigException.class).hasMessageContaining("relay.limits.per-ip");
    }
  }

  @Test
  void blockedUntilTheOldestCountedEventLeavesTheWindow() {
    Rates rates = Rates.parse("k", "2/1m");
    List<Instant> two = List.of(NOW.minusSeconds(50), NOW.minusSeconds(10));

    assertThat(rates.blockedUntil(List.of(NOW.minusSeconds(10)), NOW)).isEmpty();
    assertThat(rates.blockedUntil(two, NOW)).contains(NOW.plusSeconds(10));
    assertThat(rates.blockedUntil(List.of(NOW.minusSeconds(61), NOW.minusSeconds(10)), NOW)).isEmpty();
  }

  @Test
  void theLatestFreeTimeOfAllWindowsWins() {
    Rates rates = Rates.parse("k", "2/1m,3/1h");
    List<Instant> history = List.of(NOW.minus(Duration.ofMinutes(30)), NOW.minusSeconds(30), NOW.minusSeconds(20));

    assertThat(rates.blockedUntil(history, NOW)).contains(NOW.plus(Duration.ofMinutes(30)));
  }

  @Test
  void networksAreTheSlash24AndTheSlash48() {
    assertThat(Networks.of("203.0.113.77")).contains("203.0.113.0/24");
    // A single IPv6 subscriber is commonly handed a /48 (RIPE-690): 65 536 /64s to rotate through.
    assertThat(Networks.of("2001:db8:1:2:3:4:5:6")).contains("2001:db8:1:0:0:0:0:0/48");
    assertThat(Networks.of("2001:db8:1:ffff::1")).isEqualTo(Networks.of("2001:db8:1:2::9"));
    assertThat(Networks.of("evil.example.com")).isEmpty();
    assertThat(Networks.of(null)).isEmpty();
  }
}
