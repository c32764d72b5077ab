package dev.relay.dispatcher.facts;

import static dev.relay.dispatcher.facts.FactInputs.event;
import static dev.relay.dispatcher.facts.FactInputs.sent;
import static dev.relay.dispatcher.facts.FactInputs.tryOf;
import static dev.relay.dispatcher.facts.FactInputs.verified;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.dispatcher.topology.DispatcherNames;
import dev.relay.schemas.Attempt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.RouteFact;
import dev.relay.schemas.SendOutcome;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.VerificationStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.Test;

/** The dispatcher's fact processors one by one, with {@link MockProcessorContext} and in-memory stores. */
class FactProcessorsTest {

  private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
  private static final Duration HORIZON = Duration.ofHours(2);
  private static final Duration MIN_OUTAGE = Duration.ofSeconds(10);

  private final MockProcessorContext<String, RouteFact> context = new MockProcessorContext<>();

  @Test
  void aTryIsCountedAndARejectionThatMovesOnIsAFailover() {
    SendResultFacts facts = initialized(new SendResultFacts(HORIZON, MIN_OUTAGE));

    facts.process(record(tryOf("Vonage", SendOutcome.REJECTED, ErrorCategory.THROTTLED, false, null, T0)));
    facts.process(record(tryOf("vonage", SendOutcome.REJECTED, ErrorCategory.OPTED_OUT, true, null, T0)));
    facts.process(record(tryOf("twilio", SendOutcome.ACCEPTED, ErrorCategory.NONE, true, 8_000L, T0)));

    assertThat(forwarded()).containsExactly(
        KeyValue.pair("vonage|DE|SMS", "TRIED rejected first"),
        KeyValue.pair("vonage|DE|SMS", "FAILOVER REJECTION"),
        KeyValue.pair("vonage|DE|SMS", "TRIED rejected first"),
        KeyValue.pair("twilio|DE|SMS", "TRIED accepted price=8000 first"));
  }

  @Test
  void anAcceptedTryCountsItsTryAndNothingOfItsDelivery() {
    SendResultFacts sends = initialized(new SendResultFacts(HORIZON, MIN_OUTAGE));

    sends.process(record(tryOf("twilio", SendOutcome.ACCEPTED, ErrorCategory.NONE, true, null, T0)));

    assertThat(forwarded()).as("the delivery is told on delivery-outcomes once the receipt is matched")
        .containsExactly(KeyValue.pair("twilio|DE|SMS", "TRIED accepted first"));
  }

  @Test
  void aResultTheLifecycleMarksAsCompletingItsApprovalCarriesTheCompletionUnlessItsSendWasExcused() {
    SendResultFacts sends = initialized(new SendResultFacts(HORIZON, MIN_OUTAGE));
    SendResult result = tryOf("twilio", SendOutcome.ACCEPTED, ErrorCategory.NONE, true, null, T0);

    sends.process(completing(result));
    assertThat(forwarded()).containsExactly(
        KeyValue.pair("twilio|DE|SMS", "TRIED accepted first"), KeyValue.pair("twilio|DE|SMS", "COMPLETION first"));

    sends.process(record(result));
    assertThat(forwarded()).as("unmarked: its approval credited a route already")
        .containsExactly(KeyValue.pair("twilio|DE|SMS", "TRIED accepted first"));

    WindowStore<String, VerificationProgress> progress = context.getStateStore(DispatcherNames.FACT_PROGRESS_STORE);
    progress.put("VEtest", new VerificationProgress(1, true, true), T0.toEpochMilli());
    sends.process(completing(result));
    assertThat(forwarded()).as("a first send Relay's outage interrupted is judged by no completion")
        .containsExactly(KeyValue.pair("twilio|DE|SMS", "TRIED accepted first"));
  }

  @Test
  void aFactNamesItsVerificationAndItsSendAndKeepsItsTime() {
    SendResultFacts sends = initialized(new SendResultFacts(HORIZON, MIN_OUTAGE));

    sends.process(record(tryOf("twilio", SendOutcome.ACCEPTED, ErrorCategory.NONE, true, null, T0)));

    var told = context.forwarded().get(0).record();
    assertThat(told.value().getVerificationId()).isEqualTo("VEtest");
    assertThat(told.value().getAttempt()).isEqualTo(1);
    assertThat(told.timestamp()).isEqualTo(T0.plusMillis(150).toEpochMilli());
  }

