package dev.relay.providers.twilio;

import com.twilio.security.RequestValidator;
import dev.relay.providers.ProviderKeys;
import dev.relay.providers.receipt.CallbackRequest;
import dev.relay.providers.receipt.MalformedReceiptException;
import dev.relay.providers.receipt.Receipt;
import dev.relay.providers.receipt.ReceiptReader;
import dev.relay.schemas.DeliveryStatus;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Twilio status callbacks, for messages ({@code MessageSid}, {@code MessageStatus}) and calls
 * ({@code CallSid}, {@code CallStatus}). The signature is checked with twilio-java's own
 * {@link RequestValidator} (Base64 HMAC-SHA1 under the Auth Token of the full URL followed by the POST
 * parameters sorted by name), over the public URL Twilio called, not the one this process sees behind
 * a proxy.
 */
public final class TwilioReceipts implements ReceiptReader {

  public static final String SIGNATURE_HEADER = "X-Twilio-Signature";

  /**
   * Every status Twilio documents for messages and calls. Intermediate statuses change nothing
   * downstream; final ones settle the attempt.
   */
  static final Map<String, DeliveryStatus> STATUSES = Map.ofEntries(
      // Messaging: https://www.twilio.com/docs/messaging/api/message-resource#message-status-values
      Map.entry("accepted", DeliveryStatus.ACCEPTED),
      Map.entry("scheduled", DeliveryStatus.QUEUED),
      Map.entry("queued", DeliveryStatus.QUEUED),
      Map.entry("sending", DeliveryStatus.QUEUED),
      Map.entry("sent", DeliveryStatus.SENT),
      Map.entry("delivered", DeliveryStatus.DELIVERED),
      // read (WhatsApp, RCS) implies delivered.
      Map.entry("read", DeliveryStatus.DELIVERED),
      Map.entry("undelivered", DeliveryStatus.UNDELIVERED),
      // Some segments arrived and some did not: the code may sit in a missing one.
      Map.entry("partially_delivered", DeliveryStatus.UNDELIVERED),
      Map.entry("failed", DeliveryStatus.FAILED),
      Map.entry("canceled", DeliveryStatus.FAILED),
      // receiving/received describe inbound messages: never a receipt of ours.
      Map.entry("receiving", DeliveryStatus.UNKNOWN_DELIVERY),
      Map.entry("received", DeliveryStatus.UNKNOWN_DELIVERY),
      // Voice: https://www.twilio.com/docs/voice/api/call-resource#call-status-values
      Map.entry("initiated", DeliveryStatus.QUEUED),
      Map.entry("ringing", DeliveryStatus.SENT),
      Map.entry("in-progress", DeliveryStatus.DELIVERED_TO_OPERATOR),
      Map.entry("completed", DeliveryStatus.DELIVERED),
      Map.entry("busy", DeliveryStatus.UNDELIVERED),
      Map.entry("no-answer", DeliveryStatus.UNDELIVERED));

  private static final DateTimeFormatter RAW_DLR_DONE_DATE = DateTimeFormatter.ofPattern("yyMMddHHmm", Locale.ROOT);

  private final RequestValidator validator;

  public TwilioReceipts(String authToken) {
    this.validator = new RequestValidator(authToken);
  }

  @Override
  public String provider() {
    return ProviderKeys.TWILIO;
  }

  @Override
  public boolean verify(CallbackRequest request) {
    String signature = request.header(SIGNATURE_HEADER);
    if (signature == null || signature.isBlank()) {
      return false;
    }
    // A GET callback's parameters are in the URL itself; a POST's are the form fields.
    Map<String, String> params = request.isPost() ? request.form() : Map.of();
    try {
      return validator.validate(request.publicUrl(), params, signature.trim());
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public List<Receipt> read(CallbackRequest request) {
    Map<String, String> params = request.isPost() ? request.form() : request.query();
    String sid = first(params, "MessageSid", "SmsSid", "CallSid");
    String vendorStatus = first(params, "MessageStatus", "SmsStatus", "CallStatus");
    String to = params.get("To");
    if (sid == null || vendorStatus == null || to == null || to.isBlank()) {
      throw new MalformedReceiptException("a Twilio status callback carries MessageSid (or CallSid), MessageStatus (or CallStatus) and To");
    }
    String status = vendorStatus.trim().toLowerCase(Locale.ROOT);
    return List.of(new Receipt(ProviderKeys.TWILIO, sid, request.query().get("ref"), plus(to), statusOf(status), status,
        params.get("ErrorCode"), rawDlrDoneDate(params.get("RawDlrDoneDate"))));
  }

  static DeliveryStatus statusOf(String vendorStatus) {
    return STATUSES.getOrDefault(vendorStatus, DeliveryStatus.UNKNOWN_DELIVERY);
  }

  /** The carrier's completion time, {@code YYMMddHHmm} in UTC, when Twilio passes it on. */
  static Instant rawDlrDoneDate(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return LocalDateTime.parse(value.trim(), RAW_DLR_DONE_DATE).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** The number with a leading {@code +}, without the {@code whatsapp:} prefix WhatsApp messages carry. */
  static String plus(String number) {
    String trimmed = number.trim();
    if (trimmed.regionMatches(true, 0, TwilioClient.WHATSAPP_PREFIX, 0, TwilioClient.WHATSAPP_PREFIX.length())) {
      trimmed = trimmed.substring(TwilioClient.WHATSAPP_PREFIX.length()).trim();
    }
    return trimmed.startsWith("+") ? trimmed : "+" + trimmed;
  }

  private static String first(Map<String, String> params, String... names) {
    for (String name : names) {
      String value = params.get(name);
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    return null;
  }
}
