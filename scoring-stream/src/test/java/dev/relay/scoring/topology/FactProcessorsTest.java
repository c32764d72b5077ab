package dev.relay.scoring.topology;

import static dev.relay.scoring.testing.Events.accepted;
import static dev.relay.scoring.testing.Events.attempt;
import static dev.relay.scoring.testing.Events.event;
import static dev.relay.scoring.testing.Events.rejected;
import static dev.relay.scoring.testing.Events.verified;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.Attempt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.DeliveryOutcome;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.VerificationStatus;
import dev.relay.scoring.model.InputClock;
import dev.relay.scoring.model.ScoreFact;
import dev.relay.scoring.model.VerificationProgress;
import dev.relay.scoring.serde.ScoringSerdes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
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

/** The fact extractors one by one, with {@link MockProcessorContext} and in-memory stores. */
class FactProcessorsTest {

  private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
  private static final Duration HORIZON = Duration.ofHours(2);
  private static final Duration MIN_OUTAGE = Duration.ofSeconds(10);

  private final MockProcessorContext<String, ScoreFact> context = new MockProcessorContext<>();

  @Test
  void aTryIsCountedAndARejectionThatMovesOnIsAFailover() {
    SendResultFacts facts = initialized(new SendResultFacts(HORIZON, MIN_OUTAGE));

    facts.process(record(rejected("Vonage", ErrorCategory.THROTTLED, false, T0)));
    facts.process(record(rejected("vonage", ErrorCategory.OPTED_OUT, true, T0)));
    facts.process(record(accepted("twilio", Channel.SMS, null, T0, 8_000L)));

    assertThat(forwarded()).containsExactly(
        KeyValue.pair("vonage|DE|SMS", new ScoreFact.Tried(false, OptionalLong.empty())),
        KeyValue.pair("vonage|DE|SMS", new ScoreFact.Failover(SendReason.REJECTION)),
        KeyValue.pair("vonage|DE|SMS", new ScoreFact.Tried(false, OptionalLong.empty())),
        KeyValue.pair("twilio|DE|SMS", new ScoreFact.Tried(true, OptionalLong.of(8_000))));
  }

  @Test
  void anAcceptedTryCountsItsTryAndNothingOfItsDelivery() {
    SendResultFacts sends = initialized(new SendResultFacts(HORIZON, MIN_OUTAGE));

    sends.process(record(accepted("twilio", "m1", T0)));

    assertThat(forwarded()).as("the dispatcher tells the delivery once it matched the receipt")
        .containsExactly(KeyValue.pair("twilio|DE|SMS", new ScoreFact.Tried(true, OptionalLong.empty())));
  }

  @Test
  void aDeliveryOutcomeIsCountedAsTheDispatcherToldIt() {
    DeliveryOutcomeFacts facts = new DeliveryOutcomeFacts();
    facts.init(context);

    facts.process(outcome(DeliveryStatus.DELIVERED, 3_000L));
    facts.process(outcome(DeliveryStatus.UNDELIVERED, null));
    facts.process(outcome(DeliveryStatus.DELIVERED, -40L));
    facts.process(outcome(DeliveryStatus.SENT, null));

    assertThat(forwarded()).containsExactly(
            KeyValue.pair("twilio|DE|SMS", new ScoreFact.Delivery(true, OptionalLong.of(3_000))),
            KeyValue.pair("twilio|DE|SMS", new ScoreFact.Delivery(false, OptionalLong.empty())),
            KeyValue.pair("twilio|DE|SMS", new ScoreFact.Delivery(true, OptionalLong.of(0))));
  }

  @Test
  void aDeliveryWindowThatPassedIsTheLostMessagesUndeliveredReceipt() {
    LifecycleFacts facts = initialized(new LifecycleFacts(HORIZON, MIN_OUTAGE));
    Attempt first = Attempt.newBuilder(attempt(1, SendReason.INITIAL, "twilio", Channel.SMS, T0))
        .setProviderMessageId("m1").build();
    Attempt second = attempt(2, SendReason.TIMEOUT, "vonage", Channel.SMS, T0.plusSeconds(30));

    facts.process(record(event("VE1", VerificationStatus.PENDING, null, "created", List.of(first), T0)));
    facts.process(record(event("VE1", VerificationStatus.PENDING, VerificationStatus.PENDING, "failover:timeout",
        List.of(first, second), T0.plusSeconds(30))));

    assertThat(forwarded()).containsExactly(
        KeyValue.pair("twilio|DE|SMS", new ScoreFact.Failover(SendReason.TIMEOUT)),
        KeyValue.pair("twilio|DE|SMS", new ScoreFact.Delivery(false, OptionalLong.empty())));
  }

