package dev.relay.scoring.replay;

import dev.relay.schemas.Attempt;
import dev.relay.schemas.DeliveryReceipt;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.ProviderTry;
import dev.relay.schemas.SendOutcome;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.VerificationStatus;
import dev.relay.scoring.model.RouteKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Joins a {@link Recording} into the replay's two inputs: the verifications started in the range, each
 * with its recorded figures, and every provider try with its receipt and whether its send completed
 * the verification. A verification's history is its latest event (each carries the attempts so far).
 * Tries Relay refused before calling a vendor (a rejection without a vendor code) are no tries, as in
 * scoring. Pure.
 */
public final class RecordedFacts {

  /** The reasons of a provider request that count as a failover (a user's resend does not). */
  static final Set<SendReason> FAILOVER_REASONS =
      Set.of(SendReason.REJECTION, SendReason.TIMEOUT, SendReason.FAILED_RECEIPT, SendReason.CHANNEL_FALLBACK);
  private static final Set<SendReason> LATE_REASONS =
      Set.of(SendReason.TIMEOUT, SendReason.FAILED_RECEIPT, SendReason.CHANNEL_FALLBACK);

  private final List<RecordedVerification> verifications;
  private final List<RouteSend> sends;

  private RecordedFacts(List<RecordedVerification> verifications, List<RouteSend> sends) {
    this.verifications = verifications;
    this.sends = sends;
  }

  public static RecordedFacts of(Recording recording) {
    Map<String, VerificationEvent> latest = latestEvents(recording.events());
    Map<String, DeliveryReceipt> finalReceipts = finalReceipts(recording.receipts());
    Map<String, Attempt> attemptsByKey = new HashMap<>();
    Map<String, VerificationEvent> verificationByKey = new HashMap<>();
    Set<String> ignoring = new HashSet<>();
    for (VerificationEvent event : latest.values()) {
      for (Attempt attempt : event.getAttempts()) {
        attemptsByKey.put(attempt.getIdempotencyKey(), attempt);
        verificationByKey.put(attempt.getIdempotencyKey(), event);
      }
    }
    List<SendResult> tries = vendorTries(recording.sends());
    for (VerificationEvent event : latest.values()) {
      if (ignoredDeliveredCode(event, tries, finalReceipts)) {
        ignoring.add(event.getVerificationId());
      }
    }
    Map<RouteKey, Long> meanPrices = meanPrices(tries);

    List<RecordedVerification> verifications = new ArrayList<>();
    for (VerificationEvent event : latest.values()) {
      if (!event.getCreatedAt().isBefore(recording.from()) && event.getCreatedAt().isBefore(recording.to())) {
        verifications.add(verification(event, ignoring.contains(event.getVerificationId()), meanPrices));
      }
    }
    verifications.sort(Comparator.comparing(RecordedVerification::createdAt).thenComparing(RecordedVerification::id));

    List<RouteSend> sends = new ArrayList<>();
    for (SendResult send : tries) {
      VerificationEvent event = verificationByKey.get(send.getIdempotencyKey());
      Instant started = event == null ? send.getStartedAt() : event.getCreatedAt();
      if (started.isBefore(recording.from()) || !started.isBefore(recording.to())) {
        continue;
      }
      sends.add(routeSend(send, attemptsByKey.get(send.getIdempotencyKey()), finalReceipts));
    }
    sends.sort(Comparator.comparing(RouteSend::startedAt));
    return new RecordedFacts(List.copyOf(verifications), List.copyOf(sends));
  }

  public List<RecordedVerification> verifications() {
    return verifications;
  }

  public List<RouteSend> sends() {
    return sends;
  }

  private static Map<String, VerificationEvent> latestEvents(List<VerificationEvent> events) {
    Map<String, VerificationEvent> latest = new LinkedHashMap<>();
    for (VerificationEvent event : events) {
      latest.merge(event.getVerificationId(), event, (a, b) -> later(a, b) ? a : b);
    }
    return latest;
  }

  private static boolean later(VerificationEvent a, VerificationEvent b) {
    int byTime = a.getOccurredAt().compareTo(b.getOccurredAt());
    return byTime != 0 ? byTime > 0 : a.getAttempts().size() >= b.getAttempts().size();
  }

  /** The first final receipt of each message, by {@code provider/messageId}. */
  private static Map<String, DeliveryReceipt> finalReceipts(List<DeliveryReceipt> receipts) {
    Map<String, DeliveryReceipt> finals = new HashMap<>();
    for (DeliveryReceipt receipt : receipts) {
      if (receipt.getFinalStatus()) {
        finals.merge(messageKey(receipt.getProvider(), receipt.getProviderMessageId()), receipt,
            (a, b) -> a.getOccurredAt().isAfter(b.getOccurredAt()) ? b : a);
      }
    }
    return finals;
  }

  private static String messageKey(String provider, String messageId) {
    return provider + "/" + messageId;
  }

  /** One record per provider try (the sender may report one twice after a restart); Relay's own refusals left out. */
  private static List<SendResult> vendorTries(List<SendResult> results) {
    Map<String, SendResult> tries = new LinkedHashMap<>();
    for (SendResult result : results) {
      boolean refusedByRelay = result.getOutcome() != SendOutcome.ACCEPTED && result.getVendorCode() == null;
      if (!refusedByRelay) {
        tries.putIfAbsent(result.getIdempotencyKey() + "#" + result.getTryIndex(), result);
      }
    }
    return List.copyOf(tries.values());
  }

