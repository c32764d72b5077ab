package dev.relay.providers.twilio;

import dev.relay.schemas.ErrorCategory;
import java.util.Map;

/**
 * Twilio's error codes (https://www.twilio.com/docs/api/errors) mapped to what they mean for
 * failover: a code about the number rules the number out on every route; a code about our account,
 * our sender or Twilio's capacity moves to the next route. Any 5xx is PROVIDER_ERROR whatever its code.
 */
public final class TwilioErrors {

  static final Map<Integer, ErrorCategory> CODES = Map.ofEntries(
      // account, credentials, configuration
      Map.entry(20003, ErrorCategory.AUTH_CONFIG),       // authentication failed
      Map.entry(20005, ErrorCategory.AUTH_CONFIG),       // account not active
      Map.entry(20404, ErrorCategory.AUTH_CONFIG),       // resource not found: wrong account SID
      Map.entry(21205, ErrorCategory.AUTH_CONFIG),       // invalid callback URL
      Map.entry(21210, ErrorCategory.AUTH_CONFIG),       // caller id (From) not verified
      Map.entry(21212, ErrorCategory.AUTH_CONFIG),       // invalid caller id
      Map.entry(21602, ErrorCategory.AUTH_CONFIG),       // message body required
      Map.entry(21606, ErrorCategory.AUTH_CONFIG),       // From is not a valid, SMS-capable Twilio number
      Map.entry(21608, ErrorCategory.AUTH_CONFIG),       // trial account: To is not verified
      Map.entry(21659, ErrorCategory.AUTH_CONFIG),       // From is not a Twilio number
      Map.entry(21660, ErrorCategory.AUTH_CONFIG),       // From does not belong to the account
      Map.entry(30002, ErrorCategory.AUTH_CONFIG),       // account suspended
      Map.entry(30010, ErrorCategory.AUTH_CONFIG),       // message price exceeds max price
      // throttling
      Map.entry(14107, ErrorCategory.THROTTLED),         // SMS send rate limit exceeded
      Map.entry(20429, ErrorCategory.THROTTLED),         // too many requests
      Map.entry(21611, ErrorCategory.THROTTLED),         // From has too many queued messages
      Map.entry(30001, ErrorCategory.THROTTLED),         // queue overflow
      Map.entry(30022, ErrorCategory.THROTTLED),         // US A2P 10DLC rate limit exceeded
      Map.entry(63018, ErrorCategory.THROTTLED),         // rate limit exceeded for the channel
      // no route through Twilio for this destination
      Map.entry(13227, ErrorCategory.NO_ROUTE),          // voice: no international permission for the destination
      Map.entry(21215, ErrorCategory.NO_ROUTE),          // voice: geo permission not enabled
      Map.entry(21408, ErrorCategory.NO_ROUTE),          // SMS: permission for the region not enabled
      Map.entry(21612, ErrorCategory.NO_ROUTE),          // cannot route from From to To
      Map.entry(30007, ErrorCategory.NO_ROUTE),          // filtered by the carrier
      // the number
      Map.entry(13223, ErrorCategory.INVALID_NUMBER),    // voice: invalid phone number format
      Map.entry(13224, ErrorCategory.INVALID_NUMBER),    // voice: invalid phone number
      Map.entry(21211, ErrorCategory.INVALID_NUMBER),    // invalid To
      Map.entry(21217, ErrorCategory.INVALID_NUMBER),    // phone number does not appear to be valid
      Map.entry(21401, ErrorCategory.INVALID_NUMBER),    // invalid phone number
      Map.entry(30005, ErrorCategory.INVALID_NUMBER),    // unknown destination handset
      Map.entry(21214, ErrorCategory.UNREACHABLE_NUMBER), // To cannot be reached
      Map.entry(21216, ErrorCategory.UNREACHABLE_NUMBER), // voice: number blocked
      Map.entry(21614, ErrorCategory.UNREACHABLE_NUMBER), // To is not a mobile number
      Map.entry(30003, ErrorCategory.UNREACHABLE_NUMBER), // unreachable destination handset
      Map.entry(30006, ErrorCategory.UNREACHABLE_NUMBER), // landline or unreachable carrier
      Map.entry(21610, ErrorCategory.OPTED_OUT),          // To has replied STOP
      Map.entry(30004, ErrorCategory.OPTED_OUT),          // blocked by the recipient
      // Twilio itself
      Map.entry(20500, ErrorCategory.PROVIDER_ERROR),     // internal server error
      Map.entry(20503, ErrorCategory.PROVIDER_ERROR),     // service unavailable
      Map.entry(21617, ErrorCategory.PROVIDER_ERROR),     // body too long for Twilio; another route may take it
      Map.entry(30008, ErrorCategory.PROVIDER_ERROR),     // unknown error
      // WhatsApp (https://www.twilio.com/docs/whatsapp/api/error-code-mapping). A user who is not on
      // WhatsApp can still get an SMS or a call: no WhatsApp code rules the number out.
      Map.entry(63003, ErrorCategory.NO_ROUTE),           // channel could not find the To address: not a WhatsApp user
      Map.entry(63024, ErrorCategory.NO_ROUTE),           // invalid message recipient for the channel
      Map.entry(63032, ErrorCategory.NO_ROUTE),           // WhatsApp does not deliver to this user (experiment)
      Map.entry(63049, ErrorCategory.NO_ROUTE),           // Meta chose not to deliver the message
      Map.entry(63001, ErrorCategory.AUTH_CONFIG),        // channel authentication failed
      Map.entry(63005, ErrorCategory.AUTH_CONFIG),        // channel did not accept the content
      Map.entry(63007, ErrorCategory.AUTH_CONFIG),        // no WhatsApp sender with the From address
      Map.entry(63013, ErrorCategory.AUTH_CONFIG),        // channel policy violation
      Map.entry(63016, ErrorCategory.AUTH_CONFIG),        // free-form message outside the 24 h window: a template is needed
      Map.entry(63027, ErrorCategory.AUTH_CONFIG),        // template does not exist for the language
      Map.entry(63028, ErrorCategory.AUTH_CONFIG),        // template parameters do not match
      Map.entry(63021, ErrorCategory.PROVIDER_ERROR),     // channel invalid content error
      Map.entry(63012, ErrorCategory.PROVIDER_ERROR),     // channel provider returned an internal service error
      Map.entry(63038, ErrorCategory.THROTTLED));         // account exceeded the daily messages limit

  private TwilioErrors() {}

  /**
   * The category of a Twilio error answer.
   *
   * @param code Twilio's error code, or {@code null} when the answer carried none
   */
  public static ErrorCategory categorize(int httpStatus, Integer code) {
    if (httpStatus >= 500) {
      return ErrorCategory.PROVIDER_ERROR;
    }
    if (code != null && CODES.containsKey(code)) {
      return CODES.get(code);
    }
    return switch (httpStatus) {
      case 401, 403, 404 -> ErrorCategory.AUTH_CONFIG;
      case 429 -> ErrorCategory.THROTTLED;
      default -> ErrorCategory.UNKNOWN_ERROR;
    };
  }
}
