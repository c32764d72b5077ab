package dev.relay.sim.twilio;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One Message resource as Twilio keeps it: created {@code queued}, then {@code sent}, then
 * {@code delivered}, {@code undelivered} or {@code failed}. Rendered as Twilio's JSON, keys in
 * Twilio's (alphabetical) order.
 */
final class TwilioMessage {

  static final String API_VERSION = "2010-04-01";

  final String sid;
  final String accountSid;
  final String to;
  final String from;
  final String messagingServiceSid;
  final String body;
  final Instant dateCreated;
  private String status = "queued";
  private Instant dateUpdated;
  private Instant dateSent;
  private Integer errorCode;
  private String errorMessage;
  private BigDecimal price;

  TwilioMessage(String sid, String accountSid, String to, String from, String messagingServiceSid, String body,
                Instant dateCreated) {
    this.sid = sid;
    this.accountSid = accountSid;
    this.to = to;
    this.from = from;
    this.messagingServiceSid = messagingServiceSid;
    this.body = body;
    this.dateCreated = dateCreated;
    this.dateUpdated = dateCreated;
  }

  synchronized void sent(Instant when, BigDecimal charged) {
    status = "sent";
    dateSent = when;
    dateUpdated = when;
    price = charged;
  }

  synchronized void delivered(Instant when) {
    status = "delivered";
    dateUpdated = when;
  }

  /** WhatsApp: the user opened the message. */
  synchronized void read(Instant when) {
    status = "read";
    dateUpdated = when;
  }

  synchronized void notDelivered(Instant when, TwilioErrors.DeliveryError error) {
    status = error.failed() ? "failed" : "undelivered";
    errorCode = error.code();
    errorMessage = error.message();
    dateUpdated = when;
  }

  synchronized String status() {
    return status;
  }

  synchronized Map<String, Object> json() {
    String uri = "/" + API_VERSION + "/Accounts/" + accountSid + "/Messages/" + sid;
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("account_sid", accountSid);
    json.put("api_version", API_VERSION);
    json.put("body", body);
    json.put("date_created", TwilioTimes.rfc2822(dateCreated));
    json.put("date_sent", TwilioTimes.rfc2822(dateSent));
    json.put("date_updated", TwilioTimes.rfc2822(dateUpdated));
    json.put("direction", "outbound-api");
    json.put("error_code", errorCode);
    json.put("error_message", errorMessage);
    json.put("from", from);
    json.put("messaging_service_sid", messagingServiceSid);
    json.put("num_media", "0");
    json.put("num_segments", Integer.toString(segments(body)));
    // Twilio reports what it charged as a negative amount, and only once the message went out.
    json.put("price", price == null ? null : price.negate().setScale(5, RoundingMode.HALF_UP).toPlainString());
    json.put("price_unit", "USD");
    json.put("sid", sid);
    json.put("status", status);
    json.put("subresource_uris", Map.of("media", uri + "/Media.json"));
    json.put("to", to);
    json.put("uri", uri + ".json");
    return json;
  }

  /** GSM-7 fits 160 characters in one part and 153 per part when split; anything else 70 and 67. */
  static int segments(String text) {
    boolean gsm = text.chars().allMatch(c -> c >= 0x20 && c < 0x7f || c == '\n' || c == '\r');
    int single = gsm ? 160 : 70;
    int part = gsm ? 153 : 67;
    int length = text.length();
    return length <= single ? 1 : (length + part - 1) / part;
  }
}