  private static Map<RouteKey, Long> meanPrices(List<SendResult> tries) {
    Map<RouteKey, long[]> sums = new HashMap<>();
    for (SendResult send : tries) {
      if (send.getOutcome() == SendOutcome.ACCEPTED && send.getPriceMicros() != null) {
        long[] sum = sums.computeIfAbsent(route(send), k -> new long[2]);
        sum[0] += send.getPriceMicros();
        sum[1]++;
      }
    }
    Map<RouteKey, Long> means = new HashMap<>();
    sums.forEach((route, sum) -> means.put(route, sum[0] / sum[1]));
    return means;
  }

  static RouteKey route(SendResult send) {
    return new RouteKey(send.getProvider(), send.getCountry(), send.getChannel());
  }

  /**
   * Whether the person let a code pass that reached them while they surely waited: their first send's
   * was delivered and they never checked. (One who left after a failover's window is not such a person:
   * that failure is the first route's.)
   */
  private static boolean ignoredDeliveredCode(VerificationEvent event, List<SendResult> tries,
      Map<String, DeliveryReceipt> receipts) {
    if (event.getStatus() == VerificationStatus.APPROVED) {
      return false;
    }
    for (Attempt attempt : event.getAttempts()) {
      if (attempt.getAttempt() == 1
          && (attempt.getDeliveryStatus() == DeliveryStatus.DELIVERED || attempt.getDeliveredAt() != null)) {
        return true;
      }
    }
    String firstSend = event.getVerificationId() + "-1";
    for (SendResult send : tries) {
      if (send.getIdempotencyKey().equals(firstSend) && send.getProviderMessageId() != null) {
        DeliveryReceipt receipt = receipts.get(messageKey(send.getProvider(), send.getProviderMessageId()));
        if (receipt != null && receipt.getStatus() == DeliveryStatus.DELIVERED) {
          return true;
        }
      }
    }
    return false;
  }

  private static RecordedVerification verification(VerificationEvent event, boolean ignoring,
      Map<RouteKey, Long> meanPrices) {
    boolean completed = event.getStatus() == VerificationStatus.APPROVED;
    Optional<Duration> timeToVerify = Optional.empty();
    Optional<Duration> reaction = Optional.empty();
    int failovers = 0;
    long cost = 0;
    for (Attempt attempt : event.getAttempts()) {
      if (completed && attempt.getVerifiedAt() != null) {
        timeToVerify = Optional.of(Duration.between(event.getCreatedAt(), attempt.getVerifiedAt()));
        if (attempt.getDeliveredAt() != null && !attempt.getVerifiedAt().isBefore(attempt.getDeliveredAt())) {
          reaction = Optional.of(Duration.between(attempt.getDeliveredAt(), attempt.getVerifiedAt()));
        }
      }
      if (attempt.getProviderTries().isEmpty()) {
        // A history written before every try was kept: the send's reason and its extra tries.
        failovers += (FAILOVER_REASONS.contains(attempt.getReason()) ? 1 : 0) + Math.max(0, attempt.getTries() - 1);
        if (attempt.getOutcome() == SendOutcome.ACCEPTED && attempt.getProvider() != null) {
          cost += price(attempt.getPriceMicros(), new RouteKey(attempt.getProvider(), event.getCountry(), attempt.getChannel()), meanPrices);
        }
      }
      for (ProviderTry providerTry : attempt.getProviderTries()) {
        if (FAILOVER_REASONS.contains(providerTry.getReason())) {
          failovers++;
        }
        if (providerTry.getOutcome() == SendOutcome.ACCEPTED) {
          cost += price(providerTry.getPriceMicros(),
              new RouteKey(providerTry.getProvider(), event.getCountry(), providerTry.getChannel()), meanPrices);
        }
      }
    }
    return new RecordedVerification(event.getVerificationId(), event.getCountry().toUpperCase(Locale.ROOT),
        event.getChannel(), event.getCreatedAt(), completed, timeToVerify, failovers, cost, reaction, ignoring);
  }

  /** The vendor's price of the try, else the route's mean reported price, else nothing known (0). */
  private static long price(Long reported, RouteKey route, Map<RouteKey, Long> meanPrices) {
    return reported != null ? reported : meanPrices.getOrDefault(route, 0L);
  }

  private static RouteSend routeSend(SendResult send, Attempt attempt, Map<String, DeliveryReceipt> receipts) {
    boolean accepted = send.getOutcome() == SendOutcome.ACCEPTED;
    boolean first = send.getAttempt() == 1;
    boolean late = !first && (attempt == null || LATE_REASONS.contains(attempt.getReason()));
    Optional<Duration> deliveredAfter = Optional.empty();
    Optional<Duration> failedAfter = Optional.empty();
    if (accepted && send.getProviderMessageId() != null) {
      DeliveryReceipt receipt = receipts.get(messageKey(send.getProvider(), send.getProviderMessageId()));
      if (receipt != null) {
        Duration after = positive(Duration.between(send.getCompletedAt(), receipt.getOccurredAt()));
        if (receipt.getStatus() == DeliveryStatus.DELIVERED) {
          deliveredAfter = Optional.of(after);
        } else {
          failedAfter = Optional.of(after);
        }
      }
    }
    boolean completed = accepted && attempt != null && attempt.getVerifiedAt() != null
        && send.getProvider().equals(attempt.getProvider());
    Optional<Duration> verifiedAfter = completed
        ? Optional.of(positive(Duration.between(send.getCompletedAt(), attempt.getVerifiedAt())))
        : Optional.empty();
    return new RouteSend(route(send), send.getStartedAt(), accepted, Optional.ofNullable(send.getPriceMicros()),
        first, late, completed, deliveredAfter, failedAfter, verifiedAfter);
  }

  private static Duration positive(Duration duration) {
    return duration.isNegative() ? Duration.ZERO : duration;
  }
}
