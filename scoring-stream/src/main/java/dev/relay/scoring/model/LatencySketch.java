package dev.relay.scoring.model;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.datadoghq.sketch.ddsketch.mapping.LogarithmicMapping;
import com.datadoghq.sketch.ddsketch.store.CollapsingLowestDenseStore;
import com.datadoghq.sketch.ddsketch.store.Store;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Times to delivery of one route in one pane, as a DDSketch: a few hundred bytes whatever the
 * number of samples, mergeable without loss, so a window's quantiles come from merging its panes.
 * Every quantile is within {@link #RELATIVE_ACCURACY} of the true value (relative error).
 */
public final class LatencySketch {

  /** DDSketch's guarantee: an estimated quantile q̂ of a true value x satisfies |q̂ − x| ≤ 1 % · x. */
  public static final double RELATIVE_ACCURACY = 0.01;
  /**
   * At 1 % accuracy, 1 ms to 24 h spans about 850 bins; beyond the cap the smallest values are
   * merged, which can only blur the fastest deliveries, never the p95.
   */
  private static final int MAX_BINS = 2048;

  private final DDSketch sketch;

  private LatencySketch(DDSketch sketch) {
    this.sketch = sketch;
  }

  public static LatencySketch empty() {
    return new LatencySketch(DDSketches.logarithmicCollapsingLowestDense(RELATIVE_ACCURACY, MAX_BINS));
  }

  public void add(long millis) {
    sketch.accept(Math.max(0, millis));
  }

  public void merge(LatencySketch other) {
    if (!other.sketch.isEmpty()) {
      sketch.mergeWith(other.sketch);
    }
  }

  public long count() {
    return Math.round(sketch.getCount());
  }

  /** The q-quantile in milliseconds (lower rank: the value at rank ⌊q·(n−1)⌋), empty without samples. */
  public OptionalLong quantile(double q) {
    if (sketch.isEmpty()) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Math.round(sketch.getValueAtQuantile(q)));
  }

  /** What a store keeps of the sketch (see {@link Bins}). */
  public Bins bins() {
    List<Integer> indexes = new ArrayList<>();
    List<Long> counts = new ArrayList<>();
    Store binned = sketch.getPositiveValueStore();
    binned.getAscendingStream().forEach(bin -> {
      indexes.add(bin.getIndex());
      counts.add(Math.round(bin.getCount()));
    });
    // Times are never negative, so what no bin holds is the zeros.
    return new Bins(RELATIVE_ACCURACY, Math.round(sketch.getCount() - binned.getTotalCount()), indexes, counts);
  }

  /** The sketch whose contents are {@code bins}; bins of another accuracy are re-binned at this one. */
  public static LatencySketch of(Bins bins) {
    if (bins.indexes().size() != bins.counts().size()) {
      throw new IllegalArgumentException("a latency sketch needs one count per bin");
    }
    Store binned = new CollapsingLowestDenseStore(MAX_BINS);
    for (int i = 0; i < bins.indexes().size(); i++) {
      binned.add(bins.indexes().get(i), bins.counts().get(i));
    }
    DDSketch stored = DDSketch.of(new LogarithmicMapping(bins.relativeAccuracy()),
        new CollapsingLowestDenseStore(MAX_BINS), binned, bins.zeroCount());
    LatencySketch sketch = empty();
    if (!stored.getIndexMapping().equals(sketch.sketch.getIndexMapping())) {
      stored = stored.convert(sketch.sketch.getIndexMapping(), () -> new CollapsingLowestDenseStore(MAX_BINS));
    }
    sketch.merge(new LatencySketch(stored));
    return sketch;
  }

  /**
   * The contents of a sketch: deliveries of 0 ms, which DDSketch counts apart from its bins, and the
   * index and count of each bin holding a delivery, ascending, under the logarithmic mapping at
   * {@code relativeAccuracy} (bin i holds [γ^i, γ^(i+1)), γ = (1 + accuracy) / (1 − accuracy)).
   */
  public record Bins(double relativeAccuracy, long zeroCount, List<Integer> indexes, List<Long> counts) {}
}
