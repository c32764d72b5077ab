package dev.relay.scoring.topology;

import dev.relay.scoring.model.InputClock;
import java.time.Duration;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Recognises outages of Relay itself from the task's own inputs (see {@link InputClock}): every
 * fact processor of the task shows each input to it, so the clock follows the task's stream of
 * facts across its three topics. The clock lives in a changelogged store: after a whole-process
 * kill the restored clock still knows when the inputs stopped, and the first input after the restart
 * closes the outage.
 */
final class RelayOutages {

  /** One clock per task: the store is the task's own. */
  private static final String KEY = "inputs";

  private final KeyValueStore<String, InputClock> store;
  private final long minOutageMillis;

  RelayOutages(KeyValueStore<String, InputClock> store, Duration minOutage) {
    this.store = store;
    this.minOutageMillis = minOutage.toMillis();
  }

  /** Counts one input at its record timestamp. */
  void observe(long timestamp) {
    InputClock clock = store.get(KEY);
    store.put(KEY, (clock == null ? InputClock.EMPTY : clock).observe(timestamp, minOutageMillis));
  }

  /** Whether Relay was down, by the latest outage recognised, at some point between {@code from} and {@code to}. */
  boolean downWithin(long from, long to) {
    InputClock clock = store.get(KEY);
    return clock != null && clock.outageWithin(from, to);
  }
}
