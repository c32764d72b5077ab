package dev.relay.dispatcher.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.Channel;
import dev.relay.schemas.VerificationStatus;
import dev.relay.schemas.serde.StateSerde;
import dev.relay.schemas.state.NumberSend;
import dev.relay.schemas.state.NumberSends;
import dev.relay.schemas.state.VerificationState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An upgrade from before VerificationState v8 forgets no send: what the number-sends store held moves into the states. */
class LegacyNumberSendsTest {

  private static final String NUMBER = "+4915112345678";
  private static final String ANOTHER = "+4915112345679";
  private static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");

  private KeyValueStore<String, NumberSends> legacy;
  private KeyValueStore<String, VerificationState> verifications;

  @BeforeEach
  void openStores() {
    MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    legacy = store(DispatcherNames.NUMBER_SENDS_STORE, StateSerde.of(NumberSends.class), context);
    verifications = store(DispatcherNames.VERIFICATIONS_STORE, StateSerde.of(VerificationState.class), context);
  }

  private static <V> KeyValueStore<String, V> store(String name, Serde<V> values, MockProcessorContext<Object, Object> context) {
    KeyValueStore<String, V> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), values)
        .withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    return store;
  }

  private static NumberSend sentAt(long minutes, String network) {
    return new NumberSend(T0.plusSeconds(60 * minutes).toEpochMilli(), network);
  }

  private static VerificationState stateWith(String number, List<NumberSend> sends) {
    return VerificationState.newBuilder()
        .setVerificationId("v-" + number)
        .setTo(number)
        .setCountry("DE")
        .setChannel(Channel.SMS)
        .setStatus(VerificationStatus.PENDING)
        .setCreatedAt(T0)
        .setExpiresAt(T0.plusSeconds(600))
        .setNumberSends(new ArrayList<>(sends))
        .build();
  }

  @Test
  void aNumbersLegacySendsJoinThoseOfItsStateInTimeOrderAndTheStoreIsEmptied() {
    legacy.put(NUMBER, new NumberSends(List.of(sentAt(0, "a"), sentAt(5, "b"))));
    verifications.put(NUMBER, stateWith(NUMBER, List.of(sentAt(3, "a"), sentAt(5, "b"))));

    LegacyNumberSends.moveInto(legacy, verifications);

    assertThat(verifications.get(NUMBER).getNumberSends())
        .containsExactly(sentAt(0, "a"), sentAt(3, "a"), sentAt(5, "b"));
    assertThat(legacy.approximateNumEntries()).isZero();
  }

  @Test
  void aNumberWithoutAStateLeavesNothingBehindAndIsGivenNone() {
    legacy.put(ANOTHER, new NumberSends(List.of(sentAt(0, "a"))));

    LegacyNumberSends.moveInto(legacy, verifications);

    assertThat(verifications.get(ANOTHER)).isNull();
    assertThat(legacy.get(ANOTHER)).isNull();
  }

  @Test
  void anEmptyStoreChangesNoState() {
    VerificationState state = stateWith(NUMBER, List.of(sentAt(1, "a")));
    verifications.put(NUMBER, state);

    LegacyNumberSends.moveInto(legacy, verifications);

    assertThat(verifications.get(NUMBER)).isEqualTo(state);
  }
}
