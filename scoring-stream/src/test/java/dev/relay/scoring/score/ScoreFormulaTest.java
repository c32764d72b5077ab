package dev.relay.scoring.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.relay.scoring.model.RouteStats;
import dev.relay.scoring.model.ScoreFact;
import dev.relay.scoring.score.ScoreFormula.Score;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ScoreFormulaTest {

  private static final double EXACT = 1e-12;
  private final ScoreFormula formula = new ScoreFormula(20);

  @Test
  void weightsRankCompletionThenDeliveryThenSpeedThenCostAndSumToOne() {
    assertThat(ScoreFormula.WEIGHT_COMPLETION).isGreaterThan(ScoreFormula.WEIGHT_DELIVERY);
    assertThat(ScoreFormula.WEIGHT_DELIVERY).isGreaterThan(ScoreFormula.WEIGHT_SPEED);
    assertThat(ScoreFormula.WEIGHT_SPEED).isGreaterThan(ScoreFormula.WEIGHT_COST);
    assertThat(ScoreFormula.WEIGHT_COMPLETION + ScoreFormula.WEIGHT_DELIVERY + ScoreFormula.WEIGHT_SPEED
        + ScoreFormula.WEIGHT_COST).isCloseTo(1.0, within(EXACT));
  }

  @Test
  void aRouteWithoutSamplesHasThePriorScore() {
    Score prior = formula.prior();

    assertThat(prior.reach()).isEqualTo(0.95);
    assertThat(prior.delivery()).isEqualTo(0.90);
    assertThat(prior.completion()).isEqualTo(0.75);
    assertThat(prior.speed()).isCloseTo(2.0 / 3, within(EXACT));
    assertThat(prior.cost()).isEqualTo(0.5);
    // 0.45·0.95·0.75 + 0.30·0.95·0.90 + 0.15·⅔ + 0.10·0.5
    assertThat(prior.score()).isCloseTo(0.727125, within(EXACT));
  }

  @Test
  void withoutAPriorTheScoreIsTheRawFormula() {
    RouteStats recent = stats(10, 8, 6, 4, 2_000, 10_000);

    Score score = new ScoreFormula(0).evaluate(RouteStats.empty(), recent);

    assertThat(score.reach()).isCloseTo(0.8, within(EXACT));
    assertThat(score.delivery()).isCloseTo(0.75, within(EXACT));
    assertThat(score.completion()).isCloseTo(0.5, within(EXACT));
    // p95 of samples all 2 s, known to the sketch's 1 %: speed = 10 / (10 + 2).
    assertThat(score.speed()).isCloseTo(10.0 / 12, within(0.002));
    // 80,000 micros spent for 4 completions: 20,000 each against a half-score cost of 100,000.
    assertThat(score.cost()).isCloseTo(100.0 / 120, within(EXACT));
    assertThat(score.score()).isCloseTo(0.45 * 0.8 * 0.5 + 0.30 * 0.8 * 0.75 + 0.15 * 10.0 / 12 + 0.10 * 100.0 / 120,
        within(0.001));
  }

  @Test
  void fewSamplesMoveARateOnlyPartWayFromThePrior() {
    // 20 sends, every one accepted, none completed yet: with k = 20 the estimate sits half-way.
    Score score = formula.evaluate(RouteStats.empty(), stats(20, 20, 0, 0, -1, -1));

    assertThat(score.completion()).isCloseTo((0 + 20 * 0.75) / 40.0, within(EXACT));
    assertThat(score.reach()).isCloseTo((20 + 20 * 0.95) / 40.0, within(EXACT));
  }

  @Test
  void aBadRouteLosesMoreScoreTheMoreEvidenceThereIs() {
    double previous = formula.prior().score();
    for (int samples : new int[] {5, 50, 500}) {
      double score = formula.evaluate(RouteStats.empty(), stats(samples, samples, 0, 0, -1, -1)).score();
      assertThat(score).as("%d undelivered sends", samples).isLessThan(previous);
      previous = score;
    }
  }

  @Test
  void recentEvidenceOutweighsTheBaselineOnceItIsLargeButNotBefore() {
    RouteStats healthyHour = stats(1_000, 1_000, 1_000, 1_000, 2_000, -1);

    Score collapsed = formula.evaluate(healthyHour, stats(1_000, 1_000, 0, 0, -1, -1));
    Score twoDrops = formula.evaluate(healthyHour, stats(2, 2, 0, 0, -1, -1));

    assertThat(collapsed.delivery()).isLessThan(0.05);
    assertThat(collapsed.completion()).isLessThan(0.05);
    assertThat(twoDrops.delivery()).isGreaterThan(0.85);
    assertThat(twoDrops.completion()).isGreaterThan(0.85);
  }

  @Test
  void completionCountsMoreThanDeliveryAndARejectingRouteCannotHideBehindNoDeliveries() {
    Score completes = formula.evaluate(RouteStats.empty(), stats(1_000, 1_000, 600, 900, 2_000, -1));
    Score delivers = formula.evaluate(RouteStats.empty(), stats(1_000, 1_000, 900, 600, 2_000, -1));
    Score rejects = formula.evaluate(RouteStats.empty(), stats(1_000, 0, 0, 0, -1, -1));

    assertThat(completes.score()).isGreaterThan(delivers.score());
    assertThat(rejects.score()).isLessThan(delivers.score());
    assertThat(rejects.score()).isLessThan(0.3);
  }

  @Test
  void theCheaperOfTwoEqualRoutesScoresHigherAndAnUnpricedRouteIsNeutral() {
    Score cheap = formula.evaluate(RouteStats.empty(), stats(100, 100, 90, 80, 2_000, 5_000));
    Score dear = formula.evaluate(RouteStats.empty(), stats(100, 100, 90, 80, 2_000, 50_000));
    Score unpriced = formula.evaluate(RouteStats.empty(), stats(100, 100, 90, 80, 2_000, -1));

    assertThat(cheap.score()).isGreaterThan(dear.score());
    assertThat(unpriced.cost()).isEqualTo(ScoreFormula.PRIOR_COST);
    assertThat(ScoreFormula.costOf(50_000, 0)).as("money spent, nothing completed").isZero();
    assertThat(ScoreFormula.costOf(0, 0)).isEqualTo(ScoreFormula.PRIOR_COST);
    assertThat(ScoreFormula.costOf(100_000, 1)).isEqualTo(0.5);
  }

  @Test
  void speedHalvesAtTheHalfScoreTime() {
    assertThat(ScoreFormula.speedOf(0)).isEqualTo(1.0);
    assertThat(ScoreFormula.speedOf(ScoreFormula.SPEED_HALF_MILLIS)).isEqualTo(0.5);
    assertThat(ScoreFormula.speedOf(30_000)).isEqualTo(0.25);
  }

  @Test
  void everyPartStaysWithinZeroAndOneEvenWhenCompletionsOutnumberSends() {
    // Completions of sends made in the previous window can outnumber this window's sends.
    Score score = new ScoreFormula(0).evaluate(RouteStats.empty(), stats(2, 2, 2, 5, 100, 1));

    assertThat(score.completion()).isEqualTo(1.0);
    assertThat(score.score()).isBetween(0.0, 1.0);
  }

  @Test
  void aNegativePriorIsRefused() {
    assertThatThrownBy(() -> new ScoreFormula(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * @param millisToDelivery time of every delivery, or -1 for none recorded
   * @param priceMicros price of every accepted send, or -1 for unpriced
   */
  private static RouteStats stats(int tried, int accepted, int delivered, int completed, long millisToDelivery,
      long priceMicros) {
    RouteStats stats = RouteStats.empty();
    for (int i = 0; i < tried; i++) {
      boolean isAccepted = i < accepted;
      stats.add(new ScoreFact.Tried(isAccepted,
          isAccepted && priceMicros >= 0 ? OptionalLong.of(priceMicros) : OptionalLong.empty()));
    }
    for (int i = 0; i < accepted; i++) {
      boolean isDelivered = i < delivered;
      stats.add(new ScoreFact.Delivery(isDelivered,
          isDelivered && millisToDelivery >= 0 ? OptionalLong.of(millisToDelivery) : OptionalLong.empty()));
    }
    for (int i = 0; i < completed; i++) {
      stats.add(new ScoreFact.Completion());
    }
    return stats;
  }
}
