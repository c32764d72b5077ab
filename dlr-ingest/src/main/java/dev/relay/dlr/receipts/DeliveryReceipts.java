package dev.relay.dlr.receipts;

import dev.relay.providers.receipt.Receipt;
import dev.relay.schemas.DeliveryReceipt;
import dev.relay.support.phone.PhoneNumbers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;

/** Turns a vendor's normalized receipt into the {@link DeliveryReceipt} event and its key. */
public final class DeliveryReceipts {

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
        .setOccurredAt(receipt.occurredAt() != null ? receipt.occurredAt() : receivedAt)
        .setReceivedAt(receivedAt)
        .build();
    return new Keyed(to.number(), value);
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
