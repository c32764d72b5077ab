package dev.relay.dispatcher.facts;

import dev.relay.dispatcher.topology.DispatcherNames;
import dev.relay.schemas.Channel;
import dev.relay.schemas.RouteFact;
import dev.relay.schemas.RouteFactKind;
import dev.relay.schemas.SendOutcome;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.VerificationStatus;
import dev.relay.schemas.state.VerificationState;
import dev.relay.schemas.topics.ProviderScoreKeys;
import dev.relay.schemas.topics.Topic;
import java.time.Duration;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;

/**
 * The facts each route is scored on, told by the dispatcher from the attempts it holds: every provider try
 * ({@link SendResultFacts}, from the send results the lifecycle reads) and what the lifecycle's events show
 * of failovers, lost messages, completions and sends Relay's own outages interrupted ({@link LifecycleFacts},
 * from the events the lifecycle writes). Written to route-facts keyed by route; scoring counts them as they
 * are, beside the delivery outcomes, and keeps no state per verification.
 */
public final class RouteFacts {

  /**
   * Set by the lifecycle on an accepted send result whose code was entered before it came ({@link #completesApproval}):
   * the approval named no route, so the result's route gets the completion.
   */
  static final String COMPLETES_APPROVAL_HEADER = "relay.completes-approval";

  /** Entries of the progress store are written at one instant, not over a span. */
  private static final Duration INSTANT = Duration.ofMillis(1);

  private RouteFacts() {}

  /**
   * Adds the two fact processors below the nodes that hand them the lifecycle's events and the send results,
   * their stores, and the route-facts sink.
   */
  public static void addTo(Topology topology, Topic<String, RouteFact> routeFacts, RouteFactSettings settings,
      String eventsParent, String sendResultsParent) {
    topology.addProcessor(DispatcherNames.LIFECYCLE_FACTS,
        () -> new LifecycleFacts(settings.matchHorizon(), settings.minOutage()), eventsParent);
    topology.addProcessor(DispatcherNames.SEND_RESULT_FACTS,
        () -> new SendResultFacts(settings.matchHorizon(), settings.minOutage()), sendResultsParent);
    String[] both = {DispatcherNames.LIFECYCLE_FACTS, DispatcherNames.SEND_RESULT_FACTS};
    // Not cached: a verification changes seconds apart, so a cache would collapse little while its ever new
    // keys crowd the thread's cache (Kafka Streams evicts from the store being written).
    topology.addStateStore(Stores.windowStoreBuilder(
        Stores.persistentWindowStore(DispatcherNames.FACT_PROGRESS_STORE, settings.matchHorizon(), INSTANT, false),
        Serdes.String(), FactStateSerdes.VERIFICATION_PROGRESS), both);
    // The clock moves on every input in memory and is saved only about once a second (RelayOutages).
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(DispatcherNames.LIVE_INPUT_CLOCK_STORE),
        Serdes.String(), FactStateSerdes.INPUT_CLOCK).withLoggingDisabled(), both);
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DispatcherNames.INPUT_CLOCK_STORE),
        Serdes.String(), FactStateSerdes.INPUT_CLOCK), both);
    topology.addSink(DispatcherNames.ROUTE_FACTS_SINK, routeFacts.name(), routeFacts.keySerde().serializer(),
        routeFacts.valueSerde().serializer(), both);
  }

  /**
   * Whether this accepted send result completes the verification it belongs to, as it stood before the result: the
   * code was entered for this attempt while no provider had accepted it yet (a vendor answering its API call after
   * the handset had the message, or a sender behind), so the approval named no route to credit. Read from the
   * verification the lifecycle holds, so it costs no state of the facts' own.
   */
  public static boolean completesApproval(VerificationState before, SendResult result) {
    if (before == null || result.getOutcome() != SendOutcome.ACCEPTED || before.getStatus() != VerificationStatus.APPROVED
        || !before.getVerificationId().equals(result.getVerificationId())) {
      return false;
    }
    return before.getAttempts().stream().anyMatch(attempt -> attempt.getAttempt() == result.getAttempt()
        && attempt.getVerifiedAt() != null && attempt.getProvider() == null);
  }

  /** The send result, marked when it completes its verification's approval (see {@link #completesApproval}). */
  public static Record<String, SpecificRecord> sendResult(String number, SendResult result, long timestamp,
      boolean completesApproval) {
    Record<String, SpecificRecord> record = new Record<>(number, result, timestamp);
    if (completesApproval) {
      record.headers().add(COMPLETES_APPROVAL_HEADER, new byte[] {1});
    }
    return record;
  }

  static boolean markedAsCompletingApproval(Headers headers) {
    return headers.lastHeader(COMPLETES_APPROVAL_HEADER) != null;
  }

  /** The key a route's facts are counted under, that of provider-scores: {@code provider|COUNTRY|CHANNEL}. */
  static String routeKey(String provider, String country, Channel channel) {
    return ProviderScoreKeys.key(provider, country, channel);
  }

  /** One provider try; {@code priceMicros} when the provider reported a price. */
  static RouteFact.Builder tried(boolean accepted, Long priceMicros, boolean firstSend) {
    return RouteFact.newBuilder().setKind(RouteFactKind.TRIED).setAccepted(accepted).setPriceMicros(priceMicros)
        .setFirstSend(firstSend);
  }

  /** The route failed the verification, which moved on to another route for this reason. */
  static RouteFact.Builder failover(SendReason reason) {
    return RouteFact.newBuilder().setKind(RouteFactKind.FAILOVER).setReason(reason);
  }

  /** An accepted send whose delivery window passed without a final receipt: the lost message's undelivered one. */
  static RouteFact.Builder lostMessage() {
    return RouteFact.newBuilder().setKind(RouteFactKind.DELIVERY).setDelivered(false);
  }

  /** A verification approved with the code this route delivered. */
  static RouteFact.Builder completion(boolean firstSend) {
    return RouteFact.newBuilder().setKind(RouteFactKind.COMPLETION).setFirstSend(firstSend);
  }

  /** A send taken back out of the route's judgement: Relay itself was down during its delivery window. */
  static RouteFact.Builder excused(boolean firstSend, boolean receiptPending) {
    return RouteFact.newBuilder().setKind(RouteFactKind.EXCUSED).setFirstSend(firstSend).setReceiptPending(receiptPending);
  }
}