  @Test
  void eachAttemptOfAGrowingHistoryIsReadOnce() {
    LifecycleFacts facts = initialized(new LifecycleFacts(HORIZON, MIN_OUTAGE));
    Attempt first = attempt(1, SendReason.INITIAL, "twilio", Channel.SMS, T0);
    Attempt second = attempt(2, SendReason.FAILED_RECEIPT, "vonage", Channel.SMS, T0.plusSeconds(5));
    Attempt third = attempt(3, SendReason.USER_REQUEST, "twilio", Channel.VOICE, T0.plusSeconds(50));

    facts.process(record(event("VE1", VerificationStatus.PENDING, null, "created", List.of(first), T0)));
    facts.process(record(event("VE1", VerificationStatus.PENDING, VerificationStatus.PENDING, "failover:failed-receipt",
        List.of(first, second), T0.plusSeconds(5))));
    // The same history again, then one attempt more, delivered in any order.
    facts.process(record(event("VE1", VerificationStatus.PENDING, VerificationStatus.PENDING, "failover:user-request",
        List.of(third, first, second), T0.plusSeconds(50))));
    facts.process(record(event("VE1", VerificationStatus.EXPIRED, VerificationStatus.PENDING, "expired",
        List.of(first, second, third), T0.plusSeconds(600))));

    assertThat(forwarded()).containsExactly(
        KeyValue.pair("twilio|DE|SMS", new ScoreFact.Failover(SendReason.FAILED_RECEIPT)),
        KeyValue.pair("vonage|DE|SMS", new ScoreFact.Failover(SendReason.USER_REQUEST)));
  }

  @Test
  void progressIsWrittenOnlyWhenItChangesWhatTheNextEventReads() {
    LifecycleFacts facts = initialized(new LifecycleFacts(HORIZON, MIN_OUTAGE));
    WindowStore<String, VerificationProgress> progress = context.getStateStore(ScoringTopology.VERIFICATION_PROGRESS_STORE);
    Attempt first = attempt(1, SendReason.INITIAL, "twilio", Channel.SMS, T0);
    Attempt second = attempt(2, SendReason.FAILED_RECEIPT, "vonage", Channel.SMS, T0.plusSeconds(5));
    VerificationEvent started = event("VE1", VerificationStatus.PENDING, null, "created", List.of(first), T0);
    VerificationEvent failedOver = event("VE1", VerificationStatus.PENDING, VerificationStatus.PENDING,
        "failover:failed-receipt", List.of(first, second), T0.plusSeconds(5));

    facts.process(record(started));
    facts.process(record(started));
    assertThat(TtlStores.latest(progress, "VE1", T0.toEpochMilli(), HORIZON)).as("a first attempt counts nothing to remember").isNull();

    facts.process(record(failedOver));
    facts.process(record(failedOver));
    assertThat(forwarded()).containsExactly(KeyValue.pair("twilio|DE|SMS", new ScoreFact.Failover(SendReason.FAILED_RECEIPT)));
    assertThat(TtlStores.latest(progress, "VE1", T0.toEpochMilli(), HORIZON).value)
        .isEqualTo(new VerificationProgress(2, false));

    // A final event is its verification's last: only a late send result reads the progress after it,
    // and the attempts it counted are already stored.
    facts.process(record(event("VE1", VerificationStatus.EXPIRED, VerificationStatus.PENDING, "expired",
        List.of(first, second), T0.plusSeconds(9))));
    assertThat(TtlStores.latest(progress, "VE1", T0.toEpochMilli(), HORIZON).value)
        .isEqualTo(new VerificationProgress(2, false));

    // The most common verification, one send and its code entered, stores nothing at all.
    Attempt only = verified(attempt(1, SendReason.INITIAL, "twilio", Channel.SMS, T0), T0.plusSeconds(20));
    facts.process(record(event("VE2", VerificationStatus.PENDING, null, "created", List.of(first), T0)));
    facts.process(record(event("VE2", VerificationStatus.APPROVED, VerificationStatus.PENDING, "code-approved",
        List.of(only), T0.plusSeconds(20))));
    assertThat(forwarded()).containsExactly(KeyValue.pair("twilio|DE|SMS", new ScoreFact.Completion()));
    assertThat(TtlStores.latest(progress, "VE2", T0.toEpochMilli(), HORIZON)).isNull();

    // A final event that counts a new attempt stores it, for the send results of the attempts before.
    facts.process(record(event("VE3", VerificationStatus.APPROVED, VerificationStatus.PENDING, "code-approved",
        List.of(first, verified(second, T0.plusSeconds(40))), T0.plusSeconds(40))));
    assertThat(TtlStores.latest(progress, "VE3", T0.toEpochMilli(), HORIZON).value)
        .isEqualTo(new VerificationProgress(2, true));
  }

