package dev.relay.dispatcher.facts;

import dev.relay.schemas.Attempt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.RouteFact;
import dev.relay.schemas.SendOutcome;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.VerificationStatus;
import dev.relay.schemas.serde.AvroSerde;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The fact processors' inputs with the fields a test cares about in front, and their facts told in short. */
final class FactInputs {

  static final String NUMBER = "+4915112345678";

  static {
    // Avro trusts the generated classes (for the copy builders) only once a serde of the contracts exists.
    AvroSerde.of(VerificationEvent.class);
  }

  private FactInputs() {}

  /** A try of attempt 1 of VEtest; a rejection carries the vendor's code, as every vendor answer has. */
  static SendResult tryOf(String provider, SendOutcome outcome, ErrorCategory category, boolean lastTry, Long priceMicros,
      Instant startedAt) {
    return SendResult.newBuilder()
        .setVerificationId("VEtest")
        .setAttempt(1)
        .setIdempotencyKey("VEtest-1")
        .setTryIndex(0)
        .setLastTry(lastTry)
        .setProvider(provider)
        .setChannel(Channel.SMS)
        .setTo(NUMBER)
        .setCountry("DE")
        .setOutcome(outcome)
        .setErrorCategory(category)
        .setVendorCode(outcome == SendOutcome.REJECTED ? "vendor-" + category.name().toLowerCase(Locale.ROOT) : null)
        .setProviderMessageId(outcome == SendOutcome.ACCEPTED ? "m-" + provider : null)
        .setPriceMicros(priceMicros)
        .setStartedAt(startedAt)
        .setCompletedAt(startedAt.plusMillis(150))
        .build();
  }

  /** Attempt {@code number} of VEtest as an event lists it; accepted unless it names no provider. */
  static Attempt sent(int number, SendReason reason, String provider, Channel channel, Instant dispatchedAt) {
    return Attempt.newBuilder()
        .setAttempt(number)
        .setIdempotencyKey("VEtest-" + number)
        .setChannel(channel)
        .setReason(reason)
        .setProvider(provider)
        .setOutcome(provider == null ? SendOutcome.REJECTED : SendOutcome.ACCEPTED)
        .setDispatchedAt(dispatchedAt)
        .setSubmittedAt(provider == null ? null : dispatchedAt.plusMillis(100))
        .build();
  }

  static Attempt verified(Attempt attempt, Instant verifiedAt) {
    return Attempt.newBuilder(attempt).setVerifiedAt(verifiedAt).build();
  }

  static VerificationEvent event(String verificationId, VerificationStatus status, List<Attempt> attempts, Instant at) {
    return VerificationEvent.newBuilder()
        .setVerificationId(verificationId)
        .setTo(NUMBER)
        .setCountry("DE")
        .setChannel(Channel.SMS)
        .setStatus(status)
        .setReason(status.name().toLowerCase(Locale.ROOT))
        .setAttempts(attempts)
        .setCreatedAt(at.minusSeconds(30))
        .setOccurredAt(at)
        .build();
  }

  /** A fact in short: its kind and the fields its kind uses, as {@code TRIED accepted price=8000 first}. */
  static String told(RouteFact fact) {
    List<String> parts = new ArrayList<>(List.of(fact.getKind().name()));
    switch (fact.getKind()) {
      case TRIED -> {
        parts.add(fact.getAccepted() ? "accepted" : "rejected");
        if (fact.getPriceMicros() != null) {
          parts.add("price=" + fact.getPriceMicros());
        }
      }
      case DELIVERY -> parts.add(fact.getDelivered() ? "delivered" : "undelivered");
      case FAILOVER -> parts.add(String.valueOf(fact.getReason()));
      case EXCUSED -> parts.add(fact.getReceiptPending() ? "receipt-pending" : "receipt-counted");
      default -> { }
    }
    if (fact.getFirstSend()) {
      parts.add("first");
    }
    return String.join(" ", parts);
  }
}
