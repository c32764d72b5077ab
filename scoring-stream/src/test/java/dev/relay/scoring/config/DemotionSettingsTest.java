package dev.relay.scoring.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.support.config.ConfigException;
import dev.relay.support.config.RelayConfig;
import dev.relay.scoring.config.DemotionSettings.Evidence;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemotionSettingsTest {

  private static final DemotionSettings DEFAULTS = DemotionSettings.defaults();

  private static final Evidence NONE = Evidence.NONE;
  private static final Evidence RECOVERED = new Evidence(false, false, true);
  private static final Evidence OWN_DROP = Evidence.ofOwnDrop();
  private static final Evidence SHARED_DROP = new Evidence(false, true, false);

  @Test
  void demotionNeedsTheLowThresholdAndPromotionTheRoutesOwnEvidence() {
    assertThat(DEFAULTS).isEqualTo(new DemotionSettings(0.55, 0.65, 20, 0.95));
    boolean demoted = DEFAULTS.demoted(false, 0.70, 100, NONE);
    assertThat(demoted).isFalse();
    demoted = DEFAULTS.demoted(demoted, 0.56, 100, NONE);
    assertThat(demoted).as("between the thresholds a healthy route stays").isFalse();
    demoted = DEFAULTS.demoted(demoted, 0.54, 100, NONE);
    assertThat(demoted).as("below demote-below").isTrue();
    demoted = DEFAULTS.demoted(demoted, 0.95, 100, NONE);
    assertThat(demoted).as("a high score without its own recent evidence does not promote").isTrue();
    demoted = DEFAULTS.demoted(demoted, 0.60, 100, RECOVERED);
    assertThat(demoted).as("its own recent first sends show the recovery").isFalse();
  }

  @Test
  void tooFewTriesNeitherDemoteNorPromote() {
    assertThat(DEFAULTS.demoted(false, 0.10, 19, NONE)).isFalse();
    assertThat(DEFAULTS.demoted(true, 0.99, 19, RECOVERED)).isTrue();
    assertThat(DEFAULTS.demoted(true, 0.99, 0, RECOVERED)).as("a quiet demoted route stays demoted").isTrue();
    assertThat(DEFAULTS.demoted(false, 0.10, 20, NONE)).isTrue();
  }

  @Test
  void anOwnSharpDropDemotesWhateverTheScoreAndASharedOneChangesNothing() {
    assertThat(DEFAULTS.demoted(false, 0.90, 100, OWN_DROP)).as("a score well above both thresholds").isTrue();
    assertThat(DEFAULTS.demoted(true, 0.90, 100, OWN_DROP)).as("still dropped: not promoted").isTrue();
    assertThat(DEFAULTS.demoted(false, 0.90, 19, OWN_DROP)).as("too few tries to judge").isFalse();
    assertThat(DEFAULTS.demoted(false, 0.30, 100, SHARED_DROP)).as("every peer fell too: not the provider").isFalse();
    assertThat(DEFAULTS.demoted(true, 0.90, 100, SHARED_DROP)).as("nor is a demoted route promoted by it").isTrue();
  }

  @Test
  void refusesAPromotionConfidenceOutsideItsRange() {
    assertThatThrownBy(() -> new DemotionSettings(0.5, 0.6, 20, 1.0))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.scoring.promotion-confidence");
    assertThatThrownBy(() -> new DemotionSettings(0.5, 0.6, 20, 0.3))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.scoring.promotion-confidence");
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
