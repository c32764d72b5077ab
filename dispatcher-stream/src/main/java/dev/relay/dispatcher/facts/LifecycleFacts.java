package dev.relay.dispatcher.facts;

import dev.relay.dispatcher.topology.DispatcherNames;
import dev.relay.schemas.Attempt;
import dev.relay.schemas.DeliveryStatuses;
import dev.relay.schemas.RouteFact;
import dev.relay.schemas.SendOutcome;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.VerificationStatus;
import java.time.Duration;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Reads the attempt history on lifecycle events: each new attempt sent because the previous one
 * timed out, got a failed receipt, or the user asked for another channel is a failover charged to
 * the previous attempt's route; an {@code APPROVED} transition is a completion for the route that
 * delivered the code, judged only when that was the verification's first send, and counted at that
 * send's time (in its pane), not at the check's. A failover after the
 * delivery window is also the undelivered receipt the lost message never got. Each attempt and each
 * verification is counted once, however many events repeat the history.
 *
 * <p>What Relay caused is not charged to a route:
 * <ul>
 *   <li>a send whose delivery window (from its acceptance to the timeout, or to the end of its
 *       verification without the code entered) spans an outage of Relay itself ({@link RelayOutages}): the process died with
 *       the message in flight, so its receipt and its person's check had nowhere to go. No failover,
 *       no undelivered receipt, and a first send is taken out of the completion judgement
 *       ({@link RouteFacts#excused});</li>
 *   <li>a send the sender carried out only after the dispatcher had moved on to the next attempt (see
 *       {@code SendResultFacts}, which does not count it): a completion through it counts nowhere either.</li>
 * </ul>
 */
final class LifecycleFacts implements Processor<String, VerificationEvent, String, RouteFact> {

  /**
   * Reasons of a new send that blame the route before it. REJECTION is not here: the sender's
   * results count those, try by try, in {@link SendResultFacts}.
   */
  static final Set<SendReason> FAILOVER_REASONS = EnumSet.of(
      SendReason.TIMEOUT, SendReason.FAILED_RECEIPT, SendReason.USER_REQUEST, SendReason.CHANNEL_FALLBACK);

  static final Set<VerificationStatus> FINAL_STATUSES = EnumSet.of(
      VerificationStatus.APPROVED, VerificationStatus.EXPIRED, VerificationStatus.CANCELED,
      VerificationStatus.MAX_ATTEMPTS_REACHED, VerificationStatus.FAILED);

  /** Ends without the code entered, whatever the last send did (no failover announced it). */
  static final Set<VerificationStatus> UNANSWERED_ENDS = EnumSet.of(
      VerificationStatus.EXPIRED, VerificationStatus.MAX_ATTEMPTS_REACHED, VerificationStatus.FAILED);

  private final Duration matchHorizon;
  private final Duration minOutage;
  private ProcessorContext<String, RouteFact> context;
  private WindowStore<String, VerificationProgress> progressStore;
  private RelayOutages outages;

  LifecycleFacts(Duration matchHorizon, Duration minOutage) {
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
  public void process(Record<String, VerificationEvent> record) {
    VerificationEvent event = record.value();
    if (event == null) {
      return;
    }
    outages.observe(record.timestamp());
    String key = event.getVerificationId();
    KeyValue<Long, VerificationProgress> stored = TtlStores.latest(progressStore, key, record.timestamp(), matchHorizon);
    VerificationProgress progress = stored == null ? VerificationProgress.NONE : stored.value;
    if (progress.finished()) {
      return;
    }
    TreeMap<Integer, Attempt> attempts = new TreeMap<>();
    for (Attempt attempt : event.getAttempts()) {
      attempts.put(attempt.getAttempt(), attempt);
    }
    int counted = progress.countedAttempts();
    boolean excused = progress.firstSendExcused();
    for (Attempt attempt : attempts.tailMap(counted, false).values()) {
      Attempt previous = attempts.get(attempt.getAttempt() - 1);
      if (FAILOVER_REASONS.contains(attempt.getReason()) && previous != null && previous.getProvider() != null) {
        if (attempt.getReason() == SendReason.TIMEOUT && interruptedByRelay(previous, record.timestamp())) {
          // Its window passes now: no final receipt came (else it would not have timed out), none counted.
          excused |= excuse(event, previous, excused, true);
        } else {
          forward(event, previous, RouteFacts.failover(attempt.getReason()), record.timestamp());
          if (attempt.getReason() == SendReason.TIMEOUT && previous.getProviderMessageId() != null) {
            // The delivery window passed without a final receipt (else the dispatcher would not have timed it
            // out): the message silently lost is its route's undelivered receipt. The dispatcher tells no
            // outcome for it afterwards, whatever receipt still comes.
            forward(event, previous, RouteFacts.lostMessage(), record.timestamp());
          }
        }
      }
      counted = Math.max(counted, attempt.getAttempt());
    }
    if (UNANSWERED_ENDS.contains(event.getStatus())) {
      // Nobody checked the code before the verification ended: not the route's doing when Relay was down meanwhile.
      Optional<Attempt> last = lastAccepted(event.getAttempts());
      if (last.isPresent() && interruptedByRelay(last.get(), record.timestamp())) {
        excused |= excuse(event, last.get(), excused, !deliverySettled(last.get(), event.getAttempts()));
      }
    }
    if (event.getStatus() == VerificationStatus.APPROVED) {
      // A send taken back (excused) or never counted (carried out late) gets no completion either.
      boolean firstSendExcused = excused;
      credited(event.getAttempts())
          .filter(attempt -> !(attempt.getAttempt() == 1 && firstSendExcused) && !carriedOutLate(attempt, event.getAttempts()))
          .ifPresent(attempt -> forward(event, attempt, RouteFacts.completion(attempt.getAttempt() == 1), sentAt(attempt)));
    }
    boolean finished = FINAL_STATUSES.contains(event.getStatus());
    VerificationProgress next = new VerificationProgress(counted, finished, excused);
    // Every write is a changelog record: a verification's first event (one attempt, still pending) and a
    // repeated history change nothing the next event reads. A final event has no next event (the
    // dispatcher writes each transition once, and exactly-once reading sees it once): after it only a send
    // result carried out late reads the progress, and only the attempts counted.
    if (finished ? !next.countsTheSameAttemptsAs(progress) : !next.readsAs(progress)) {
      progressStore.put(key, next, stored == null ? record.timestamp() : stored.key);
    }
  }

  /** Whether the send's delivery window, from its acceptance to {@code endedAt}, spans an outage of Relay. */
  private boolean interruptedByRelay(Attempt sent, long endedAt) {
    return outages.downWithin(sentAt(sent), endedAt);
  }

  /**
   * When the provider accepted the send (else when it was dispatched): the pane its try was counted in,
   * where its completion is counted too, so a window judges its sends on what became of them.
   */
  private static long sentAt(Attempt sent) {
    return (sent.getSubmittedAt() != null ? sent.getSubmittedAt() : sent.getDispatchedAt()).toEpochMilli();
  }

  /**
   * Takes back, in the pane it was counted in, the interrupted send's try if no delivery was counted
   * for it ({@code receiptPending}) and, for a first send not excused yet, its place in the completion
   * judgement. The dispatcher tells no delivery outcome for it afterwards (its window passed, or its
   * verification ended unanswered). Returns whether it excused a first send.
   */
  private boolean excuse(VerificationEvent event, Attempt sent, boolean firstSendExcused, boolean receiptPending) {
    boolean firstSend = sent.getAttempt() == 1 && !firstSendExcused;
    if (firstSend || receiptPending) {
      forward(event, sent, RouteFacts.excused(firstSend, receiptPending), sentAt(sent));
    }
    return firstSend;
  }

  /**
   * Whether a delivery was counted for the send: its final receipt came (the dispatcher told its outcome),
   * or its delivery window passed (the next attempt's TIMEOUT counted it, or excused it).
   */
  static boolean deliverySettled(Attempt sent, List<Attempt> attempts) {
    if (DeliveryStatuses.isFinal(sent.getDeliveryStatus())) {
      return true;
    }
    return attempts.stream().anyMatch(next -> next.getAttempt() == sent.getAttempt() + 1
        && next.getReason() == SendReason.TIMEOUT);
  }

  /**
   * The attempt whose code the user entered: the one marked verified, else the latest one a
   * provider accepted (the dispatcher may not mark it).
   */
  static Optional<Attempt> credited(List<Attempt> attempts) {
    Comparator<Attempt> byNumber = Comparator.comparingInt(Attempt::getAttempt);
    Optional<Attempt> verified = attempts.stream()
        .filter(attempt -> attempt.getVerifiedAt() != null && attempt.getProvider() != null)
        .max(byNumber);
    if (verified.isPresent()) {
      return verified;
    }
    return lastAccepted(attempts);
  }

  private static Optional<Attempt> lastAccepted(List<Attempt> attempts) {
    return attempts.stream()
        .filter(attempt -> attempt.getProvider() != null && attempt.getOutcome() != SendOutcome.REJECTED)
        .max(Comparator.comparingInt(Attempt::getAttempt));
  }

  /**
   * Whether the sender carried the attempt out only after the dispatcher had issued the next one
   * (Relay's own delay: its send result was not there when the delivery window closed).
   */
  static boolean carriedOutLate(Attempt attempt, List<Attempt> attempts) {
    if (attempt.getSubmittedAt() == null) {
      return false;
    }
    return attempts.stream().anyMatch(next -> next.getAttempt() == attempt.getAttempt() + 1
        && next.getDispatchedAt().isBefore(attempt.getSubmittedAt()));
  }

  private void forward(VerificationEvent event, Attempt attempt, RouteFact.Builder fact, long timestamp) {
    context.forward(new Record<>(RouteFacts.routeKey(attempt.getProvider(), event.getCountry(), attempt.getChannel()),
        fact.setVerificationId(event.getVerificationId()).setAttempt(attempt.getAttempt()).build(), timestamp));
  }
}
