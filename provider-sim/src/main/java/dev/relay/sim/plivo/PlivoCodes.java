package dev.relay.sim.plivo;

import java.util.Map;
import java.util.Optional;

/**
 * Plivo's codes as the simulator renders them. A refused send is an HTTP status with an {@code error}
 * sentence (Plivo's Message API has no numeric send codes); a failed delivery is one of Plivo's SMS
 * error codes (https://www.plivo.com/docs/messaging/troubleshooting/error-codes), reported with
 * {@code failed} when Plivo could not hand the message to a carrier and {@code undelivered} when the
 * carrier or the handset did not take it.
 */
final class PlivoCodes {

  static final String DELIVERED_ERROR_CODE = "000";

  private static final Map<Integer, String> SEND_ERRORS = Map.of(
      400, "invalid dst parameter: the destination number is not a valid phone number",
      401, "authentication failed",
      402, "insufficient credit to send the message",
      403, "messages to the destination country are not enabled for this account",
      429, "too many requests",
      500, "internal server error",
      503, "service unavailable");

  private static final Map<Integer, String> DELIVERY_ERRORS = Map.ofEntries(
      Map.entry(10, "failed"),        // invalid message
      Map.entry(20, "undelivered"),   // network error
      Map.entry(30, "failed"),        // spam detected
      Map.entry(40, "failed"),        // invalid source number
      Map.entry(50, "undelivered"),   // invalid destination number
      Map.entry(60, "undelivered"),   // loop detected
      Map.entry(70, "undelivered"),   // destination permanently unavailable
      Map.entry(80, "undelivered"),   // destination temporarily unavailable
      Map.entry(90, "failed"),        // no route available
      Map.entry(100, "undelivered"),  // prohibited by carrier
      Map.entry(110, "failed"),       // message too long
      Map.entry(200, "failed"),       // source number blocked by STOP from the destination
      Map.entry(300, "failed"),       // failed to dispatch message
      Map.entry(420, "undelivered"),  // message expired
      Map.entry(900, "failed"),       // insufficient credit
      Map.entry(1000, "undelivered")); // unknown error

  private PlivoCodes() {}

  /** The error sentence an HTTP status answers with, for the statuses the simulator can refuse a send with. */
  static Optional<String> sendError(int httpStatus) {
    return Optional.ofNullable(SEND_ERRORS.get(httpStatus));
  }

  static boolean isDeliveryError(int errorCode) {
    return DELIVERY_ERRORS.containsKey(errorCode);
  }

  /** {@code failed} or {@code undelivered}. */
  static String deliveryState(int errorCode) {
    return DELIVERY_ERRORS.getOrDefault(errorCode, "undelivered");
  }
}
