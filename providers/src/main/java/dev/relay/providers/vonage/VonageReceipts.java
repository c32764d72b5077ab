package dev.relay.providers.vonage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.providers.ProviderKeys;
import dev.relay.providers.receipt.CallbackRequest;
import dev.relay.providers.receipt.MalformedReceiptException;
import dev.relay.providers.receipt.Receipt;
import dev.relay.providers.receipt.ReceiptReader;
import dev.relay.providers.receipt.ReplayGuard;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.support.http.Json;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Vonage SMS API delivery receipts
 * (https://developer.vonage.com/en/messaging/sms/guides/delivery-receipts), as a GET query, a form
 * POST or a JSON POST, whichever the account is set to. Every receipt must be signed
 * ({@link VonageSignature}): an unsigned one is refused, as anyone can post one. A signed receipt is
 * taken once: its timestamp and signature are remembered for as long as its timestamp stays fresh
 * ({@link ReplayGuard}), so one captured in transit cannot be sent again within those minutes.
 */
public final class VonageReceipts implements ReceiptReader {

  /** Every DLR status Vonage documents. */
  static final Map<String, DeliveryStatus> STATUSES = Map.of(
      "accepted", DeliveryStatus.ACCEPTED,
      "buffered", DeliveryStatus.BUFFERED,
      "delivered", DeliveryStatus.DELIVERED,
      "expired", DeliveryStatus.EXPIRED,
      "failed", DeliveryStatus.FAILED,
      "rejected", DeliveryStatus.REJECTED,
      // "Message has not been delivered" with no verdict yet: not final.
      "unknown", DeliveryStatus.UNKNOWN_DELIVERY);

  private static final DateTimeFormatter SCTS = DateTimeFormatter.ofPattern("yyMMddHHmm", Locale.ROOT);
  private static final DateTimeFormatter MESSAGE_TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

  /** A timestamp is fresh within the skew either side of now: ten minutes in all. */
  public static final Duration REPLAY_WINDOW = VonageSignature.MAX_CLOCK_SKEW.multipliedBy(2);

  private final VonageSignature signature;
  private final ReplayGuard seen;

  public VonageReceipts(VonageSignature signature, ReplayGuard seen) {
    this.signature = signature;
    this.seen = seen;
  }

  @Override
  public String provider() {
    return ProviderKeys.VONAGE;
  }

  @Override
  public boolean verify(CallbackRequest request) {
    Map<String, String> params = params(request);
    return signature.verify(params) && seen.claim(replayKey(params));
  }

  @Override
  public void release(CallbackRequest request) {
    seen.release(replayKey(params(request)));
  }

  private static String replayKey(Map<String, String> params) {
    return params.get(VonageSignature.TIMESTAMP_PARAM) + "|"
        + String.valueOf(params.get(VonageSignature.SIGNATURE_PARAM)).trim().toLowerCase(Locale.ROOT);
  }

  @Override
  public List<Receipt> read(CallbackRequest request) {
    Map<String, String> params = params(request);
    String messageId = params.get("messageId");
    String vendorStatus = params.get("status");
    String msisdn = params.get("msisdn");
    if (blank(messageId) || blank(vendorStatus) || blank(msisdn)) {
      throw new MalformedReceiptException("a Vonage delivery receipt carries messageId, status and msisdn");
    }
    String status = vendorStatus.trim().toLowerCase(Locale.ROOT);
    String errorCode = params.get("err-code");
    return List.of(new Receipt(ProviderKeys.VONAGE, messageId, params.get("client-ref"), "+" + msisdn.trim().replaceFirst("^\\+", ""),
        statusOf(status), status, "0".equals(errorCode) ? null : errorCode, occurredAt(params)));
  }

  static DeliveryStatus statusOf(String vendorStatus) {
    return STATUSES.getOrDefault(vendorStatus, DeliveryStatus.UNKNOWN_DELIVERY);
  }

  /**
   * The callback's parameters wherever Vonage put them.
   *
   * @throws MalformedReceiptException when a JSON body is not a JSON object
   */
  static Map<String, String> params(CallbackRequest request) {
    if (!request.isPost()) {
      return request.query();
    }
    if (request.isJson()) {
      return jsonParams(request.body());
    }
    return request.form();
  }

  private static Map<String, String> jsonParams(String body) {
    JsonNode tree;
    try {
      tree = Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw new MalformedReceiptException("the body is not JSON");
    }
    if (tree == null || !tree.isObject()) {
      throw new MalformedReceiptException("the body is not a JSON object");
    }
    Map<String, String> params = new LinkedHashMap<>();
    tree.fields().forEachRemaining(field -> {
      JsonNode value = field.getValue();
      if (!value.isNull()) {
        params.put(field.getKey(), value.isValueNode() ? value.asText() : value.toString());
      }
    });
    return params;
  }

  /** The handset's delivery time ({@code scts}, YYMMDDhhmm UTC), else when Vonage reported it. */
  static Instant occurredAt(Map<String, String> params) {
    String scts = params.get("scts");
    if (!blank(scts)) {
      try {
        return LocalDateTime.parse(scts.trim(), SCTS).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e) {
        // fall through to message-timestamp
      }
    }
    String timestamp = params.get("message-timestamp");
    if (!blank(timestamp) && timestamp.trim().length() >= 19) {
      try {
        return LocalDateTime.parse(timestamp.trim().substring(0, 19), MESSAGE_TIMESTAMP).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e) {
        return null;
      }
    }
    return null;
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }
}
