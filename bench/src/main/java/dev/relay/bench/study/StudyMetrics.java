package dev.relay.bench.study;

import dev.relay.bench.study.SendTries.Try;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The study's figures from what happened, pure: each verification's start, whether and when its
 * person got approved, and Relay's provider tries for it.
 */
final class StudyMetrics {

  /** What became of one verification. {@code approvedAt} is null unless approved; {@code tries} empty when the start failed. */
  record Played(Scenario scenario, Instant startedAt, Instant approvedAt, List<Try> tries) {

    boolean approved() {
      return approvedAt != null;
    }
  }

  /** What one provider charged for one accepted message. */
  @FunctionalInterface
  interface Prices {
    BigDecimal of(Scenario scenario, String provider, Instant when);
  }

  /**
   * The figures of one scenario's verifications started in a span of the run.
   *
   * @param completion approved / started
   * @param p95TimeToVerify from the start request to the approving check, over the approved ones (seconds; NaN without any)
   * @param failoversPerVerification provider tries after the first, per started verification
   * @param costPerSuccess every accepted message of these verifications at its price, per approved one (NaN without any)
   * @param firstOnDegraded share of verifications whose first try went to the scenario's degraded provider
   */
  record Figures(int started, int approved, double completion, double p95TimeToVerify, double failoversPerVerification,
      double costPerSuccess, double firstOnDegraded) {}

  private StudyMetrics() {}

  static Figures figures(Scenario scenario, List<Played> played, Instant from, Instant to, Prices prices) {
    List<Played> span = in(scenario, played, from, to);
    int started = span.size();
    int approved = 0;
    long failovers = 0;
    int withTries = 0;
    int firstOnDegraded = 0;
    BigDecimal spent = BigDecimal.ZERO;
    List<Long> times = new ArrayList<>();
    for (Played p : span) {
      if (p.approved()) {
        approved++;
        times.add(Duration.between(p.startedAt(), p.approvedAt()).toMillis());
      }
      if (!p.tries().isEmpty()) {
        withTries++;
        failovers += p.tries().size() - 1;
        if (p.tries().get(0).provider().equals(scenario.provider)) {
          firstOnDegraded++;
        }
      }
      for (Try t : p.tries()) {
        if (t.accepted()) {
          spent = spent.add(prices.of(scenario, t.provider(), t.at()));
        }
      }
    }
    return new Figures(started, approved,
        started == 0 ? Double.NaN : (double) approved / started,
        percentile(times, 95) / 1000.0,
        started == 0 ? Double.NaN : (double) failovers / started,
        approved == 0 ? Double.NaN : spent.doubleValue() / approved,
        withTries == 0 ? Double.NaN : (double) firstOnDegraded / withTries);
  }

  /** Completion of the verifications started in each bucket of {@code bucket} from {@code begin}; NaN for an empty bucket. */
  static double[] completionOverTime(Scenario scenario, List<Played> played, Instant begin, Duration bucket, int buckets) {
    double[] series = new double[buckets];
    for (int i = 0; i < buckets; i++) {
      List<Played> span = in(scenario, played, begin.plus(bucket.multipliedBy(i)), begin.plus(bucket.multipliedBy(i + 1)));
      series[i] = span.isEmpty() ? Double.NaN : (double) span.stream().filter(Played::approved).count() / span.size();
    }
    return series;
  }

  /** Share of first tries on the scenario's degraded provider among the verifications started in each bucket; NaN for none. */
  static double[] firstOnDegradedOverTime(Scenario scenario, List<Played> played, Instant begin, Duration bucket, int buckets) {
    double[] series = new double[buckets];
    for (int i = 0; i < buckets; i++) {
      List<Played> tried = in(scenario, played, begin.plus(bucket.multipliedBy(i)), begin.plus(bucket.multipliedBy(i + 1)))
          .stream().filter(p -> !p.tries().isEmpty()).toList();
      series[i] = tried.isEmpty() ? Double.NaN
          : (double) tried.stream().filter(p -> p.tries().get(0).provider().equals(scenario.provider)).count() / tried.size();
    }
    return series;
  }

  /** Nearest-rank percentile; NaN when there is nothing. */
  static double percentile(List<Long> values, double percent) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Long> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int rank = (int) Math.ceil(percent / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  private static List<Played> in(Scenario scenario, List<Played> played, Instant from, Instant to) {
    return played.stream()
        .filter(p -> p.scenario() == scenario && !p.startedAt().isBefore(from) && p.startedAt().isBefore(to))
        .toList();
  }
}
