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
    boolean demoted = DEFAULTS.demoted(false, 0.70, 100, false);
    assertThat(demoted).isFalse();
    demoted = DEFAULTS.demoted(demoted, 0.56, 100, false);
    assertThat(demoted).as("between the thresholds a healthy route stays").isFalse();
    demoted = DEFAULTS.demoted(demoted, 0.54, 100, false);
    assertThat(demoted).as("below demote-below").isTrue();
    demoted = DEFAULTS.demoted(demoted, 0.64, 100, false);
    assertThat(demoted).as("between the thresholds a demoted route stays demoted").isTrue();
    demoted = DEFAULTS.demoted(demoted, 0.65, 100, false);
    assertThat(demoted).as("at promote-above").isFalse();
  }

  @Test
  void tooFewTriesNeitherDemoteNorPromote() {
    assertThat(DEFAULTS.demoted(false, 0.10, 19, false)).isFalse();
    assertThat(DEFAULTS.demoted(true, 0.99, 19, false)).isTrue();
    assertThat(DEFAULTS.demoted(true, 0.99, 0, false)).as("a quiet demoted route stays demoted").isTrue();
    assertThat(DEFAULTS.demoted(false, 0.10, 20, false)).isTrue();
  }

  @Test
  void aSharpDropDemotesWhateverTheScoreAndHoldsTheRouteDemotedWhileItLasts() {
    assertThat(DEFAULTS.demoted(false, 0.90, 100, true)).as("a score well above both thresholds").isTrue();
    assertThat(DEFAULTS.demoted(true, 0.90, 100, true)).as("still dropped: not promoted").isTrue();
    assertThat(DEFAULTS.demoted(true, 0.90, 100, false)).as("the drop is over and the score is high").isFalse();
    assertThat(DEFAULTS.demoted(true, 0.60, 100, false)).as("the drop is over, the score is not back").isTrue();
    assertThat(DEFAULTS.demoted(false, 0.90, 19, true)).as("too few tries to judge").isFalse();
  }

  @Test
  void aSharpDropIsTheAlertsRule() {
    AlertSettings alerts = new AlertSettings(30, 10, 20);
    assertThat(alerts.isSharpDrop(95, 100, 12, 20)).as("0.95 to 0.60: 35 points").isTrue();
    assertThat(alerts.isSharpDrop(95, 100, 13, 20)).as("0.95 to 0.65: exactly 30 points").isTrue();
    assertThat(alerts.isSharpDrop(95, 100, 14, 20)).as("0.95 to 0.70: 25 points").isFalse();
    assertThat(alerts.isSharpDrop(95, 100, 0, 19)).as("too few recent sends").isFalse();
    assertThat(alerts.isSharpDrop(19, 19, 0, 20)).as("too few baseline sends").isFalse();
    assertThat(alerts.isSharpDrop(50, 100, 100, 100)).as("a rise").isFalse();
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
