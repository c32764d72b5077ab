package dev.relay.scoring.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.support.config.ConfigException;
import dev.relay.support.config.RelayConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScoringSettingsTest {

  @Test
  void defaultsAreAnHourHoppingByAMinuteAndFiveMinutes() {
    ScoringSettings settings = ScoringSettings.defaults();

    assertThat(settings).isEqualTo(new ScoringSettings(Duration.ofHours(1), Duration.ofMinutes(1),
        Duration.ofMinutes(5), Duration.ofSeconds(10), 20, Duration.ofSeconds(30)));
    assertThat(settings.panesPerWindow()).isEqualTo(60);
  }

  @Test
  void theServiceDefaultsAreDeclared() {
    RelayConfig config = RelayConfig.of(ScoringConfig.SCHEMA, Map.of());

    assertThat(config.get(ScoringConfig.APPLICATION_ID)).isEqualTo("relay-scoring");
    assertThat(config.getDuration(ScoringConfig.COMMIT_INTERVAL)).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.getInt(ScoringConfig.HTTP_PORT)).isEqualTo(8083);
    assertThat(ScoringConfig.SCHEMA.find("relay.topics.provider-scores.name")).isPresent();
    assertThat(ScoringConfig.SCHEMA.find("relay.kafka.bootstrap-servers")).isPresent();
    // Read by the dispatcher since it tells the route facts; a config that sets them for scoring still loads.
    assertThat(ScoringSettings.from(RelayConfig.of(ScoringConfig.SCHEMA,
        Map.of("relay.scoring.match-horizon", "3h", "relay.scoring.outage-min-gap", "30s")))).isEqualTo(ScoringSettings.defaults());
  }

  @Test
  void windowsComeFromTheEnvironmentAsDurations() {
    RelayConfig config = RelayConfig.load(ScoringConfig.SCHEMA,
        Map.of("RELAY_SCORING_WINDOW", "PT30M", "RELAY_SCORING_SHORT_WINDOW", "2m", "RELAY_SCORING_WINDOW_ADVANCE", "30s"),
        new String[] {"--relay.scoring.prior-samples=30"});

    ScoringSettings settings = ScoringSettings.from(config);

    assertThat(settings.window()).isEqualTo(Duration.ofMinutes(30));
    assertThat(settings.shortWindow()).isEqualTo(Duration.ofMinutes(2));
    assertThat(settings.windowAdvance()).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.priorSamples()).isEqualTo(30);
    assertThat(settings.panesPerWindow()).isEqualTo(60);
  }

  @Test
  void inconsistentWindowsAreRefusedNamingTheKey() {
    assertRefused(Map.of("relay.scoring.window", "61s"), "relay.scoring.window (PT1M1S) must be a whole multiple");
    assertRefused(Map.of("relay.scoring.short-window", "90s"), "relay.scoring.short-window (PT1M30S) must be a whole multiple");
    assertRefused(Map.of("relay.scoring.short-window", "2h"),
        "relay.scoring.short-window (PT2H) must not be longer");
    assertRefused(Map.of("relay.scoring.emit-interval", "0s"), "relay.scoring.emit-interval must be a positive duration");
    assertRefused(Map.of("relay.scoring.prior-samples", "-1"), "relay.scoring.prior-samples must not be negative");
    assertRefused(Map.of("relay.scoring.window", "an hour"), "relay.scoring.window");
    assertRefused(Map.of("relay.scoring.completion-settle", "5m"),
        "relay.scoring.completion-settle must be zero or more and shorter than relay.scoring.short-window (PT5M)");
  }

  private static void assertRefused(Map<String, String> overrides, String message) {
    assertThatThrownBy(() -> ScoringSettings.from(RelayConfig.of(ScoringConfig.SCHEMA, overrides)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(message);
  }
}
