package dev.relay.scoring.testing;

import dev.relay.schemas.Attempt;
import dev.relay.schemas.DeliveryOutcome;
import dev.relay.schemas.DeliveryReceipt;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.DeliveryStatuses;
import dev.relay.schemas.SendOutcome;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.VerificationStatus;
import dev.relay.schemas.topics.ProviderScoreKeys;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * What the dispatcher tells scoring on delivery-outcomes while a scenario's sends, receipts and
 * lifecycle events go by, so scoring's scenarios keep speaking of receipts: an accepted send and its
 * first final receipt, whichever came second, make one outcome; none once the send's delivery window
 * passed (a TIMEOUT after it) or its verification ended unanswered, and none for a send carried out
 * after a later attempt of its verification was dispatched. The dispatcher's own rules are
 * tested where they live ({@code DeliveryOutcomesTopologyTest}); this only feeds scoring the same way.
 */
final class DispatcherOutcomes {

  private static final Set<VerificationStatus> UNANSWERED_ENDS = EnumSet.of(
      VerificationStatus.EXPIRED, VerificationStatus.MAX_ATTEMPTS_REACHED, VerificationStatus.FAILED);

  private final Map<String, SendResult> accepted = new HashMap<>();
  /** The latest attempt each verification's events showed dispatched. */
  private final Map<String, Integer> latestAttempt = new HashMap<>();
  private final Map<String, DeliveryReceipt> receiptsFirst = new HashMap<>();
  private final Set<String> settled = new HashSet<>();
  private final BiConsumer<String, DeliveryOutcome> sink;

  /** @param sink takes each outcome with its key, the route; the caller pipes it at the time it chooses */
  DispatcherOutcomes(BiConsumer<String, DeliveryOutcome> sink) {
    this.sink = sink;
  }

  void onSend(SendResult send) {
    if (send.getOutcome() != SendOutcome.ACCEPTED || send.getProviderMessageId() == null) {
      return;
    }
    String key = key(send.getProvider(), send.getProviderMessageId());
    if (latestAttempt.getOrDefault(send.getVerificationId(), 0) > send.getAttempt()) {
      settled.add(key);
    }
    if (accepted.putIfAbsent(key, send) == null && receiptsFirst.containsKey(key)) {
      settle(key, send, receiptsFirst.remove(key));
    }
  }

  void onReceipt(DeliveryReceipt receipt) {
    // The canonical status decides, as the dispatcher's does, not the receipt's own flag.
    if (!DeliveryStatuses.isFinal(receipt.getStatus())) {
      return;
    }
    String key = key(receipt.getProvider(), receipt.getProviderMessageId());
    SendResult send = accepted.get(key);
    if (send == null) {
      receiptsFirst.putIfAbsent(key, receipt);
    } else {
      settle(key, send, receipt);
    }
  }

  void onEvent(VerificationEvent event) {
    event.getAttempts().forEach(attempt ->
        latestAttempt.merge(event.getVerificationId(), attempt.getAttempt(), Math::max));
    for (Attempt attempt : event.getAttempts()) {
      if (attempt.getReason() == SendReason.TIMEOUT) {
        event.getAttempts().stream()
            .filter(previous -> previous.getAttempt() == attempt.getAttempt() - 1)
            .forEach(this::windowPassed);
      }
    }
    if (UNANSWERED_ENDS.contains(event.getStatus())) {
      event.getAttempts().stream()
          .filter(sent -> sent.getProvider() != null && sent.getOutcome() != SendOutcome.REJECTED)
          .max(Comparator.comparingInt(Attempt::getAttempt))
          .ifPresent(this::windowPassed);
    }
  }

  private void windowPassed(Attempt sent) {
    if (sent.getProvider() != null && sent.getProviderMessageId() != null) {
      settled.add(key(sent.getProvider(), sent.getProviderMessageId()));
    }
  }

  private void settle(String key, SendResult send, DeliveryReceipt receipt) {
    if (!settled.add(key)) {
      return;
    }
    boolean delivered = receipt.getStatus() == DeliveryStatus.DELIVERED;
    Long millis = delivered
        ? Math.max(0, receipt.getOccurredAt().toEpochMilli() - send.getStartedAt().toEpochMilli())
        : null;
    DeliveryOutcome outcome = DeliveryOutcome.newBuilder()
        .setProvider(send.getProvider())
        .setCountry(send.getCountry())
        .setChannel(send.getChannel())
        .setVerificationId(send.getVerificationId())
        .setAttempt(send.getAttempt())
        .setStatus(receipt.getStatus())
        .setMillisToDelivery(millis)
        .setSettledAt(receipt.getReceivedAt() != null ? receipt.getReceivedAt() : Instant.EPOCH)
        .build();
    sink.accept(ProviderScoreKeys.key(send.getProvider(), send.getCountry(), send.getChannel()), outcome);
  }

  private static String key(String provider, String messageId) {
    return provider.trim().toLowerCase(Locale.ROOT) + "|" + messageId.trim().toLowerCase(Locale.ROOT);
  }
}
