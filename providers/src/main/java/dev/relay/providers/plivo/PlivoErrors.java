package dev.relay.providers.plivo;

import dev.relay.schemas.ErrorCategory;
import java.util.Locale;

/**
 * What a rejected Plivo send means for failover. Plivo's Message API answers errors with an HTTP
 * status and an {@code error} text, not a numeric code
 * (https://www.plivo.com/docs/sms/api/overview/#errors): the status decides, and a 400 whose text
 * names the destination ({@code dst}) is about the number.
 */
public final class PlivoErrors {

  private PlivoErrors() {}

  public static ErrorCategory categorize(int httpStatus, String error) {
    if (httpStatus >= 500) {
      return ErrorCategory.PROVIDER_ERROR;
    }
    return switch (httpStatus) {
      case 400 -> namesDestination(error) ? ErrorCategory.INVALID_NUMBER : ErrorCategory.AUTH_CONFIG;
      // 401 wrong credentials, 402 out of credit, 403 account or feature disabled, 404 wrong Auth ID
      case 401, 402, 403, 404 -> ErrorCategory.AUTH_CONFIG;
      case 429 -> ErrorCategory.THROTTLED;
      default -> ErrorCategory.UNKNOWN_ERROR;
    };
  }

  private static boolean namesDestination(String error) {
    if (error == null) {
      return false;
    }
    String text = error.toLowerCase(Locale.ROOT);
    return text.contains("dst") || text.contains("destination");
  }
}
