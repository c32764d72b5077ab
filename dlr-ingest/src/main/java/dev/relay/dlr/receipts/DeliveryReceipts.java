package dev.relay.dlr.receipts;

import dev.relay.providers.receipt.Receipt;
import dev.relay.schemas.DeliveryReceipt;
import dev.relay.support.phone.PhoneNumbers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;

/** Turns a vendor's normalized receipt into the {@link DeliveryReceipt} event and its key. */
public final class DeliveryReceipts {

  /**
   * Vendors date receipts to the minute (Twilio's RawDlrDoneDate, Vonage's scts): a stamp less than
   * this before we received the receipt says less than our own clock does, and a time to delivery
   * taken from it would come out up to a minute short, often below zero.
   */
  static final Duration VENDOR_CLOCK_PRECISION = Duration.ofMinutes(1);

  private DeliveryReceipts() {}

  /** The record to produce: keyed by the recipient's E.164 number, with its region as the country. */
  public record Keyed(String key, DeliveryReceipt value) {}

  /**
   * @throws dev.relay.support.phone.InvalidPhoneNumberException when the vendor's recipient is not a valid number
   */
  public static Keyed of(Receipt receipt, Instant receivedAt) {
    PhoneNumbers.E164 to = PhoneNumbers.parse(receipt.to());
    DeliveryReceipt value = DeliveryReceipt.newBuilder()
        .setReceiptId(receiptId(receipt))
        .setProvider(receipt.provider())
        .setProviderMessageId(receipt.providerMessageId())
        .setIdempotencyKey(receipt.idempotencyKey())
        .setTo(to.number())
        .setCountry(to.region())
        .setStatus(receipt.status())
        .setFinalStatus(receipt.finalStatus())
        .setVendorStatus(receipt.vendorStatus())
        .setVendorErrorCode(receipt.vendorErrorCode())
        .setOccurredAt(occurredAt(receipt.occurredAt(), receivedAt))
        .setReceivedAt(receivedAt)
        .build();
    return new Keyed(to.number(), value);
  }

  /**
   * When the status happened, as well as we can tell: the vendor's time only for a receipt that
   * reaches us late (a retried callback, a poll), where it is closer to the truth than our clock;
   * otherwise, and for a vendor clock ahead of ours, the moment we received it.
   */
  static Instant occurredAt(Instant vendorTime, Instant receivedAt) {
    boolean late = vendorTime != null && vendorTime.isBefore(receivedAt.minus(VENDOR_CLOCK_PRECISION));
    return late ? vendorTime : receivedAt;
  }

  /**
   * The same for every copy of one vendor event (provider, message id, canonical status), so the
   * vendor's retries and our own re-sends after an ambiguous ack are dropped downstream.
   */
  public static String receiptId(Receipt receipt) {
    String identity = receipt.provider() + "\n" + receipt.providerMessageId() + "\n" + receipt.status().name();
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
      return "DR" + Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 18));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }
}
