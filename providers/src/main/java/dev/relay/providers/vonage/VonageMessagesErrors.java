package dev.relay.providers.vonage;

import dev.relay.schemas.ErrorCategory;
import java.util.Map;

/**
 * The error codes of Vonage's Messages API (https://developer.vonage.com/en/api-errors/messages), in
 * a refused send's problem {@code type} ({@code ...#1020}) and in a status webhook's {@code error.title},
 * mapped to what they mean for failover. A WhatsApp code about the recipient (not on WhatsApp, not a
 * valid recipient for the channel) rules out WhatsApp only: an SMS or a call may still reach the number.
 */
public final class VonageMessagesErrors {

  /** The recipient is not a user of the provider's network: for WhatsApp, not on WhatsApp. */
  public static final int NOT_ON_PROVIDER_NETWORK = 1300;

  static final Map<Integer, ErrorCategory> CODES = Map.ofEntries(
      Map.entry(1000, ErrorCategory.THROTTLED),          // throttled
      Map.entry(1010, ErrorCategory.AUTH_CONFIG),        // missing params
      Map.entry(1020, ErrorCategory.AUTH_CONFIG),        // invalid params
      Map.entry(1022, ErrorCategory.AUTH_CONFIG),        // invalid template or template parameters
      Map.entry(1030, ErrorCategory.PROVIDER_ERROR),     // internal error
      Map.entry(1040, ErrorCategory.INVALID_NUMBER),     // invalid message: unrecognised prefix of the number
      Map.entry(1050, ErrorCategory.UNREACHABLE_NUMBER), // number barred
      Map.entry(1060, ErrorCategory.AUTH_CONFIG),        // partner account barred
      Map.entry(1070, ErrorCategory.AUTH_CONFIG),        // partner quota exceeded (credit)
      Map.entry(1120, ErrorCategory.AUTH_CONFIG),        // illegal sender address
      Map.entry(1160, ErrorCategory.NO_ROUTE),           // non-whitelisted destination
      Map.entry(1170, ErrorCategory.INVALID_NUMBER),     // invalid or missing msisdn
      Map.entry(1230, ErrorCategory.PROVIDER_ERROR),     // network error
      Map.entry(1240, ErrorCategory.OPTED_OUT),          // illegal number: the user opted out
      Map.entry(1250, ErrorCategory.NO_ROUTE),           // unroutable
      Map.entry(1251, ErrorCategory.NO_ROUTE),           // unable to route to the destination
      Map.entry(1260, ErrorCategory.NO_ROUTE),           // destination unreachable on this channel
      Map.entry(NOT_ON_PROVIDER_NETWORK, ErrorCategory.NO_ROUTE), // not part of the provider network: not on WhatsApp
      Map.entry(1310, ErrorCategory.NO_ROUTE),           // the device cannot receive the message
      Map.entry(1331, ErrorCategory.PROVIDER_ERROR),     // provider error
      Map.entry(1340, ErrorCategory.AUTH_CONFIG),        // outside the allowed window: a template is needed
      Map.entry(1360, ErrorCategory.TIMEOUT),            // TTL passed before delivery
      Map.entry(1400, ErrorCategory.AUTH_CONFIG),        // unsupported channel
      Map.entry(1410, ErrorCategory.AUTH_CONFIG),        // invalid channel parameters
      Map.entry(1420, ErrorCategory.AUTH_CONFIG),        // invalid sender for the channel
      Map.entry(1430, ErrorCategory.NO_ROUTE),           // invalid recipient for the channel
      Map.entry(1440, ErrorCategory.AUTH_CONFIG),        // invalid message type for the channel
      Map.entry(1460, ErrorCategory.THROTTLED),          // daily message limit exceeded
      Map.entry(1470, ErrorCategory.NO_ROUTE));          // Fraud Defender: prefix on the block list

  private VonageMessagesErrors() {}

  /** The category of a Messages API error code; unknown codes are UNKNOWN_ERROR. */
  public static ErrorCategory categorize(int code) {
    return CODES.getOrDefault(code, ErrorCategory.UNKNOWN_ERROR);
  }

  /** A refusal whose body names no code: the HTTP status decides. */
  public static ErrorCategory categorizeHttp(int httpStatus) {
    if (httpStatus >= 500) {
      return ErrorCategory.PROVIDER_ERROR;
    }
    return switch (httpStatus) {
      case 401, 402, 403 -> ErrorCategory.AUTH_CONFIG;
      case 429 -> ErrorCategory.THROTTLED;
      default -> ErrorCategory.UNKNOWN_ERROR;
    };
  }

  /** The code in a problem {@code type} URL ({@code https://developer.vonage.com/api-errors/messages#1020}), or null. */
  static Integer codeOfType(String type) {
    if (type == null) {
      return null;
    }
    int hash = type.lastIndexOf('#');
    return hash < 0 ? null : parse(type.substring(hash + 1));
  }

  static Integer parse(String code) {
    if (code == null) {
      return null;
    }
    try {
      return Integer.valueOf(code.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
