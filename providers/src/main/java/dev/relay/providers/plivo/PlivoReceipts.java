package dev.relay.providers.plivo;

import dev.relay.providers.ProviderKeys;
import dev.relay.providers.receipt.CallbackRequest;
import dev.relay.providers.receipt.MalformedReceiptException;
import dev.relay.providers.receipt.Receipt;
import dev.relay.providers.receipt.ReceiptReader;
import dev.relay.providers.receipt.ReplayGuard;
import dev.relay.schemas.DeliveryStatus;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Plivo message status callbacks (https://www.plivo.com/docs/sms/api/message#message-status-callbacks):
 * {@code MessageUUID}, {@code Status}, {@code To}, {@code ErrorCode}, posted as a form (or a GET query)
 * to the {@code url} given at send, which carries the idempotency key as {@code ref}. Signed with
 * {@link PlivoSignature} (V3: method, full URL, parameters and nonce), and each nonce is taken once
 * within the replay window ({@link ReplayGuard}), so a captured callback can neither be altered nor
 * sent again.
 */
public final class PlivoReceipts implements ReceiptReader {

  /** Every outbound message state Plivo documents. */
  static final Map<String, DeliveryStatus> STATUSES = Map.of(
      "queued", DeliveryStatus.QUEUED,
      "sent", DeliveryStatus.SENT,
      "delivered", DeliveryStatus.DELIVERED,
      // read (WhatsApp) implies delivered.
      "read", DeliveryStatus.DELIVERED,
      "undelivered", DeliveryStatus.UNDELIVERED,
      "failed", DeliveryStatus.FAILED,
      "rejected", DeliveryStatus.REJECTED,
      // inbound messages only: never a receipt of ours.
      "received", DeliveryStatus.UNKNOWN_DELIVERY);

  private final PlivoSignature signature;
  private final ReplayGuard nonces;

  public PlivoReceipts(PlivoSignature signature, ReplayGuard nonces) {
    this.signature = signature;
    this.nonces = nonces;
  }

  @Override
  public String provider() {
    return ProviderKeys.PLIVO;
  }

  @Override
  public boolean verify(CallbackRequest request) {
    Map<String, String> body;
    try {
      body = request.isPost() ? request.form() : Map.of();
    } catch (IllegalArgumentException malformedEscape) {
      return false;
    }
    String nonce = request.header(PlivoSignature.NONCE_HEADER);
    // The nonce is claimed only once the signature holds: nobody else can use up Plivo's nonces.
    return signature.verify(request.method(), request.publicUrl(), body, nonce, request.header(PlivoSignature.SIGNATURE_HEADER))
        && nonces.claim(nonce);
  }

  @Override
  public void release(CallbackRequest request) {
    String nonce = request.header(PlivoSignature.NONCE_HEADER);
    if (nonce != null) {
      nonces.release(nonce);
    }
  }

  @Override
  public List<Receipt> read(CallbackRequest request) {
    Map<String, String> params = request.isPost() ? request.form() : request.query();
    // A long text is sent in parts; every part's callback names the first part, whose id the send recorded.
    String messageId = firstNonBlank(params.get("ParentMessageUUID"), params.get("MessageUUID"));
    String vendorStatus = params.get("Status");
    String to = params.get("To");
    if (messageId == null || vendorStatus == null || vendorStatus.isBlank() || to == null || to.isBlank()) {
      throw new MalformedReceiptException("a Plivo status callback carries MessageUUID, Status and To");
    }
    String status = vendorStatus.trim().toLowerCase(Locale.ROOT);
    String errorCode = params.get("ErrorCode");
    return List.of(new Receipt(ProviderKeys.PLIVO, messageId, request.query().get("ref"), "+" + to.trim().replaceFirst("^\\+", ""),
        statusOf(status), status, "000".equals(errorCode) || "0".equals(errorCode) ? null : errorCode, null));
  }

  static DeliveryStatus statusOf(String vendorStatus) {
    return STATUSES.getOrDefault(vendorStatus, DeliveryStatus.UNKNOWN_DELIVERY);
  }

  private static String firstNonBlank(String... values) {
    for (String value : values) {
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    return null;
  }
}