  @Test
  void aCompletionGoesToTheVerifiedAttemptAndAFinishedVerificationIsNeverReadAgain() {
    LifecycleFacts facts = initialized(new LifecycleFacts(HORIZON, MIN_OUTAGE));
    Attempt first = verified(attempt(1, SendReason.INITIAL, "twilio", Channel.SMS, T0), T0.plusSeconds(40));
    Attempt second = attempt(2, SendReason.TIMEOUT, "vonage", Channel.SMS, T0.plusSeconds(30));
    VerificationEvent approved = event("VE1", VerificationStatus.APPROVED, VerificationStatus.PENDING,
        "code-approved", List.of(first, second), T0.plusSeconds(40));

    facts.process(record(approved));
    facts.process(record(approved));

    assertThat(forwarded()).containsExactly(
        KeyValue.pair("twilio|DE|SMS", new ScoreFact.Failover(SendReason.TIMEOUT)),
        KeyValue.pair("twilio|DE|SMS", new ScoreFact.Completion()));
  }

  @Test
  void withoutAVerifiedMarkTheLatestAcceptedAttemptIsCredited() {
    Attempt first = attempt(1, SendReason.INITIAL, "twilio", Channel.SMS, T0);
    Attempt second = attempt(2, SendReason.TIMEOUT, "vonage", Channel.SMS, T0);
    Attempt rejectedEverywhere = attempt(3, SendReason.TIMEOUT, null, Channel.SMS, T0);

    assertThat(LifecycleFacts.credited(List.of(second, first, rejectedEverywhere))).contains(second);
    assertThat(LifecycleFacts.credited(List.of(rejectedEverywhere))).isEmpty();
  }

  private <P extends Processor<String, ?, String, ScoreFact>> P initialized(P processor) {
    addStoreOnce(ScoringTopology.VERIFICATION_PROGRESS_STORE, ScoringSerdes.VERIFICATION_PROGRESS);
    for (String clockStore : List.of(ScoringTopology.INPUT_CLOCK_STORE, ScoringTopology.LIVE_INPUT_CLOCK_STORE)) {
      if (context.getStateStore(clockStore) == null) {
        KeyValueStore<String, InputClock> clock = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(clockStore), Serdes.String(), ScoringSerdes.INPUT_CLOCK)
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

  private List<KeyValue<String, ScoreFact>> forwarded() {
    List<KeyValue<String, ScoreFact>> facts = context.forwarded().stream()
        .map(captured -> KeyValue.pair(captured.record().key(), (ScoreFact) captured.record().value()))
        .toList();
    context.resetForwards();
    return facts;
  }

  private static Record<String, SendResult> record(SendResult result) {
    return new Record<>(result.getTo(), result, result.getCompletedAt().toEpochMilli());
  }

  private static Record<String, DeliveryOutcome> outcome(DeliveryStatus status, Long millisToDelivery) {
    DeliveryOutcome outcome = DeliveryOutcome.newBuilder()
        .setProvider("twilio")
        .setCountry("DE")
        .setChannel(Channel.SMS)
        .setVerificationId("VE1")
        .setAttempt(1)
        .setStatus(status)
        .setMillisToDelivery(millisToDelivery)
        .setSettledAt(T0)
        .build();
    return new Record<>("twilio|DE|SMS", outcome, T0.toEpochMilli());
  }

  private static Record<String, VerificationEvent> record(VerificationEvent event) {
    return new Record<>(event.getTo(), event, event.getOccurredAt().toEpochMilli());
  }
}