  @Test
  void aDeliveryWindowThatPassedIsTheLostMessagesUndeliveredReceipt() {
    LifecycleFacts facts = initialized(new LifecycleFacts(HORIZON, MIN_OUTAGE));
    Attempt first = Attempt.newBuilder(sent(1, SendReason.INITIAL, "twilio", Channel.SMS, T0))
        .setProviderMessageId("m1").build();
    Attempt second = sent(2, SendReason.TIMEOUT, "vonage", Channel.SMS, T0.plusSeconds(30));

    facts.process(record(event("VE1", VerificationStatus.PENDING, List.of(first), T0)));
    facts.process(record(event("VE1", VerificationStatus.PENDING, List.of(first, second), T0.plusSeconds(30))));

    assertThat(forwarded()).containsExactly(
        KeyValue.pair("twilio|DE|SMS", "FAILOVER TIMEOUT"),
        KeyValue.pair("twilio|DE|SMS", "DELIVERY undelivered"));
  }

  @Test
  void eachAttemptOfAGrowingHistoryIsReadOnce() {
    LifecycleFacts facts = initialized(new LifecycleFacts(HORIZON, MIN_OUTAGE));
    Attempt first = sent(1, SendReason.INITIAL, "twilio", Channel.SMS, T0);
    Attempt second = sent(2, SendReason.FAILED_RECEIPT, "vonage", Channel.SMS, T0.plusSeconds(5));
    Attempt third = sent(3, SendReason.USER_REQUEST, "twilio", Channel.VOICE, T0.plusSeconds(50));

    facts.process(record(event("VE1", VerificationStatus.PENDING, List.of(first), T0)));
    facts.process(record(event("VE1", VerificationStatus.PENDING, List.of(first, second), T0.plusSeconds(5))));
    // The same history again, then one attempt more, delivered in any order.
    facts.process(record(event("VE1", VerificationStatus.PENDING, List.of(third, first, second), T0.plusSeconds(50))));
    facts.process(record(event("VE1", VerificationStatus.EXPIRED, List.of(first, second, third), T0.plusSeconds(600))));

    assertThat(forwarded()).containsExactly(
        KeyValue.pair("twilio|DE|SMS", "FAILOVER FAILED_RECEIPT"),
        KeyValue.pair("vonage|DE|SMS", "FAILOVER USER_REQUEST"));
  }

  @Test
  void progressIsWrittenOnlyWhenItChangesWhatTheNextEventReads() {
    LifecycleFacts facts = initialized(new LifecycleFacts(HORIZON, MIN_OUTAGE));
    WindowStore<String, VerificationProgress> progress = context.getStateStore(DispatcherNames.FACT_PROGRESS_STORE);
    Attempt first = sent(1, SendReason.INITIAL, "twilio", Channel.SMS, T0);
    Attempt second = sent(2, SendReason.FAILED_RECEIPT, "vonage", Channel.SMS, T0.plusSeconds(5));
    VerificationEvent started = event("VE1", VerificationStatus.PENDING, List.of(first), T0);
    VerificationEvent failedOver = event("VE1", VerificationStatus.PENDING, List.of(first, second), T0.plusSeconds(5));

    facts.process(record(started));
    facts.process(record(started));
    assertThat(TtlStores.latest(progress, "VE1", T0.toEpochMilli(), HORIZON)).as("a first attempt counts nothing to remember").isNull();

    facts.process(record(failedOver));
    facts.process(record(failedOver));
    assertThat(forwarded()).containsExactly(KeyValue.pair("twilio|DE|SMS", "FAILOVER FAILED_RECEIPT"));
    assertThat(TtlStores.latest(progress, "VE1", T0.toEpochMilli(), HORIZON).value)
        .isEqualTo(new VerificationProgress(2, false));

    // A final event is its verification's last: only a late send result reads the progress after it,
    // and the attempts it counted are already stored.
    facts.process(record(event("VE1", VerificationStatus.EXPIRED, List.of(first, second), T0.plusSeconds(9))));
    assertThat(TtlStores.latest(progress, "VE1", T0.toEpochMilli(), HORIZON).value)
        .isEqualTo(new VerificationProgress(2, false));

    // The most common verification, one send and its code entered, stores nothing at all.
    Attempt only = verified(sent(1, SendReason.INITIAL, "twilio", Channel.SMS, T0), T0.plusSeconds(20));
    facts.process(record(event("VE2", VerificationStatus.PENDING, List.of(first), T0)));
    facts.process(record(event("VE2", VerificationStatus.APPROVED, List.of(only), T0.plusSeconds(20))));
    assertThat(forwarded()).containsExactly(KeyValue.pair("twilio|DE|SMS", "COMPLETION first"));
    assertThat(TtlStores.latest(progress, "VE2", T0.toEpochMilli(), HORIZON)).isNull();

    // A final event that counts a new attempt stores it, for the send results of the attempts before.
    facts.process(record(event("VE3", VerificationStatus.APPROVED, List.of(first, verified(second, T0.plusSeconds(40))),
        T0.plusSeconds(40))));
    assertThat(TtlStores.latest(progress, "VE3", T0.toEpochMilli(), HORIZON).value)
        .isEqualTo(new VerificationProgress(2, true));
  }

