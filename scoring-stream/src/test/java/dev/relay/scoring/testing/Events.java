package dev.relay.scoring.testing;

import dev.relay.schemas.Attempt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.DeliveryReceipt;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.DeliveryStatuses;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.SendOutcome;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.VerificationStatus;
import dev.relay.schemas.serde.AvroSerde;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** Builders of the scoring inputs with the fields a test cares about in front. */
public final class Events {

  public static final String NUMBER = "+4915112345678";
  public static final String COUNTRY = "DE";

  static {
    // Avro trusts the generated classes (for the deep copies of the copy builders) only once a
    // serde of the contracts exists; a test may build events before any serde.
    AvroSerde.of(VerificationEvent.class);
  }

  private Events() {}

  public static SendResult accepted(String provider, Channel channel, String messageId, Instant startedAt, Long priceMicros) {
    return send(provider, channel, SendOutcome.ACCEPTED, ErrorCategory.NONE, true, messageId, startedAt)
        .setPriceMicros(priceMicros).build();
  }

  public static SendResult accepted(String provider, String messageId, Instant startedAt) {
    return accepted(provider, Channel.SMS, messageId, startedAt, null);
  }

  /**
   * A provider's retryable rejection (with the vendor's code, as every vendor answer has); {@code lastTry}
   * false when the sender moves on to another route.
   */
  public static SendResult rejected(String provider, ErrorCategory category, boolean lastTry, Instant startedAt) {
    return send(provider, Channel.SMS, SendOutcome.REJECTED, category, lastTry, null, startedAt)
        .setVendorCode("vendor-" + category.name().toLowerCase(Locale.ROOT)).build();
  }

  /** A try Relay refused itself before calling any vendor (no vendor code), as the sender reports it. */
  public static SendResult refusedByRelay(String provider, ErrorCategory category, String why, boolean lastTry,
      Instant startedAt) {
    return send(provider, Channel.SMS, SendOutcome.REJECTED, category, lastTry, null, startedAt)
        .setVendorMessage(why).build();
  }

  private static SendResult.Builder send(String provider, Channel channel, SendOutcome outcome,
      ErrorCategory category, boolean lastTry, String messageId, Instant startedAt) {
    return SendResult.newBuilder()
        .setVerificationId("VEtest")
        .setAttempt(1)
        .setIdempotencyKey("VEtest-1")
        .setTryIndex(0)
        .setLastTry(lastTry)
        .setProvider(provider)
        .setChannel(channel)
        .setTo(NUMBER)
        .setCountry(COUNTRY)
        .setOutcome(outcome)
        .setErrorCategory(category)
        .setProviderMessageId(messageId)
        .setStartedAt(startedAt)
        .setCompletedAt(startedAt.plusMillis(150));
  }

  public static DeliveryReceipt receipt(String provider, String messageId, DeliveryStatus status, Instant occurredAt) {
    return DeliveryReceipt.newBuilder()
        .setReceiptId(provider + ":" + messageId + ":" + status)
        .setProvider(provider)
        .setProviderMessageId(messageId)
        .setTo(NUMBER)
        .setCountry(COUNTRY)
        .setStatus(status)
        .setFinalStatus(DeliveryStatuses.isFinal(status))
        .setVendorStatus(status.name().toLowerCase(Locale.ROOT))
        .setOccurredAt(occurredAt)
        .setReceivedAt(occurredAt.plusMillis(20))
        .build();
  }

  public static Attempt attempt(int number, SendReason reason, String provider, Channel channel, Instant dispatchedAt) {
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

  public static Attempt verified(Attempt attempt, Instant verifiedAt) {
    return Attempt.newBuilder(attempt).setVerifiedAt(verifiedAt).build();
  }

  public static VerificationEvent event(String verificationId, VerificationStatus status, VerificationStatus previous,
      String reason, List<Attempt> attempts, Instant occurredAt) {
    return VerificationEvent.newBuilder()
        .setVerificationId(verificationId)
        .setTo(NUMBER)
        .setCountry(COUNTRY)
        .setChannel(Channel.SMS)
        .setStatus(status)
        .setPreviousStatus(previous)
        .setReason(reason)
        .setAttempts(attempts)
        .setCreatedAt(occurredAt.minusSeconds(30))
        .setOccurredAt(occurredAt)
        .build();
  }
}
