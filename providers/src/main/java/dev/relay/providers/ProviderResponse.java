package dev.relay.providers;

import dev.relay.schemas.ErrorCategory;
import java.util.Locale;

/**
 * A vendor's answer to one send: accepted with its message id, or rejected with a category (retryable
 * on another route, or permanent for this number) and the vendor's own code and text.
 *
 * @param providerMessageId normalized to lower case, so receipts match whatever case the vendor echoes
 */
public record ProviderResponse(
    boolean accepted,
    String providerMessageId,
    ErrorCategory category,
    String vendorCode,
    String vendorMessage,
    Long priceMicros) {

  public static ProviderResponse accepted(String providerMessageId, Long priceMicros) {
    return new ProviderResponse(true, normalizeMessageId(providerMessageId), ErrorCategory.NONE, null, null, priceMicros);
  }

  public static ProviderResponse rejected(ErrorCategory category, String vendorCode, String vendorMessage) {
    return new ProviderResponse(false, null, category, vendorCode, vendorMessage, null);
  }

  /** Whether this rejection rules the number out on every route (invalid, unreachable, opted out). */
  public boolean permanentForNumber() {
    return !accepted && ErrorCategories.isPermanentForNumber(category);
  }

  public static String normalizeMessageId(String id) {
    return id == null ? null : id.trim().toLowerCase(Locale.ROOT);
  }
}
