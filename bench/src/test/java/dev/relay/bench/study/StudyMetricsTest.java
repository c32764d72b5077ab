package dev.relay.bench.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.relay.bench.study.SendTries.Try;
import dev.relay.bench.study.StudyMetrics.Figures;
import dev.relay.bench.study.StudyMetrics.Played;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StudyMetricsTest {

  private static final Instant T0 = Instant.parse("2026-11-28T21:00:00Z");
  private static final Instant FAULT = T0.plusSeconds(40);
  private static final Instant RECOVERED = T0.plusSeconds(130);

  @Test
  void figuresCountOnlyTheScenariosVerificationsStartedInTheSpan() {
    List<Played> played = List.of(
        // Approved in 2 s on the first try.
        new Played(Scenario.DROP_HALF, T0.plusSeconds(50), T0.plusSeconds(52), List.of(accepted(1, 0, "twilio", 50))),
        // Dropped by twilio, failed over to vonage, approved after 6 s.
        new Played(Scenario.DROP_HALF, T0.plusSeconds(60), T0.plusSeconds(66),
            List.of(accepted(1, 0, "twilio", 60), accepted(2, 0, "vonage", 64))),
        // The person gave up; both sends still cost.
        new Played(Scenario.DROP_HALF, T0.plusSeconds(70), null,
            List.of(accepted(1, 0, "twilio", 70), accepted(2, 0, "vonage", 74))),
        // The start failed: no tries.
        new Played(Scenario.DROP_HALF, T0.plusSeconds(80), null, List.of()),
        // Before the fault, and another scenario: not counted.
        new Played(Scenario.DROP_HALF, T0.plusSeconds(39), T0.plusSeconds(40), List.of(accepted(1, 0, "twilio", 39))),
        new Played(Scenario.DOWN, T0.plusSeconds(50), T0.plusSeconds(51), List.of(accepted(1, 0, "vonage", 50))));

    Figures f = StudyMetrics.figures(Scenario.DROP_HALF, played, FAULT, RECOVERED,
        (scenario, provider, when) -> provider.equals("twilio") ? new BigDecimal("0.040") : new BigDecimal("0.065"));

    assertThat(f.started()).isEqualTo(4);
    assertThat(f.approved()).isEqualTo(2);
    assertThat(f.completion()).isEqualTo(0.5);
    assertThat(f.p95TimeToVerify()).isEqualTo(6.0);
    assertThat(f.failoversPerVerification()).isEqualTo(0.5);
    // 3 x 0.040 + 2 x 0.065 = 0.25 for 2 approved.
    assertThat(f.costPerSuccess()).isCloseTo(0.125, within(1e-9));
    assertThat(f.firstOnDegraded()).isEqualTo(1.0);
  }

  @Test
  void aRejectedTryCostsNothingButCountsAsAFailover() {
    List<Played> played = List.of(new Played(Scenario.DOWN, T0.plusSeconds(50), T0.plusSeconds(51),
        List.of(rejected(1, 0, "twilio", 50), accepted(1, 1, "vonage", 50))));

    Figures f = StudyMetrics.figures(Scenario.DOWN, played, FAULT, RECOVERED,
        (scenario, provider, when) -> new BigDecimal("0.065"));

    assertThat(f.failoversPerVerification()).isEqualTo(1.0);
    assertThat(f.costPerSuccess()).isCloseTo(0.065, within(1e-9));
    assertThat(f.firstOnDegraded()).isEqualTo(1.0);
  }

  @Test
  void withNothingApprovedTheRatiosAreNotANumberRatherThanZero() {
    List<Played> played = List.of(new Played(Scenario.DOWN, T0.plusSeconds(50), null, List.of(rejected(1, 0, "twilio", 50))));

    Figures f = StudyMetrics.figures(Scenario.DOWN, played, FAULT, RECOVERED, (scenario, provider, when) -> BigDecimal.ONE);

    assertThat(f.completion()).isZero();
    assertThat(f.p95TimeToVerify()).isNaN();
    assertThat(f.costPerSuccess()).isNaN();
  }

  @Test
  void percentileIsNearestRank() {
    List<Long> values = new ArrayList<>();
    for (long i = 1; i <= 100; i++) {
      values.add(i);
    }
    assertThat(StudyMetrics.percentile(values, 95)).isEqualTo(95.0);
    assertThat(StudyMetrics.percentile(List.of(7L), 95)).isEqualTo(7.0);
    assertThat(StudyMetrics.percentile(List.of(), 95)).isNaN();
  }

  @Test
  void completionOverTimeBucketsByStartAndLeavesEmptyBucketsOut() {
    List<Played> played = List.of(
        new Played(Scenario.DOWN, T0.plusSeconds(1), T0.plusSeconds(3), List.of()),
        new Played(Scenario.DOWN, T0.plusSeconds(9), null, List.of()),
        new Played(Scenario.DOWN, T0.plusSeconds(25), T0.plusSeconds(27), List.of()));

    double[] series = StudyMetrics.completionOverTime(Scenario.DOWN, played, T0, java.time.Duration.ofSeconds(10), 3);

    assertThat(series[0]).isEqualTo(0.5);
    assertThat(series[1]).isNaN();
    assertThat(series[2]).isEqualTo(1.0);
  }

  @Test
  void firstOnDegradedOverTimeLooksAtTheFirstTryOfTheVerificationsThatGotOne() {
    List<Played> played = List.of(
        new Played(Scenario.DOWN, T0.plusSeconds(1), null, List.of(rejected(1, 0, "twilio", 1), accepted(1, 1, "vonage", 1))),
        new Played(Scenario.DOWN, T0.plusSeconds(2), T0.plusSeconds(4), List.of(accepted(1, 0, "vonage", 2))),
        new Played(Scenario.DOWN, T0.plusSeconds(3), null, List.of()),
        new Played(Scenario.DOWN, T0.plusSeconds(12), null, List.of()));

    double[] series = StudyMetrics.firstOnDegradedOverTime(Scenario.DOWN, played, T0, java.time.Duration.ofSeconds(10), 2);

    assertThat(series[0]).isEqualTo(0.5);
    assertThat(series[1]).isNaN();
  }

  @Test
  void aPriceChangeLastsAndAFaultsPriceEndsWithTheFault() {
    assertThat(StudyWorld.price(Scenario.PRICE_CHANGE, "vonage", T0, FAULT, RECOVERED)).isEqualByComparingTo("0.035");
    assertThat(StudyWorld.price(Scenario.PRICE_CHANGE, "vonage", FAULT, FAULT, RECOVERED)).isEqualByComparingTo("0.110");
    assertThat(StudyWorld.price(Scenario.PRICE_CHANGE, "vonage", RECOVERED.plusSeconds(5), FAULT, RECOVERED))
        .isEqualByComparingTo("0.110");
    assertThat(StudyWorld.price(Scenario.PRICE_CHANGE, "twilio", RECOVERED, FAULT, RECOVERED)).isEqualByComparingTo("0.060");
    assertThat(StudyWorld.price(Scenario.DROP_HALF, "twilio", FAULT.plusSeconds(1), FAULT, RECOVERED))
        .isEqualByComparingTo("0.040");
  }

  private static Try accepted(int attempt, int index, String provider, long second) {
    return new Try(attempt, index, provider, true, T0.plusSeconds(second));
  }

  private static Try rejected(int attempt, int index, String provider, long second) {
    return new Try(attempt, index, provider, false, T0.plusSeconds(second));
  }
}
