package dev.relay.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * A load phase second by second, each start counted in the second it was due: how many were offered,
 * how many were refused at the door, the slowest answered one, and how long the process spent in
 * garbage collection in that second. Totals say how many starts a phase refused; this says when: at
 * the step up from the rate before, around a collection that stopped the whole process, or all along.
 */
final class Timeline implements AutoCloseable {

  private static final long SECOND_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long GC_SAMPLE_MILLIS = 100;

  private final long begin;
  private final LongSupplier clock;
  private final LongSupplier gcMillisSoFar;
  private final AtomicLongArray offered;
  private final AtomicLongArray refused;
  private final AtomicLongArray slowestStartMicros;
  private final AtomicLongArray gcMillis;
  private final ScheduledExecutorService gcSampler;
  /** Only the sampler's thread reads and writes it after construction. */
  private long gcMillisAtLastSample;

  /** A phase of {@code seconds} from {@code begin} ({@link System#nanoTime()}), this process's collections sampled. */
  static Timeline sampling(long begin, int seconds) {
    Timeline timeline = new Timeline(begin, seconds, System::nanoTime, ProcessSampler::gcMillis);
    timeline.gcSampler.scheduleAtFixedRate(timeline::sampleGc, GC_SAMPLE_MILLIS, GC_SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
    return timeline;
  }

  Timeline(long begin, int seconds, LongSupplier clock, LongSupplier gcMillisSoFar) {
    this.begin = begin;
    this.clock = clock;
    this.gcMillisSoFar = gcMillisSoFar;
    this.offered = new AtomicLongArray(seconds);
    this.refused = new AtomicLongArray(seconds);
    this.slowestStartMicros = new AtomicLongArray(seconds);
    this.gcMillis = new AtomicLongArray(seconds);
    this.gcMillisAtLastSample = gcMillisSoFar.getAsLong();
    this.gcSampler = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread thread = new Thread(task, "bench-gc-timeline");
      thread.setDaemon(true);
      return thread;
    });
  }

  void offered(long intended) {
    add(offered, second(intended), 1);
  }

  void refused(long intended) {
    add(refused, second(intended), 1);
  }

  void answered(long intended, long latencyNanos) {
    int second = second(intended);
    if (second >= 0) {
      slowestStartMicros.accumulateAndGet(second, TimeUnit.NANOSECONDS.toMicros(latencyNanos), Math::max);
    }
  }

  /** Charges the collection time since the last sample to the second now running. */
  void sampleGc() {
    long now = gcMillisSoFar.getAsLong();
    add(gcMillis, second(clock.getAsLong()), now - gcMillisAtLastSample);
    gcMillisAtLastSample = now;
  }

  /** One entry a second, in order: second, offered, refused, slowestStartMs, gcMs. */
  List<Map<String, Object>> seconds() {
    List<Map<String, Object>> seconds = new ArrayList<>();
    for (int i = 0; i < offered.length(); i++) {
      Map<String, Object> second = new LinkedHashMap<>();
      second.put("second", i);
      second.put("offered", offered.get(i));
      second.put("refused", refused.get(i));
      second.put("slowestStartMs", slowestStartMicros.get(i) / 1000.0);
      second.put("gcMs", gcMillis.get(i));
      seconds.add(second);
    }
    return seconds;
  }

  @Override
  public void close() {
    gcSampler.shutdownNow();
  }

  /** The second of the phase {@code nanos} falls in, or -1 outside it. */
  private int second(long nanos) {
    long second = Math.floorDiv(nanos - begin, SECOND_NANOS);
    return second >= 0 && second < offered.length() ? (int) second : -1;
  }

  private static void add(AtomicLongArray counts, int second, long amount) {
    if (second >= 0) {
      counts.addAndGet(second, amount);
    }
  }
}
