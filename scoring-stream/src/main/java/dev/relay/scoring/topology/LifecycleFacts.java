package dev.relay.scoring.topology;

import dev.relay.schemas.Attempt;
import dev.relay.schemas.SendOutcome;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.VerificationStatus;
import dev.relay.scoring.model.RouteKey;
import dev.relay.scoring.model.ScoreFact;
import dev.relay.scoring.model.VerificationProgress;
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
 * delivered the code, judged only when that was the verification's first send. A failover after the
 * delivery window is also the undelivered receipt the lost message never got. Each attempt and each
 * verification is counted once, however many events repeat the history.
 */
final class LifecycleFacts implements Processor<String, VerificationEvent, String, ScoreFact> {

  /**
   * Reasons of a new send that blame the route before it. REJECTION is not here: the sender's
   * results count those, try by try, in {@link SendResultFacts}.
   */
  static final Set<SendReason> FAILOVER_REASONS = EnumSet.of(
      SendReason.TIMEOUT, SendReason.FAILED_RECEIPT, SendReason.USER_REQUEST, SendReason.CHANNEL_FALLBACK);

  static final Set<VerificationStatus> FINAL_STATUSES = EnumSet.of(
      VerificationStatus.APPROVED, VerificationStatus.EXPIRED, VerificationStatus.CANCELED,
      VerificationStatus.MAX_ATTEMPTS_REACHED, VerificationStatus.FAILED);

  private final Duration matchHorizon;
  private ProcessorContext<String, ScoreFact> context;
  private WindowStore<String, VerificationProgress> progressStore;
  private DeliveryMatcher matcher;

  LifecycleFacts(Duration matchHorizon) {
    this.matchHorizon = matchHorizon;
  }

  @Override
  public void init(ProcessorContext<String, ScoreFact> context) {
    this.context = context;
    this.progressStore = context.getStateStore(ScoringTopology.VERIFICATION_PROGRESS_STORE);
    this.matcher = new DeliveryMatcher(
        context.getStateStore(ScoringTopology.SENT_MESSAGES_STORE),
        context.getStateStore(ScoringTopology.EARLY_RECEIPTS_STORE),
        matchHorizon);
  }

  @Override
  public void process(Record<String, VerificationEvent> record) {
    VerificationEvent event = record.value();
    if (event == null) {
      return;
    }
    String key = event.getVerificationId();
    KeyValue<Long, VerificationProgress> stored = TtlStores.latest(progressStore, key, record.timestamp(), matchHorizon);
    VerificationProgress progress = stored == null ? new VerificationProgress(0, false) : stored.value;
    if (progress.finished()) {
      return;
    }
    TreeMap<Integer, Attempt> attempts = new TreeMap<>();
    for (Attempt attempt : event.getAttempts()) {
      attempts.put(attempt.getAttempt(), attempt);
    }
    int counted = progress.countedAttempts();
    for (Attempt attempt : attempts.tailMap(counted, false).values()) {
      Attempt previous = attempts.get(attempt.getAttempt() - 1);
      if (FAILOVER_REASONS.contains(attempt.getReason()) && previous != null && previous.getProvider() != null) {
        forward(route(event, previous), new ScoreFact.Failover(attempt.getReason()), record.timestamp());
        if (attempt.getReason() == SendReason.TIMEOUT && previous.getProviderMessageId() != null) {
          matcher.onDeliveryWindowPassed(
                  DeliveryMatcher.messageKey(previous.getProvider(), previous.getProviderMessageId()), record.timestamp())
              .ifPresent(lost -> forward(lost.route(), lost.delivery(), record.timestamp()));
        }
      }
      counted = Math.max(counted, attempt.getAttempt());
    }
    if (event.getStatus() == VerificationStatus.APPROVED) {
      credited(event.getAttempts()).ifPresent(attempt ->
          forward(route(event, attempt), new ScoreFact.Completion(attempt.getAttempt() == 1), record.timestamp()));
    }
    boolean finished = FINAL_STATUSES.contains(event.getStatus());
    progressStore.put(key, new VerificationProgress(counted, finished), stored == null ? record.timestamp() : stored.key);
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
    return attempts.stream()
        .filter(attempt -> attempt.getProvider() != null && attempt.getOutcome() != SendOutcome.REJECTED)
        .max(byNumber);
  }

  private static RouteKey route(VerificationEvent event, Attempt attempt) {
    return new RouteKey(attempt.getProvider(), event.getCountry(), attempt.getChannel());
  }

  private void forward(RouteKey route, ScoreFact fact, long timestamp) {
    context.forward(new Record<>(route.value(), fact, timestamp));
  }
}
