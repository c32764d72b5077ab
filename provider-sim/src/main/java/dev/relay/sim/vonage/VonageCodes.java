package dev.relay.sim.vonage;

import java.util.Map;
import java.util.Optional;

/**
 * Vonage's SMS API codes: the {@code status} a send answers with its {@code error-text}, and the
 * {@code err-code} a delivery receipt carries with the receipt {@code status} it comes with.
 */
final class VonageCodes {

  static final int THROTTLED = 1;
  static final int MISSING_PARAMS = 2;
  static final int INVALID_PARAMS = 3;
  static final int INVALID_CREDENTIALS = 4;
  static final int INVALID_SIGNATURE = 14;
  static final int INVALID_CALLBACK_URL = 23;
  static final int SIGNATURE_AND_SECRET = 32;

  private static final Map<Integer, String> SEND_STATUS = Map.ofEntries(
      Map.entry(THROTTLED, "Throttled"),
      Map.entry(MISSING_PARAMS, "Missing Parameters"),
      Map.entry(INVALID_PARAMS, "Invalid Parameters"),
      Map.entry(INVALID_CREDENTIALS, "Bad Credentials"),
      Map.entry(5, "Internal Error"),
      Map.entry(6, "Invalid Message"),
      Map.entry(7, "Number Barred"),
      Map.entry(8, "Partner Account Barred"),
      Map.entry(9, "Partner Quota Violation"),
      Map.entry(10, "Too Many Existing Binds"),
      Map.entry(11, "Account Not Enabled For HTTP"),
      Map.entry(12, "Message Too Long"),
      Map.entry(INVALID_SIGNATURE, "Invalid Signature"),
      Map.entry(15, "Invalid Sender Address"),
      Map.entry(22, "Invalid Network Code"),
      Map.entry(INVALID_CALLBACK_URL, "Invalid Callback Url"),
      Map.entry(29, "Non-Whitelisted Destination"),
      Map.entry(SIGNATURE_AND_SECRET, "Signature And API Secret Disallowed"),
      Map.entry(33, "Number De-activated"));

  /**
   * Delivery errors and the receipt status the simulator pairs with each: a handset away for the
   * whole validity period expires, a carrier or user refusal is rejected, the rest failed.
   */
  private static final Map<Integer, String> RECEIPT_STATUS = Map.ofEntries(
      Map.entry(1, "failed"),
      Map.entry(2, "expired"),
      Map.entry(3, "failed"),
      Map.entry(4, "rejected"),
      Map.entry(5, "failed"),
      Map.entry(6, "rejected"),
      Map.entry(7, "expired"),
      Map.entry(8, "failed"),
      Map.entry(9, "rejected"),
      Map.entry(10, "rejected"),
      Map.entry(11, "failed"),
      Map.entry(12, "failed"),
      Map.entry(13, "rejected"),
      Map.entry(14, "rejected"),
      Map.entry(99, "failed"));

  private VonageCodes() {}

  /** A non-zero send status the API can answer; 0 is success, never a rejection. */
  static Optional<String> sendError(int status) {
    return Optional.ofNullable(SEND_STATUS.get(status));
  }

  static boolean isDeliveryError(int errCode) {
    return RECEIPT_STATUS.containsKey(errCode);
  }

  static String receiptStatus(int errCode) {
    return RECEIPT_STATUS.getOrDefault(errCode, "failed");
  }
}
