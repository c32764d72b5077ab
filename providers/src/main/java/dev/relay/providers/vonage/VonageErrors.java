package dev.relay.providers.vonage;

import dev.relay.schemas.ErrorCategory;
import java.util.Map;

/**
 * The {@code status} of a Vonage SMS API answer
 * (https://developer.vonage.com/en/messaging/sms/guides/troubleshooting-sms) mapped to what it means
 * for failover. Invalid parameters are our request's fault, so another route may still succeed; only
 * a status about the number itself rules the number out.
 */
public final class VonageErrors {

  static final Map<Integer, ErrorCategory> STATUSES = Map.ofEntries(
      Map.entry(1, ErrorCategory.THROTTLED),            // throttled
      Map.entry(2, ErrorCategory.AUTH_CONFIG),          // missing parameters
      Map.entry(3, ErrorCategory.AUTH_CONFIG),          // invalid parameters (refined below when it is the number)
      Map.entry(4, ErrorCategory.AUTH_CONFIG),          // invalid credentials
      Map.entry(5, ErrorCategory.PROVIDER_ERROR),       // internal error
      Map.entry(6, ErrorCategory.NO_ROUTE),             // invalid message: unroutable prefix
      Map.entry(7, ErrorCategory.UNREACHABLE_NUMBER),   // number barred
      Map.entry(8, ErrorCategory.AUTH_CONFIG),          // partner account barred
      Map.entry(9, ErrorCategory.AUTH_CONFIG),          // partner quota violation (balance)
      Map.entry(10, ErrorCategory.THROTTLED),           // too many existing binds
      Map.entry(11, ErrorCategory.AUTH_CONFIG),         // account not enabled for HTTP
      Map.entry(12, ErrorCategory.PROVIDER_ERROR),      // message too long for Vonage; another route may take it
      Map.entry(14, ErrorCategory.AUTH_CONFIG),         // invalid signature
      Map.entry(15, ErrorCategory.AUTH_CONFIG),         // invalid sender address
      Map.entry(22, ErrorCategory.NO_ROUTE),            // invalid network code
      Map.entry(23, ErrorCategory.AUTH_CONFIG),         // invalid callback URL
      Map.entry(29, ErrorCategory.NO_ROUTE),            // non-whitelisted destination (trial account)
      Map.entry(32, ErrorCategory.AUTH_CONFIG),         // signature and API secret disallowed
      Map.entry(33, ErrorCategory.UNREACHABLE_NUMBER)); // number de-activated

  private VonageErrors() {}

  /**
   * The category of a non-zero {@code messages[0].status}. Status 3 names the parameter in its
   * {@code error-text}; when that parameter is {@code to}, the number itself is invalid.
   */
  public static ErrorCategory categorize(int status, String errorText) {
    if (status == 3 && errorText != null && errorText.toLowerCase(java.util.Locale.ROOT).matches(".*\\bto\\b.*")) {
      return ErrorCategory.INVALID_NUMBER;
    }
    return STATUSES.getOrDefault(status, ErrorCategory.UNKNOWN_ERROR);
  }

  /** An answer without a readable {@code messages} array: the HTTP status decides. */
  public static ErrorCategory categorizeHttp(int httpStatus) {
    if (httpStatus >= 500) {
      return ErrorCategory.PROVIDER_ERROR;
    }
    return switch (httpStatus) {
      case 401, 403 -> ErrorCategory.AUTH_CONFIG;
      case 429 -> ErrorCategory.THROTTLED;
      default -> ErrorCategory.UNKNOWN_ERROR;
    };
  }
}
