package dev.relay.dispatcher.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** The deadline index reads from its floor, not its head, and still finds every entry due. */
class DeadlineIndexTest {

  private static final Instant T0 = Instant.parse("2026-12-05T12:00:00Z");

  private final DeadlineIndex index = new DeadlineIndex(store());

  @Test
  void whatIsDueComesEarliestFirstAndNothingLater() {
    index.put(new Deadline(T0.plusSeconds(30), "+4915100000003"), "v3");
    index.put(new Deadline(T0.plusSeconds(10), "+4915100000001"), "v1");
    index.put(new Deadline(T0.plusSeconds(20), "+4915100000002"), "v2");

    assertThat(index.earliest()).contains(T0.plusSeconds(10));
    assertThat(index.dueBy(T0.plusSeconds(20))).extracting(Deadline::number)
        .containsExactly("+4915100000001", "+4915100000002");
  }

  @Test
  void anEntryPutBeforeTheLastReadIsStillFound() {
    Deadline met = new Deadline(T0.plusSeconds(30), "+4915100000001");
    index.put(met, "v1");
    assertThat(index.dueBy(T0.plusSeconds(30))).containsExactly(met);
    index.delete(met);
    assertThat(index.earliest()).isEmpty();

    // The wall clock stepped back (say by NTP): the next deadline lies before the instant last read up to.
    Deadline early = new Deadline(T0.plusSeconds(5), "+4915100000002");
    index.put(early, "v2");

    assertThat(index.earliest()).contains(early.at());
    assertThat(index.dueBy(T0.plusSeconds(5))).containsExactly(early);
  }

  @Test
  void anotherNumberDueAtTheInstantLastReadUpToIsFound() {
    Deadline first = new Deadline(T0, "+4915100000009");
    index.put(first, "v9");
    assertThat(index.dueBy(T0)).containsExactly(first);
    index.delete(first);

    Deadline sameInstant = new Deadline(T0, "+4915100000001");
    index.put(sameInstant, "v1");

    assertThat(index.dueBy(T0)).containsExactly(sameInstant);
  }

  @Test
  void clearingDropsEveryEntryAndReadsFromTheHeadAgain() {
    index.put(new Deadline(T0.plusSeconds(60), "+4915100000001"), "v1");
    index.dueBy(T0.plusSeconds(30));

    index.clear();
    assertThat(index.earliest()).isEmpty();
    Deadline rebuilt = new Deadline(T0, "+4915100000002");
    index.put(rebuilt, "v2");

    assertThat(index.dueBy(T0.plusSeconds(1))).containsExactly(rebuilt);
  }

  private static KeyValueStore<Deadline, String> store() {
    KeyValueStore<Deadline, String> store = Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore("deadlines"), Deadline.SERDE, Serdes.String())
        .withLoggingDisabled()
        .build();
    store.init(new MockProcessorContext<>().getStateStoreContext(), store);
    return store;
  }
}
