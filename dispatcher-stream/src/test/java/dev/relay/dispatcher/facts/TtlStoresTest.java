package dev.relay.dispatcher.facts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.Test;

/** A window store read as a key-value store that forgets: the newest entry of a key near a time. */
class TtlStoresTest {

  private static final Duration HORIZON = Duration.ofHours(2);
  private static final long T0 = 1_772_445_600_000L;
  private static final long MINUTE = 60_000;

  private final WindowStore<String, String> store = store();

  @Test
  void theNewestEntryOfTheKeyIsFoundWhicheverSideOfTheTimeItLies() {
    store.put("SM1", "first", T0 - 90 * MINUTE);
    store.put("SM1", "second", T0 - 30 * MINUTE);
    store.put("SM1", "newest", T0 + 20 * MINUTE);

    KeyValue<Long, String> found = TtlStores.latest(store, "SM1", T0, HORIZON);

    assertThat(found.key).isEqualTo(T0 + 20 * MINUTE);
    assertThat(found.value).isEqualTo("newest");
  }

  @Test
  void anotherKeyIsNotFoundEvenWhenItsNameStartsTheSame() {
    store.put("SM10", "another message", T0);
    store.put("SM1", "this message", T0 - MINUTE);
    store.put("SM", "a third", T0 + MINUTE);

    assertThat(TtlStores.latest(store, "SM1", T0, HORIZON).value).isEqualTo("this message");
    assertThat(TtlStores.latest(store, "SM2", T0, HORIZON)).isNull();
  }

  @Test
  void anEntryBeyondTheHorizonIsForgotten() {
    store.put("SM1", "too old", T0 - HORIZON.toMillis() - 1);

    assertThat(TtlStores.latest(store, "SM1", T0, HORIZON)).isNull();
    assertThat(TtlStores.latest(store, "SM1", T0 - MINUTE, HORIZON).value).isEqualTo("too old");
  }

  private static WindowStore<String, String> store() {
    // Retention beyond the horizon, so what the test forgets is the look-up's doing, not the store's.
    WindowStore<String, String> store = Stores.windowStoreBuilder(
            Stores.inMemoryWindowStore("ttl", HORIZON.multipliedBy(3), Duration.ofMillis(1), false),
            Serdes.String(), Serdes.String())
        .withLoggingDisabled()
        .build();
    store.init(new MockProcessorContext<>().getStateStoreContext(), store);
    return store;
  }
}
