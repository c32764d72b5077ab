package dev.relay.scoring.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.schemas.Channel;
import dev.relay.schemas.DeliveryOutcome;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.RouteFact;
import dev.relay.schemas.RouteFactKind;
import dev.relay.schemas.SendReason;
import dev.relay.scoring.model.ScoreFact;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

/** What scoring counts of each fact the dispatcher tells, with {@link MockProcessorContext}. */
class ToldFactsTest {

  private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
  private static final String ROUTE = "twilio|DE|SMS";

  private final MockProcessorContext<String, ScoreFact> context = new MockProcessorContext<>();

  @Test
  void everyKindOfRouteFactIsCountedAsTold() {
    ToldRouteFacts facts = new ToldRouteFacts();
    facts.init(context);

    facts.process(fact(RouteFact.newBuilder().setKind(RouteFactKind.TRIED).setAccepted(true).setPriceMicros(7_500L)
        .setFirstSend(true)));
    facts.process(fact(RouteFact.newBuilder().setKind(RouteFactKind.TRIED)));
    facts.process(fact(RouteFact.newBuilder().setKind(RouteFactKind.DELIVERY)));
    facts.process(fact(RouteFact.newBuilder().setKind(RouteFactKind.COMPLETION).setFirstSend(true)));
    facts.process(fact(RouteFact.newBuilder().setKind(RouteFactKind.EXCUSED).setReceiptPending(true)));
    facts.process(fact(RouteFact.newBuilder().setKind(RouteFactKind.FAILOVER).setReason(SendReason.TIMEOUT)));
    facts.process(fact(RouteFact.newBuilder().setKind(RouteFactKind.FAILOVER)));
    facts.process(fact(RouteFact.newBuilder().setKind(RouteFactKind.UNKNOWN_FACT)));

    assertThat(forwarded()).containsExactly(
        KeyValue.pair(ROUTE, new ScoreFact.Tried(true, OptionalLong.of(7_500), true)),
        KeyValue.pair(ROUTE, new ScoreFact.Tried(false, OptionalLong.empty(), false)),
        KeyValue.pair(ROUTE, new ScoreFact.Delivery(false, OptionalLong.empty())),
        KeyValue.pair(ROUTE, new ScoreFact.Completion(true)),
        KeyValue.pair(ROUTE, new ScoreFact.Excused(false, true)),
        KeyValue.pair(ROUTE, new ScoreFact.Failover(SendReason.TIMEOUT)),
        KeyValue.pair(ROUTE, new ScoreFact.Failover(SendReason.UNKNOWN_REASON)));
    assertThat(context.forwarded()).isEmpty();
  }

  @Test
  void aFactUnderAKeyThatNamesNoRouteIsRefused() {
    ToldRouteFacts facts = new ToldRouteFacts();
    facts.init(context);

    Record<String, RouteFact> misnamed = new Record<>("bad|provider|DE|SMS", RouteFact.newBuilder()
        .setKind(RouteFactKind.TRIED).setVerificationId("VE1").setAttempt(1).build(), T0.toEpochMilli());

    assertThatThrownBy(() -> facts.process(misnamed)).isInstanceOf(IllegalArgumentException.class);
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
        KeyValue.pair(ROUTE, new ScoreFact.Delivery(true, OptionalLong.of(3_000))),
        KeyValue.pair(ROUTE, new ScoreFact.Delivery(false, OptionalLong.empty())),
        KeyValue.pair(ROUTE, new ScoreFact.Delivery(true, OptionalLong.of(0))));
  }

  private List<KeyValue<String, ScoreFact>> forwarded() {
    List<KeyValue<String, ScoreFact>> facts = context.forwarded().stream()
        .map(captured -> KeyValue.pair(captured.record().key(), captured.record().value()))
        .toList();
    context.resetForwards();
    return facts;
  }

  private static Record<String, RouteFact> fact(RouteFact.Builder fact) {
    return new Record<>(ROUTE, fact.setVerificationId("VE1").setAttempt(1).build(), T0.toEpochMilli());
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
    return new Record<>(ROUTE, outcome, T0.toEpochMilli());
  }
}
