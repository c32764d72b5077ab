package dev.relay.scoring.model;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import com.datadoghq.sketch.ddsketch.store.CollapsingLowestDenseStore;
import java.io.IOException;
import java.io.UncheckedIOException;
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

  public byte[] toBytes() {
    GrowingByteArrayOutput out = GrowingByteArrayOutput.withDefaultInitialCapacity();
    try {
      sketch.encode(out, false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode a latency sketch", e);
    }
    return out.trimmedCopy();
  }

  public static LatencySketch fromBytes(byte[] bytes) {
    try {
      DDSketch decoded = DDSketch.decode(ByteArrayInput.wrap(bytes), () -> new CollapsingLowestDenseStore(MAX_BINS));
      LatencySketch sketch = empty();
      // Merged into a fresh sketch so every pane shares one mapping and one store layout.
      if (!decoded.isEmpty()) {
        sketch.sketch.mergeWith(decoded);
      }
      return sketch;
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a latency sketch: " + e.getClass().getSimpleName(), e);
    }
  }
}
