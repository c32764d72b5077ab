package dev.relay.dispatcher.facts;

import dev.relay.dispatcher.topology.DispatcherNames;
import java.time.Duration;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Recognises outages of Relay itself from the task's own inputs (see {@link InputClock}): every
 * fact processor of the task shows each input to it, so the clock follows the task's stream of
 * send results and lifecycle events.
 *
 * <p>The clock moves on every input, in a store held in memory that the task's fact processors
 * share ({@link DispatcherNames#LIVE_INPUT_CLOCK_STORE}, no changelog); it is saved to a changelogged
 * store ({@link DispatcherNames#INPUT_CLOCK_STORE}) when it recognises an outage and when its newest
 * input enters a new {@link #SAVE_RESOLUTION}: at most about once a second per task, not once per
 * input. After a whole-process kill the clock restored from the saved one still knows when the
 * inputs stopped, to within that resolution (the outage then seems to start up to a second early,
 * against the ten seconds of silence the shortest outage takes), and the first input after the
 * restart closes the outage.
 */
final class RelayOutages {

  /** How far the saved clock's newest input may lag the live one's. */
  static final Duration SAVE_RESOLUTION = Duration.ofSeconds(1);

  /** One clock per task: the stores are the task's own. */
  private static final String KEY = "inputs";

  private final KeyValueStore<String, InputClock> live;
  private final KeyValueStore<String, InputClock> saved;
  private final long minOutageMillis;

  RelayOutages(KeyValueStore<String, InputClock> live, KeyValueStore<String, InputClock> saved, Duration minOutage) {
    this.live = live;
    this.saved = saved;
    this.minOutageMillis = minOutage.toMillis();
  }

  /** The task's clock, over the stores the topology gives its fact processors. */
  static RelayOutages of(ProcessorContext<?, ?> context, Duration minOutage) {
    return new RelayOutages(context.getStateStore(DispatcherNames.LIVE_INPUT_CLOCK_STORE),
        context.getStateStore(DispatcherNames.INPUT_CLOCK_STORE), minOutage);
  }

  /** Counts one input at its record timestamp. */
  void observe(long timestamp) {
    InputClock before = current();
    InputClock after = before.observe(timestamp, minOutageMillis);
    live.put(KEY, after);
    if (worthSaving(before, after)) {
      saved.put(KEY, after);
    }
  }

  /** Whether Relay was down, by the latest outage recognised, at some point between {@code from} and {@code to}. */
  boolean downWithin(long from, long to) {
    return current().outageWithin(from, to);
  }

  /** The live clock; a task that has none yet (just started, restored, or moved here) takes up the saved one. */
  private InputClock current() {
    InputClock clock = live.get(KEY);
    if (clock == null) {
      InputClock restored = saved.get(KEY);
      clock = restored == null ? InputClock.EMPTY : restored;
      live.put(KEY, clock);
    }
    return clock;
  }

  private static boolean worthSaving(InputClock before, InputClock after) {
    long resolution = SAVE_RESOLUTION.toMillis();
    return after.outageEnd() != before.outageEnd()
        || Math.floorDiv(after.lastInputAt(), resolution) != Math.floorDiv(before.lastInputAt(), resolution);
  }
}
