package dev.relay.dispatcher.facts;

import dev.relay.dispatcher.topology.DispatcherNames;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.RouteFact;
import dev.relay.schemas.SendOutcome;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.SendResult;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Turns each provider try into facts about its route: one try (accepted or not, with its price), and a
 * rejection failover when the sender moved on to another route; and the completion of a send whose code was
 * entered before this result came, as the lifecycle marks it ({@link RouteFacts#completesApproval}: the
 * approval named no route for {@link LifecycleFacts} to credit). What became of an
 * accepted try's delivery the dispatcher tells on delivery-outcomes, once it matched the receipt.
 *
 * <p>Tries Relay itself refused or made late count nowhere, not even as tries:
 * <ul>
 *   <li>a rejection no vendor gave ({@link #relayRefused}): the sender or the adapter refused before
 *       any call, because Relay has no client for the provider, the provider is not configured for
 *       the channel, the command named no route, the sealed code did not open with Relay's keys, or
 *       Relay's own queue of requests to the vendor was full (overload is Relay's, not the route's);</li>
 *   <li>a try for an attempt the dispatcher had already moved past (a later attempt of the verification
 *       is known): the sender carried the command out only after the delivery window had closed,
 *       because Relay's sender was down or behind, and the person may long have left.</li>
 * </ul>
 */
final class SendResultFacts implements Processor<String, SendResult, String, RouteFact> {

  /** Categories the sender and the adapters also use for their own refusals, before any vendor is called. */
  private static final Set<ErrorCategory> RELAY_REFUSAL_CATEGORIES =
      EnumSet.of(ErrorCategory.NO_ROUTE, ErrorCategory.AUTH_CONFIG, ErrorCategory.THROTTLED);

  private final Duration matchHorizon;
  private final Duration minOutage;
  private ProcessorContext<String, RouteFact> context;
  private WindowStore<String, VerificationProgress> progressStore;
  private RelayOutages outages;

  SendResultFacts(Duration matchHorizon, Duration minOutage) {
    this.matchHorizon = matchHorizon;
    this.minOutage = minOutage;
  }

  @Override
  public void init(ProcessorContext<String, RouteFact> context) {
    this.context = context;
    this.progressStore = context.getStateStore(DispatcherNames.FACT_PROGRESS_STORE);
    this.outages = RelayOutages.of(context, minOutage);
  }

  @Override
  public void process(Record<String, SendResult> record) {
    SendResult result = record.value();
    if (result == null) {
      return;
    }
    outages.observe(record.timestamp());
    if (relayRefused(result)) {
      return;
    }
    KeyValue<Long, VerificationProgress> progress =
        TtlStores.latest(progressStore, result.getVerificationId(), record.timestamp(), matchHorizon);
    if (progress != null && progress.value.countedAttempts() > result.getAttempt()) {
      // Carried out after the next attempt was dispatched.
      return;
    }
    boolean accepted = result.getOutcome() == SendOutcome.ACCEPTED;
    forward(result, RouteFacts.tried(accepted, result.getPriceMicros(), result.getAttempt() == 1), record.timestamp());
    if (result.getOutcome() == SendOutcome.REJECTED && !result.getLastTry()) {
      // The sender moves to the next route at once: this route caused a fast failover.
      forward(result, RouteFacts.failover(SendReason.REJECTION), record.timestamp());
    }
    boolean firstSendExcused = progress != null && progress.value.firstSendExcused();
    if (accepted && RouteFacts.markedAsCompletingApproval(record.headers()) && !(result.getAttempt() == 1 && firstSendExcused)) {
      // Its code was entered before this result came: the route that took the send completed it, at the send's time.
      forward(result, RouteFacts.completion(result.getAttempt() == 1), record.timestamp());
    }
  }

  /**
   * A rejection without a vendor's code in a category Relay's own refusals use: every answer a vendor
   * gives carries its code (an error code or the HTTP status), Relay's refusals none.
   */
  static boolean relayRefused(SendResult result) {
    return result.getOutcome() == SendOutcome.REJECTED && result.getVendorCode() == null
        && RELAY_REFUSAL_CATEGORIES.contains(result.getErrorCategory());
  }

  private void forward(SendResult result, RouteFact.Builder fact, long timestamp) {
    context.forward(new Record<>(RouteFacts.routeKey(result.getProvider(), result.getCountry(), result.getChannel()),
        fact.setVerificationId(result.getVerificationId()).setAttempt(result.getAttempt()).build(), timestamp));
  }
}
