package dev.relay.sim.twilio;

import dev.relay.sim.route.SimChannel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Twilio's error codes as its API and its callbacks report them: the code, the HTTP status the REST
 * API answers with, and the message ({@code %s} is the {@code To} number). The send rejections are
 * the ones a route can be told to answer; the delivery errors the ones a failed delivery reports.
 */
final class TwilioErrors {

  record ApiError(int code, int httpStatus, String message) {

    String render(String to) {
      return message.contains("%s") ? String.format(message, to) : message;
    }
  }

  static final int AUTHENTICATE = 20003;
  static final int NOT_FOUND = 20404;
  static final int SERVICE_UNAVAILABLE = 20503;
  static final int INVALID_TO = 21211;
  static final int MISSING_TO_MESSAGE = 21604;
  static final int MISSING_FROM_MESSAGE = 21603;
  static final int MISSING_BODY = 21602;
  static final int BODY_TOO_LONG = 21617;
  static final int INVALID_STATUS_CALLBACK = 21609;
  static final int MISSING_TO_CALL = 21201;
  static final int MISSING_FROM_CALL = 21213;
  static final int INVALID_CALL_URL = 21205;

  private static final Map<Integer, ApiError> MESSAGE_REJECTIONS = table(
      new ApiError(20429, 429, "Too Many Requests"),
      new ApiError(20500, 500, "Internal Server Error"),
      new ApiError(SERVICE_UNAVAILABLE, 503, "Service Unavailable"),
      new ApiError(INVALID_TO, 400, "The 'To' number %s is not a valid phone number."),
      new ApiError(21408, 400,
          "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: %s."),
      new ApiError(21610, 400, "Attempt to send to unsubscribed recipient"),
      new ApiError(21612, 400, "The 'To' phone number: %s, is not currently reachable via SMS."),
      new ApiError(21614, 400, "'To' number is not a valid mobile number"),
      new ApiError(63018, 429, "Rate limit exceeded for Channel"));

  private static final Map<Integer, ApiError> CALL_REJECTIONS = table(
      new ApiError(20429, 429, "Too Many Requests"),
      new ApiError(20500, 500, "Internal Server Error"),
      new ApiError(SERVICE_UNAVAILABLE, 503, "Service Unavailable"),
      new ApiError(INVALID_TO, 400, "The 'To' number %s is not a valid phone number."),
      new ApiError(21215, 400, "Account not authorized to call %s. Perhaps you need to enable some international"
          + " permissions: https://www.twilio.com/console/voice/calls/geo-permissions/low-risk"),
      new ApiError(21217, 400, "Phone number does not appear to be valid"));

  /** Message delivery errors: the text Twilio gives, and whether the status is failed rather than undelivered. */
  record DeliveryError(int code, String message, boolean failed) {}

  private static final Map<Integer, DeliveryError> MESSAGE_DELIVERY_ERRORS = new LinkedHashMap<>();

  static {
    for (DeliveryError error : new DeliveryError[] {
        new DeliveryError(30001, "Queue overflow", true),
        new DeliveryError(30002, "Account suspended", true),
        new DeliveryError(30003, "Unreachable destination handset", false),
        new DeliveryError(30004, "Message blocked", false),
        new DeliveryError(30005, "Unknown destination handset", false),
        new DeliveryError(30006, "Landline or unreachable carrier", false),
        new DeliveryError(30007, "Message filtered", false),
        new DeliveryError(30008, "Unknown error", false),
        new DeliveryError(30010, "Message price exceeds max price", true),
        new DeliveryError(30034, "Message from an unregistered number", false)}) {
      MESSAGE_DELIVERY_ERRORS.put(error.code(), error);
    }
  }

  /**
   * WhatsApp delivery errors (https://www.twilio.com/docs/whatsapp/api/error-code-mapping): Twilio
   * accepts the message and reports these in the status callback, always as failed.
   */
  private static final Map<Integer, DeliveryError> WHATSAPP_DELIVERY_ERRORS = new LinkedHashMap<>();

  /** The user has no WhatsApp account. */
  static final int NOT_ON_WHATSAPP = 63003;

  static {
    for (DeliveryError error : new DeliveryError[] {
        new DeliveryError(NOT_ON_WHATSAPP, "Channel could not find To address", true),
        new DeliveryError(63016, "Failed to send freeform message because you are outside the allowed window", true),
        new DeliveryError(63024, "Invalid message recipient", true),
        new DeliveryError(63032, "We cannot send this message to this user because of a WhatsApp limitation", true),
        new DeliveryError(63049, "Meta chose not to deliver this WhatsApp message", true),
        new DeliveryError(30008, "Unknown error", true)}) {
      WHATSAPP_DELIVERY_ERRORS.put(error.code(), error);
    }
  }

  /**
   * A call that does not complete ends busy, no-answer or failed; the simulator takes the SIP
   * response code of the far end, as Twilio reports it in {@code SipResponseCode}, to choose.
   */
  private static final Map<Integer, String> CALL_FAILURE_STATUS = Map.of(
      408, "no-answer", 480, "no-answer", 486, "busy", 600, "busy", 603, "busy",
      404, "failed", 484, "failed", 500, "failed", 503, "failed");

  private TwilioErrors() {}

  static Optional<ApiError> rejection(SimChannel channel, int code) {
    return Optional.ofNullable((channel == SimChannel.VOICE ? CALL_REJECTIONS : MESSAGE_REJECTIONS).get(code));
  }

  static boolean isDeliveryError(SimChannel channel, int code) {
    return switch (channel) {
      case VOICE -> CALL_FAILURE_STATUS.containsKey(code);
      case WHATSAPP -> WHATSAPP_DELIVERY_ERRORS.containsKey(code);
      default -> MESSAGE_DELIVERY_ERRORS.containsKey(code);
    };
  }

  static DeliveryError whatsAppDeliveryError(int code) {
    return WHATSAPP_DELIVERY_ERRORS.getOrDefault(code, new DeliveryError(code, "Unknown error", true));
  }

  static DeliveryError messageDeliveryError(int code) {
    return MESSAGE_DELIVERY_ERRORS.getOrDefault(code, new DeliveryError(code, "Unknown error", false));
  }

  static String callFailureStatus(int sipCode) {
    return CALL_FAILURE_STATUS.getOrDefault(sipCode, "failed");
  }

  /** Twilio's error body: {@code code}, {@code message}, {@code more_info}, {@code status}. */
  static Map<String, Object> body(int code, int httpStatus, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("code", code);
    body.put("message", message);
    body.put("more_info", "https://www.twilio.com/docs/errors/" + code);
    body.put("status", httpStatus);
    return body;
  }

  private static Map<Integer, ApiError> table(ApiError... errors) {
    Map<Integer, ApiError> table = new LinkedHashMap<>();
    for (ApiError error : errors) {
      table.put(error.code(), error);
    }
    return Map.copyOf(table);
  }
}
