package dev.relay.scoring.topology;

import dev.relay.schemas.DeliveryStatus;
import dev.relay.scoring.model.EarlyReceipt;
import dev.relay.scoring.model.RouteKey;
import dev.relay.scoring.model.ScoreFact;
import dev.relay.scoring.model.SentMessage;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Pairs each accepted send with its first final delivery receipt, whichever arrives first: the
 * receipt has no channel and no send time, the send result has both. A message is counted once:
 * duplicate receipts (vendor retries) and later contradicting ones change nothing.
 */
final class DeliveryMatcher {

  /** Receipt statuses that end a message's delivery; every other status is intermediate and ignored. */
  static final Set<DeliveryStatus> FINAL_STATUSES = EnumSet.of(
      DeliveryStatus.DELIVERED, DeliveryStatus.UNDELIVERED, DeliveryStatus.FAILED,
      DeliveryStatus.REJECTED, DeliveryStatus.EXPIRED);

  /** A receipt matched to its send: the route to credit and what to count. */
  record Matched(RouteKey route, ScoreFact.Delivery delivery) {}

  /** A send whose delivery window Relay interrupted: when it was counted, and whether no final receipt was counted for it. */
  record Interrupted(long countedAt, boolean receiptPending) {}

  private final WindowStore<String, SentMessage> sentMessages;
  private final WindowStore<String, EarlyReceipt> earlyReceipts;
  private final Duration horizon;

  DeliveryMatcher(WindowStore<String, SentMessage> sentMessages, WindowStore<String, EarlyReceipt> earlyReceipts,
      Duration horizon) {
    this.sentMessages = sentMessages;
    this.earlyReceipts = earlyReceipts;
    this.horizon = horizon;
  }

  /** Store key of one provider message; both sides normalize the same way whatever the vendor echoes. */
  static String messageKey(String provider, String providerMessageId) {
    return provider.trim().toLowerCase(Locale.ROOT) + "|" + providerMessageId.trim().toLowerCase(Locale.ROOT);
  }

  /** An accepted send: the delivery to count now when its receipt came first, else empty. */
  Optional<ScoreFact.Delivery> onAccepted(RouteKey route, String messageKey, long startedAt, long timestamp) {
    if (TtlStores.latest(sentMessages, messageKey, timestamp, horizon) != null) {
      // The same provider message reported twice: the first send result stands.
      return Optional.empty();
    }
    KeyValue<Long, EarlyReceipt> early = TtlStores.latest(earlyReceipts, messageKey, timestamp, horizon);
    if (early == null) {
      sentMessages.put(messageKey, new SentMessage(route, startedAt, false), timestamp);
      return Optional.empty();
    }
    // The early receipt is left to expire, not deleted (see TtlStores): the settled send answers for the message now.
    sentMessages.put(messageKey, new SentMessage(route, startedAt, true), timestamp);
    return Optional.of(delivery(early.value.status(), early.value.occurredAt(), startedAt));
  }

  /** A final receipt: the delivery to count when its send is known and not yet settled, else empty. */
  Optional<Matched> onFinalReceipt(String messageKey, DeliveryStatus status, long occurredAt, long timestamp) {
    KeyValue<Long, SentMessage> sent = TtlStores.latest(sentMessages, messageKey, timestamp, horizon);
    if (sent == null) {
      if (TtlStores.latest(earlyReceipts, messageKey, timestamp, horizon) == null) {
        earlyReceipts.put(messageKey, new EarlyReceipt(status, occurredAt), timestamp);
      }
      return Optional.empty();
    }
    if (sent.value.settled()) {
      return Optional.empty();
    }
    sentMessages.put(messageKey, sent.value.settle(), sent.key);
    return Optional.of(new Matched(sent.value.route(), delivery(status, occurredAt, sent.value.startedAt())));
  }

  /**
   * The dispatcher gave up waiting for the message's receipt (its delivery window passed): a message
   * silently lost is a delivery failure of its route, counted now unless a final receipt was counted
   * already. A receipt arriving later counts nothing.
   */
  Optional<Matched> onDeliveryWindowPassed(String messageKey, long timestamp) {
    KeyValue<Long, SentMessage> sent = TtlStores.latest(sentMessages, messageKey, timestamp, horizon);
    if (sent == null || sent.value.settled()) {
      return Optional.empty();
    }
    sentMessages.put(messageKey, sent.value.settle(), sent.key);
    return Optional.of(new Matched(sent.value.route(), new ScoreFact.Delivery(false, OptionalLong.empty())));
  }

  /**
   * Relay itself interrupted the message's delivery window (it was down): whatever receipt it would
   * have had is not the route's to answer for, so the message is settled without counting. Tells
   * when the send was counted, so its excuse lands in the same pane, and whether its receipt was still pending.
   */
  Optional<Interrupted> onInterrupted(String messageKey, long timestamp) {
    KeyValue<Long, SentMessage> sent = TtlStores.latest(sentMessages, messageKey, timestamp, horizon);
    if (sent == null) {
      return Optional.empty();
    }
    if (!sent.value.settled()) {
      sentMessages.put(messageKey, sent.value.settle(), sent.key);
    }
    return Optional.of(new Interrupted(sent.key, !sent.value.settled()));
  }

  private static ScoreFact.Delivery delivery(DeliveryStatus status, long occurredAt, long startedAt) {
    boolean delivered = status == DeliveryStatus.DELIVERED;
    // Provider clocks are not ours: a receipt dated before the call counts as instant, not negative.
    return new ScoreFact.Delivery(delivered,
        delivered ? OptionalLong.of(Math.max(0, occurredAt - startedAt)) : OptionalLong.empty());
  }
}
