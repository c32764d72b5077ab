package dev.relay.providers.receipt;

import dev.relay.providers.ProviderResponse;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.DeliveryStatuses;
import java.time.Instant;

/**
 * One vendor delivery receipt, normalized: the canonical status, the message id in the form the send
 * result recorded it (lower case), the client reference when the vendor echoes one, and the recipient
 * as the vendor wrote it with a leading {@code +} (dlr-ingest normalizes it to E.164).
 *
 * @param idempotencyKey the echoed client reference, or {@code null}
 * @param vendorErrorCode the vendor's error code, or {@code null} when it reported none
 * @param occurredAt when the vendor says the status happened, or {@code null} when it does not say
 */
public record Receipt(
    String provider,
    String providerMessageId,
    String idempotencyKey,
    String to,
    DeliveryStatus status,
    String vendorStatus,
    String vendorErrorCode,
    Instant occurredAt) {

  public Receipt {
    providerMessageId = ProviderResponse.normalizeMessageId(providerMessageId);
    idempotencyKey = blankToNull(idempotencyKey);
    vendorErrorCode = blankToNull(vendorErrorCode);
  }

  public boolean finalStatus() {
    return DeliveryStatuses.isFinal(status);
  }

  @Override
  public String toString() {
    // The number is PII: receipts are logged, numbers never are.
    return "Receipt[" + provider + " " + providerMessageId + " " + status + " (" + vendorStatus + ") ref=" + idempotencyKey + "]";
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }
}
