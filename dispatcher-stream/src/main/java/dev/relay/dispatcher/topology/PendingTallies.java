package dev.relay.dispatcher.topology;

import dev.relay.support.streams.WallClockWakes;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Tallies that wait per key in memory and are forwarded together once per interval, in place of one
 * record per input: what {@link RequestTallies} and {@link PrefixTallies} send to their repartitions. The
 * wall-clock punctuation that forwards them is scheduled only while a tally waits, so a task with
 * nothing to tally schedules nothing and commits nothing. Tallies waiting when the task closes (a stop,
 * a rebalance, a kill after a commit) are lost: Kafka Streams gives a processor no hook before a commit.
 *
 * @param <V> the tally, changed in place until it is forwarded
 */
final class PendingTallies<V> {

  private final Duration interval;
  private final WallClockWakes wakes;
  private final Map<String, V> pending = new LinkedHashMap<>();
  private ProcessorContext<String, V> context;
  private Cancellable due;

  /**
   * @param interval how long a tally waits; zero forwards it after each input
   * @param wakes where the punctuation that forwards them is scheduled, so the thread's idle poll ends for it
   */
  PendingTallies(Duration interval, WallClockWakes wakes) {
    this.interval = interval;
    this.wakes = wakes;
  }

  void init(ProcessorContext<String, V> context) {
    this.context = context;
  }

  /** The tally waiting for {@code key}, a new one when none waits. */
  V of(String key, Supplier<V> empty) {
    return pending.computeIfAbsent(key, ignored -> empty.get());
  }

  /** Call after changing tallies: forwards them at once for a zero interval, else makes sure they go within one. */
  void due() {
    if (interval.isZero()) {
      forward(context.currentSystemTimeMs());
    } else if (due == null) {
      due = wakes.schedule(context, interval, this::forward);
    }
  }

  private void forward(long wallClockMillis) {
    pending.forEach((key, tally) -> context.forward(new Record<>(key, tally, wallClockMillis)));
    pending.clear();
    if (due != null) {
      due.cancel();
      due = null;
    }
  }
}
