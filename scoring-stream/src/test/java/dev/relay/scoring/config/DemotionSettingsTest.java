package dev.relay.scoring.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.support.config.ConfigException;
import dev.relay.support.config.RelayConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemotionSettingsTest {

  private static final DemotionSettings DEFAULTS = DemotionSettings.defaults();

  @Test
  void demotionHasHysteresis() {
    assertThat(DEFAULTS).isEqualTo(new DemotionSettings(0.55, 0.65, 20));
    boolean demoted = DEFAULTS.demoted(false, 0.70, 100);
    assertThat(demoted).isFalse();
    demoted = DEFAULTS.demoted(demoted, 0.56, 100);
    assertThat(demoted).as("between the thresholds a healthy route stays").isFalse();
    demoted = DEFAULTS.demoted(demoted, 0.54, 100);
    assertThat(demoted).as("below demote-below").isTrue();
    demoted = DEFAULTS.demoted(demoted, 0.64, 100);
    assertThat(demoted).as("between the thresholds a demoted route stays demoted").isTrue();
    demoted = DEFAULTS.demoted(demoted, 0.65, 100);
    assertThat(demoted).as("at promote-above").isFalse();
  }

  @Test
  void tooFewTriesNeitherDemoteNorPromote() {
    assertThat(DEFAULTS.demoted(false, 0.10, 19)).isFalse();
    assertThat(DEFAULTS.demoted(true, 0.99, 19)).isTrue();
    assertThat(DEFAULTS.demoted(true, 0.99, 0)).as("a quiet demoted route stays demoted").isTrue();
    assertThat(DEFAULTS.demoted(false, 0.10, 20)).isTrue();
  }

  @Test
  void readsItsKeysAndRefusesThresholdsThatWouldFlap() {
    assertThat(DemotionSettings.from(RelayConfig.of(ScoringConfig.SCHEMA, Map.of(
        "relay.scoring.demote-below", "0.7", "relay.scoring.promote-above", "0.8", "relay.scoring.demotion-min-samples", "5"))))
        .isEqualTo(new DemotionSettings(0.7, 0.8, 5));
    assertThatThrownBy(() -> new DemotionSettings(0.7, 0.6, 20))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.scoring.promote-above");
    assertThatThrownBy(() -> new DemotionSettings(1.5, 1.6, 20))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.scoring.demote-below");
    assertThatThrownBy(() -> new DemotionSettings(0.5, 0.6, -1))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.scoring.demotion-min-samples");
    assertThatThrownBy(() -> DemotionSettings.from(RelayConfig.of(ScoringConfig.SCHEMA, Map.of(
        "relay.scoring.demote-below", "half"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.scoring.demote-below");
  }
}
