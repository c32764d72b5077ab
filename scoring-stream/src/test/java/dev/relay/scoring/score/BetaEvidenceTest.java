package dev.relay.scoring.score;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BetaEvidenceTest {

  @Test
  void cleanTriesToReachIsTheFewestAllSuccessfulTriesWhoseLowerBoundReachesTheRate() {
    // The production defaults: 0.95 confidence, a perfect peer less 10 recovery points.
    assertThat(BetaEvidence.cleanTriesToReach(0.9, 0.95)).isEqualTo(28);
    assertThat(BetaEvidence.lowerBound(28, 28, 0.95)).isGreaterThanOrEqualTo(0.9);
    assertThat(BetaEvidence.lowerBound(27, 27, 0.95)).isLessThan(0.9);
    // DemotionThroughTheStackTest's 0.6 confidence.
    assertThat(BetaEvidence.cleanTriesToReach(0.9, 0.6)).isEqualTo(8);
    assertThat(BetaEvidence.lowerBound(8, 8, 0.6)).isGreaterThanOrEqualTo(0.9);
    assertThat(BetaEvidence.lowerBound(7, 7, 0.6)).isLessThan(0.9);
  }

  @Test
  void noNumberOfTriesBoundsARateOfOneAndNoneAreNeededForZero() {
    assertThat(BetaEvidence.cleanTriesToReach(1.0, 0.95)).isEqualTo(Long.MAX_VALUE);
    assertThat(BetaEvidence.cleanTriesToReach(0.0, 0.95)).isZero();
  }

  @Test
  void theUpperBoundIsWhatTheRateMayStillBe() {
    // Twenty tries without a rejection cannot be told from a route that never rejects; 28 of 50 can.
    assertThat(BetaEvidence.upperBound(20, 20, 0.95)).isGreaterThan(0.99);
    assertThat(BetaEvidence.upperBound(28, 50, 0.95)).isBetween(0.6, 0.7);
    assertThat(BetaEvidence.upperBound(0, 0, 0.95)).isEqualTo(1.0);
    assertThat(BetaEvidence.upperBound(5, 10, 0.95)).isGreaterThan(BetaEvidence.lowerBound(5, 10, 0.95));
  }
}
