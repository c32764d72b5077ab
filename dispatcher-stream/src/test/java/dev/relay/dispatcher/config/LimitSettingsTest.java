package dev.relay.dispatcher.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.support.limits.Rates;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LimitSettingsTest {

  private static LimitSettings perNumber(String all, String fromOneNetwork) {
    return new LimitSettings(Rates.none(), Rates.none(), Rates.none(),
        Rates.parse("per-number", all), Rates.parse("per-number-per-network", fromOneNetwork));
  }

  @Test
  void theSendsOfANumberCountForTheLongestOfItsTwoLimitsWindows() {
    assertThat(LimitSettings.defaults().perNumberHorizon()).isEqualTo(Duration.ofDays(1));
    assertThat(perNumber("5/10m", "3/1h").perNumberHorizon()).isEqualTo(Duration.ofHours(1));
    assertThat(perNumber("5/10m,10/2d", "3/1h").perNumberHorizon()).isEqualTo(Duration.ofDays(2));
    assertThat(perNumber("", "").perNumberHorizon()).as("both limits off").isEqualTo(Duration.ZERO);
  }
}
