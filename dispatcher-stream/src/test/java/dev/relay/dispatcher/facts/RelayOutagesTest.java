package dev.relay.dispatcher.facts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.dispatcher.topology.DispatcherNames;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * The task's input clock: live on every input, saved about once a second, and taken up again from
 * the saved one by a task that starts afresh (a restart after a whole-process kill).
 */
class RelayOutagesTest {

  private static final Duration MIN_OUTAGE = Duration.ofSeconds(10);
  private static final long T0 = 1_772_445_600_000L;
  /** One input every 20 ms: at 50 inputs a second, a second is 50 inputs. */
  private static final long GAP = 20;

  private final MockProcessorContext<String, Object> context = new MockProcessorContext<>();
  private final KeyValueStore<String, InputClock> saved = store(DispatcherNames.INPUT_CLOCK_STORE);

  @Test
  void theSavedClockFollowsTheLiveOneToWithinASecond() {
    RelayOutages outages = new RelayOutages(store(DispatcherNames.LIVE_INPUT_CLOCK_STORE), saved, MIN_OUTAGE);

    inputs(510, outages);

    InputClock savedClock = saved.get("inputs");
    assertThat(savedClock.lastInputAt()).as("saved when its newest input entered the second").isEqualTo(T0 + 10_000);
    assertThat(savedClock.observed()).isEqualTo(501);
  }

  @Test
  void aClockTakenUpFromTheSavedOneAfterAKillStillRecognisesTheSilence() {
    RelayOutages beforeKill = new RelayOutages(store(DispatcherNames.LIVE_INPUT_CLOCK_STORE), saved, MIN_OUTAGE);
    long lastBeforeKill = inputs(490, beforeKill);
    long sentBeforeKill = lastBeforeKill - 5_000;

    // The process dies: the live clock is gone, the saved one lags it by less than a second.
    RelayOutages afterRestart = new RelayOutages(store(DispatcherNames.LIVE_INPUT_CLOCK_STORE), saved, MIN_OUTAGE);
    long firstAfterRestart = lastBeforeKill + 30_000;
    afterRestart.observe(firstAfterRestart);

    assertThat(afterRestart.downWithin(sentBeforeKill, firstAfterRestart + 1)).isTrue();
    assertThat(saved.get("inputs").outageStart()).as("the outage seems to start at most a second early")
        .isBetween(lastBeforeKill - RelayOutages.SAVE_RESOLUTION.toMillis() + 1, lastBeforeKill);
    assertThat(afterRestart.downWithin(sentBeforeKill, firstAfterRestart - 1)).as("ended before the restart").isFalse();
    assertThat(saved.get("inputs").outageEnd()).as("a recognised outage is saved at once").isEqualTo(firstAfterRestart);
  }

  @Test
  void theFactProcessorsOfATaskShareOneLiveClock() {
    KeyValueStore<String, InputClock> live = store(DispatcherNames.LIVE_INPUT_CLOCK_STORE);
    RelayOutages sends = new RelayOutages(live, saved, MIN_OUTAGE);
    RelayOutages receipts = new RelayOutages(live, saved, MIN_OUTAGE);
    long last = inputs(100, sends, receipts);

    receipts.observe(last + 15_000);

    assertThat(sends.downWithin(last - 100, last + 15_000)).as("one processor sees the silence the other ended").isTrue();
  }

  /** Shows {@code count} inputs {@link #GAP} apart from {@link #T0} to the clocks in turn; returns the last one's time. */
  private static long inputs(int count, RelayOutages... clocks) {
    long last = T0;
    for (int input = 0; input < count; input++) {
      last = T0 + input * GAP;
      clocks[input % clocks.length].observe(last);
    }
    return last;
  }

  private KeyValueStore<String, InputClock> store(String name) {
    KeyValueStore<String, InputClock> store = Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(name), Serdes.String(), FactStateSerdes.INPUT_CLOCK)
        .withLoggingDisabled()
        .build();
    store.init(context.getStateStoreContext(), store);
    return store;
  }
}
