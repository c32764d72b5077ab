package dev.relay.scoring.replay;

import dev.relay.schemas.Attempt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.DeliveryReceipt;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.ProviderTry;
import dev.relay.schemas.SendOutcome;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.VerificationStatus;
import dev.relay.schemas.serde.AvroSerde;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A recorded week in miniature, written as the services write it: DE verifications at a steady pace, routed
 * twilio first and vonage after the 30 s window, as the dispatcher did with the table {@code twilio,vonage}.
 * Twilio loses half its messages (no receipt) in {@link #DROP_HOUR}. 90 % of people check a code that
 * reaches them (5-15 s after delivery), the rest never do; after a failover 60 % still wait.
 */
final class RecordedWorld {

  static final Instant START = Instant.parse("2026-11-30T10:00:00Z");
  static final int DROP_HOUR = 11;
  static final Duration WINDOW = Duration.ofSeconds(30);
  static final Duration EXPIRY = Duration.ofMinutes(10);
  static final long TWILIO_PRICE = 7_000;
  static final long VONAGE_PRICE = 8_000;

  static {
    AvroSerde.of(VerificationEvent.class);
  }

  final List<VerificationEvent> events = new ArrayList<>();
  final List<SendResult> sends = new ArrayList<>();
  final List<DeliveryReceipt> receipts = new ArrayList<>();
  final List<ProviderScore> scores = new ArrayList<>();
  private final SplittableRandom random;
  private int next;

  RecordedWorld(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** Verifications every {@code every} from {@code from} for {@code hours} hours. */
  RecordedWorld record(Instant from, int hours, Duration every) {
    for (Instant at = from; at.isBefore(from.plus(Duration.ofHours(hours))); at = at.plus(every)) {
      verification(at);
    }
    return this;
  }

  Recording recording(Instant from, Instant to) {
    return new Recording(from, to, events, sends, receipts, scores);
  }

  /** A few sends of another provider in another country: too few for an hour or a range of its own. */
  RecordedWorld fewSends(String provider, String country, int count, Instant at) {
    for (int i = 0; i < count; i++) {
      String id = "VEfew" + (next++);
      Instant sent = at.plusSeconds(i);
      sends.add(send(id, 1, provider, country, SendOutcome.ACCEPTED, sent, 5_000L, id + "-m"));
    }
    return this;
  }

  /** Tries of a provider that rejected every one (a retryable vendor error), spread over the range. */
  RecordedWorld rejecting(String provider, Instant from, int count, Duration every) {
    for (int i = 0; i < count; i++) {
      String id = "VErej" + (next++);
      sends.add(send(id, 1, provider, "DE", SendOutcome.REJECTED, from.plus(every.multipliedBy(i)), null, null));
    }
    return this;
  }

  private void verification(Instant createdAt) {
    String id = "VE" + (next++);
    boolean checks = random.nextDouble() < 0.9;
    Duration reaction = Duration.ofMillis(5_000 + random.nextInt(10_000));
    boolean dropHour = createdAt.atZone(ZoneOffset.UTC).getHour() == DROP_HOUR;
    List<Attempt> attempts = new ArrayList<>();
    Instant verifiedAt = null;
    boolean anyDelivered = false;
    String[] route = {"twilio", "vonage"};
    for (int n = 0; n < route.length && verifiedAt == null; n++) {
      String provider = route[n];
      Instant dispatched = createdAt.plus(WINDOW.multipliedBy(n));
      long price = provider.equals("twilio") ? TWILIO_PRICE : VONAGE_PRICE;
      String messageId = id + "-m" + (n + 1);
      SendResult result = send(id, n + 1, provider, "DE", SendOutcome.ACCEPTED, dispatched, price, messageId);
      sends.add(result);
      double deliveryRate = provider.equals("twilio") && dropHour ? 0.5 : 0.97;
      boolean delivered = random.nextDouble() < deliveryRate;
      Instant deliveredAt = delivered ? result.getCompletedAt().plusMillis(2_000 + random.nextInt(2_000)) : null;
      Attempt.Builder attempt = Attempt.newBuilder().setAttempt(n + 1).setIdempotencyKey(id + "-" + (n + 1))
          .setChannel(Channel.SMS).setReason(n == 0 ? SendReason.INITIAL : SendReason.TIMEOUT).setProvider(provider)
          .setProviderMessageId(messageId).setRoutingReason("table").setTries(1).setOutcome(SendOutcome.ACCEPTED)
          .setPriceMicros(price).setDispatchedAt(dispatched).setSubmittedAt(result.getCompletedAt())
          .setProviderTries(List.of(ProviderTry.newBuilder().setTryIndex(0).setProvider(provider).setChannel(Channel.SMS)
              .setReason(n == 0 ? SendReason.INITIAL : SendReason.TIMEOUT).setRoutingReason("table")
              .setOutcome(SendOutcome.ACCEPTED).setPriceMicros(price).setStartedAt(dispatched)
              .setCompletedAt(result.getCompletedAt()).build()));
      if (delivered) {
        anyDelivered = true;
        receipts.add(receipt(provider, messageId, DeliveryStatus.DELIVERED, deliveredAt));
        attempt.setDeliveredAt(deliveredAt).setDeliveryStatus(DeliveryStatus.DELIVERED);
        boolean stillWaiting = n == 0 || random.nextDouble() < 0.6;
        if (checks && stillWaiting) {
          verifiedAt = deliveredAt.plus(reaction);
          attempt.setVerifiedAt(verifiedAt);
        }
      }
      attempts.add(attempt.build());
      if (delivered) {
        break;
      }
    }
    events.add(event(id, createdAt, VerificationStatus.PENDING, List.of(attempts.get(0)), createdAt));
    if (verifiedAt != null) {
      events.add(event(id, createdAt, VerificationStatus.APPROVED, attempts, verifiedAt));
    } else {
      events.add(event(id, createdAt, VerificationStatus.EXPIRED, attempts, createdAt.plus(EXPIRY)));
    }
  }

  static SendResult send(String id, int attempt, String provider, String country, SendOutcome outcome, Instant at,
      Long price, String messageId) {
    return SendResult.newBuilder().setVerificationId(id).setAttempt(attempt).setIdempotencyKey(id + "-" + attempt)
        .setTryIndex(0).setLastTry(true).setProvider(provider).setChannel(Channel.SMS).setTo("+4915112345678")
        .setCountry(country).setOutcome(outcome)
        .setErrorCategory(outcome == SendOutcome.ACCEPTED ? ErrorCategory.NONE : ErrorCategory.THROTTLED)
        .setVendorCode(outcome == SendOutcome.ACCEPTED ? null : "30001")
        .setProviderMessageId(messageId).setPriceMicros(price).setStartedAt(at).setCompletedAt(at.plusMillis(150))
        .setRoutingReason("table").build();
  }

  static DeliveryReceipt receipt(String provider, String messageId, DeliveryStatus status, Instant at) {
    return DeliveryReceipt.newBuilder().setReceiptId(provider + ":" + messageId + ":" + status).setProvider(provider)
        .setProviderMessageId(messageId).setTo("+4915112345678").setCountry("DE").setStatus(status)
        .setFinalStatus(true).setVendorStatus(status.name().toLowerCase(Locale.ROOT))
        .setOccurredAt(at).setReceivedAt(at.plusMillis(20)).build();
  }

  static VerificationEvent event(String id, Instant createdAt, VerificationStatus status, List<Attempt> attempts,
      Instant occurredAt) {
    return VerificationEvent.newBuilder().setVerificationId(id).setTo("+4915112345678").setCountry("DE")
        .setChannel(Channel.SMS).setStatus(status).setAttempts(attempts).setCreatedAt(createdAt)
        .setOccurredAt(occurredAt).build();
  }

  static ProviderScore score(String provider, Instant at, double score, boolean demoted) {
    return ProviderScore.newBuilder().setProvider(provider).setCountry("DE").setChannel(Channel.SMS)
        .setUpdatedAt(at).setScore(score).setTried(100).setDemoted(demoted).build();
  }

  static String table(String... providers) {
    StringBuilder routes = new StringBuilder();
    for (String provider : providers) {
      routes.append(routes.isEmpty() ? "" : ", ").append("{\"provider\": \"").append(provider).append("\"}");
    }
    return "{\"countries\": {\"*\": {\"sms\": [" + routes + "]}}}";
  }
}