  @Test
  void aCompletionGoesToTheVerifiedAttemptAndAFinishedVerificationIsNeverReadAgain() {
    LifecycleFacts facts = initialized(new LifecycleFacts(HORIZON, MIN_OUTAGE));
    Attempt first = verified(sent(1, SendReason.INITIAL, "twilio", Channel.SMS, T0), T0.plusSeconds(40));
    Attempt second = sent(2, SendReason.TIMEOUT, "vonage", Channel.SMS, T0.plusSeconds(30));
    VerificationEvent approved = event("VE1", VerificationStatus.APPROVED, List.of(first, second), T0.plusSeconds(40));

    facts.process(record(approved));
    facts.process(record(approved));

    assertThat(forwarded()).containsExactly(
        KeyValue.pair("twilio|DE|SMS", "FAILOVER TIMEOUT"),
        KeyValue.pair("twilio|DE|SMS", "COMPLETION first"));
  }

  @Test
  void withoutAVerifiedMarkTheLatestAcceptedAttemptIsCredited() {
    Attempt first = sent(1, SendReason.INITIAL, "twilio", Channel.SMS, T0);
    Attempt second = sent(2, SendReason.TIMEOUT, "vonage", Channel.SMS, T0);
    Attempt rejectedEverywhere = sent(3, SendReason.TIMEOUT, null, Channel.SMS, T0);

    assertThat(LifecycleFacts.credited(List.of(second, first, rejectedEverywhere))).contains(second);
    assertThat(LifecycleFacts.credited(List.of(rejectedEverywhere))).isEmpty();
  }

  private <P extends Processor<String, ?, String, RouteFact>> P initialized(P processor) {
    addStoreOnce(DispatcherNames.FACT_PROGRESS_STORE, FactStateSerdes.VERIFICATION_PROGRESS);
    for (String clockStore : List.of(DispatcherNames.INPUT_CLOCK_STORE, DispatcherNames.LIVE_INPUT_CLOCK_STORE)) {
      if (context.getStateStore(clockStore) == null) {
        KeyValueStore<String, InputClock> clock = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(clockStore), Serdes.String(), FactStateSerdes.INPUT_CLOCK)
            .withLoggingDisabled()
            .build();
        clock.init(context.getStateStoreContext(), clock);
        context.addStateStore(clock);
      }
    }
    processor.init(context);
    return processor;
  }

  private <V> void addStoreOnce(String name, Serde<V> values) {
    if (context.getStateStore(name) != null) {
      return;
    }
    WindowStore<String, V> store = Stores.windowStoreBuilder(
            Stores.inMemoryWindowStore(name, HORIZON, Duration.ofMillis(1), false), Serdes.String(), values)
        .withLoggingDisabled()
        .build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
  }

  private List<KeyValue<String, String>> forwarded() {
    List<KeyValue<String, String>> facts = context.forwarded().stream()
        .map(captured -> KeyValue.pair(captured.record().key(), FactInputs.told(captured.record().value())))
        .toList();
    context.resetForwards();
    return facts;
  }

  private static Record<String, SendResult> record(SendResult result) {
    return new Record<>(result.getTo(), result, result.getCompletedAt().toEpochMilli());
  }

  @SuppressWarnings("unchecked")
  private static Record<String, SendResult> completing(SendResult result) {
    Record<String, ?> marked = RouteFacts.sendResult(result.getTo(), result, result.getCompletedAt().toEpochMilli(), true);
    return (Record<String, SendResult>) marked;
  }

  private static Record<String, VerificationEvent> record(VerificationEvent event) {
    return new Record<>(event.getTo(), event, event.getOccurredAt().toEpochMilli());
  }
}
