package dev.relay.scoring.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencySketchTest {

  private static final double[] QUANTILES = {0.5, 0.9, 0.95, 0.99};

  @Test
  void quantilesAreWithinTheStatedRelativeError() {
    long[] samples = skewedDeliveryTimes(10_000, 7);
    LatencySketch sketch = LatencySketch.empty();
    Arrays.stream(samples).forEach(sketch::add);

    long[] sorted = samples.clone();
    Arrays.sort(sorted);
    for (double q : QUANTILES) {
      long exact = sorted[(int) Math.floor(q * (sorted.length - 1))];
      // One more millisecond for the rounding to whole milliseconds.
      assertThat(sketch.quantile(q).getAsLong()).as("p%s", q * 100)
          .isBetween((long) Math.floor(exact * (1 - LatencySketch.RELATIVE_ACCURACY)) - 1,
              (long) Math.ceil(exact * (1 + LatencySketch.RELATIVE_ACCURACY)) + 1);
    }
    assertThat(sketch.count()).isEqualTo(10_000);
  }

  @Test
  void mergedPanesGiveTheSameQuantilesAsOneSketchOfAllSamples() {
    long[] samples = skewedDeliveryTimes(6_000, 11);
    LatencySketch whole = LatencySketch.empty();
    List<LatencySketch> panes = new ArrayList<>();
    for (int pane = 0; pane < 60; pane++) {
      panes.add(LatencySketch.empty());
    }
    for (int i = 0; i < samples.length; i++) {
      whole.add(samples[i]);
      panes.get(i % 60).add(samples[i]);
    }

    LatencySketch merged = LatencySketch.empty();
    panes.forEach(merged::merge);

    assertThat(merged.count()).isEqualTo(whole.count());
    for (double q : QUANTILES) {
      assertThat(merged.quantile(q)).isEqualTo(whole.quantile(q));
    }
  }

  @Test
  void aSketchSurvivesItsBins() {
    LatencySketch sketch = LatencySketch.empty();
    Arrays.stream(skewedDeliveryTimes(500, 3)).forEach(sketch::add);
    sketch.add(0);

    LatencySketch.Bins bins = sketch.bins();
    LatencySketch copy = LatencySketch.of(bins);

    assertThat(bins.zeroCount()).isEqualTo(1);
    assertThat(bins.indexes()).isSorted().hasSameSizeAs(bins.counts());
    assertThat(copy.count()).isEqualTo(501);
    for (double q : new double[] {0, 0.5, 0.9, 0.95, 0.99, 1}) {
      assertThat(copy.quantile(q)).isEqualTo(sketch.quantile(q));
    }
    assertThat(bins.indexes().size()).as("compact whatever the sample count").isLessThan(1_000);
  }

  @Test
  void anEmptySketchHasNoQuantilesAndSurvivesItsBins() {
    LatencySketch.Bins bins = LatencySketch.empty().bins();
    LatencySketch empty = LatencySketch.of(bins);

    assertThat(bins.indexes()).isEmpty();
    assertThat(bins.zeroCount()).isZero();
    assertThat(empty.count()).isZero();
    assertThat(empty.quantile(0.5)).isEmpty();
  }

  @Test
  void binsOfAnotherAccuracyAreReBinnedAndMergeWithOurs() {
    // 1 000 ms sits in bin 690 at 0.5 % accuracy (γ = 1.005/0.995).
    LatencySketch finer = LatencySketch.of(new LatencySketch.Bins(0.005, 0, List.of(690), List.of(3L)));
    LatencySketch ours = LatencySketch.empty();
    ours.add(1_000);
    ours.merge(finer);

    assertThat(ours.count()).isEqualTo(4);
    assertThat(ours.quantile(0.5).getAsLong()).isBetween(980L, 1_020L);
  }

  @Test
  void aNegativeTimeCountsAsInstantAndMismatchedBinsAreRefused() {
    LatencySketch sketch = LatencySketch.empty();
    sketch.add(-250);

    assertThat(sketch.quantile(0.5)).hasValue(0);
    assertThat(sketch.bins().zeroCount()).isEqualTo(1);
    assertThatThrownBy(() -> LatencySketch.of(new LatencySketch.Bins(0.01, 0, List.of(1, 2), List.of(1L))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** Mostly a few seconds, with a long tail, like SMS delivery. */
  private static long[] skewedDeliveryTimes(int count, long seed) {
    Random random = new Random(seed);
    long[] samples = new long[count];
    for (int i = 0; i < count; i++) {
      samples[i] = 200 + Math.round(Math.exp(7.5 + random.nextGaussian()));
    }
    return samples;
  }
}
