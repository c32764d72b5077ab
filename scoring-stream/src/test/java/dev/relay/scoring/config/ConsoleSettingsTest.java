package dev.relay.scoring.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.support.config.ConfigException;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.routing.RouteOrder;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConsoleSettingsTest {

  @Test
  void byDefaultADayOfHistoryTheDispatchersPolicyAndNoLookUp() {
    ConsoleSettings settings = ConsoleSettings.from(RelayConfig.of(ScoringConfig.SCHEMA, Map.of()));

    assertThat(settings).isEqualTo(new ConsoleSettings(Optional.empty(), Duration.ofDays(1), 1500, Duration.ofSeconds(5),
        new RouteOrder.Policy(20, 0.05, 0.05), "*:twilio,vonage", "*:twilio"));
  }

  @Test
  void theApiUrlIsReadWithoutATrailingSlash() {
    ConsoleSettings settings = ConsoleSettings.from(RelayConfig.of(ScoringConfig.SCHEMA,
        Map.of("relay.scoring.console.api-url", "http://api:8080/")));

    assertThat(settings.apiUrl()).contains(URI.create("http://api:8080"));
  }

  @Test
  void aBadSettingNamesItsKey() {
    for (String url : new String[] {"api:8080", "ftp://api", "http://api:8080/?x=1", "http:// bad"}) {
      assertThatThrownBy(() -> ConsoleSettings.from(RelayConfig.of(ScoringConfig.SCHEMA, Map.of("relay.scoring.console.api-url", url))))
          .as(url).isInstanceOf(ConfigException.class).hasMessageContaining("relay.scoring.console.api-url");
    }
    assertThatThrownBy(() -> ConsoleSettings.from(RelayConfig.of(ScoringConfig.SCHEMA, Map.of("relay.scoring.console.history-points", "1"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.scoring.console.history-points");
    assertThatThrownBy(() -> ConsoleSettings.from(RelayConfig.of(ScoringConfig.SCHEMA, Map.of("relay.scoring.console.history", "0s"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.scoring.console.history");
  }
}
