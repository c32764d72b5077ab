package dev.relay.sim.twilio;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One Call resource as Twilio keeps it: {@code queued}, then {@code completed} when the callee
 * answered and heard the message, or {@code busy}, {@code no-answer} or {@code failed}. Rendered as
 * Twilio's JSON, keys in Twilio's (alphabetical) order.
 */
final class TwilioCall {

  final String sid;
  final String accountSid;
  final String to;
  final String from;
  final Instant dateCreated;
  private String status = "queued";
  private Instant dateUpdated;
  private Instant startTime;
  private Instant endTime;
  private Integer durationSeconds;
  private BigDecimal price;

  TwilioCall(String sid, String accountSid, String to, String from, Instant dateCreated) {
    this.sid = sid;
    this.accountSid = accountSid;
    this.to = to;
    this.from = from;
    this.dateCreated = dateCreated;
    this.dateUpdated = dateCreated;
  }

  synchronized void ringing(Instant when) {
    status = "ringing";
    dateUpdated = when;
  }

  synchronized void completed(Instant answeredAt, int seconds, BigDecimal charged) {
    status = "completed";
    startTime = answeredAt;
    endTime = answeredAt.plusSeconds(seconds);
    durationSeconds = seconds;
    dateUpdated = endTime;
    price = charged;
  }

  synchronized void notAnswered(Instant when, String finalStatus) {
    status = finalStatus;
    durationSeconds = 0;
    dateUpdated = when;
  }

  synchronized String status() {
    return status;
  }

  synchronized Integer durationSeconds() {
    return durationSeconds;
  }

  synchronized Map<String, Object> json() {
    String uri = "/" + TwilioMessage.API_VERSION + "/Accounts/" + accountSid + "/Calls/" + sid;
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("account_sid", accountSid);
    json.put("annotation", null);
    json.put("answered_by", null);
    json.put("api_version", TwilioMessage.API_VERSION);
    json.put("caller_name", null);
    json.put("date_created", TwilioTimes.rfc2822(dateCreated));
    json.put("date_updated", TwilioTimes.rfc2822(dateUpdated));
    json.put("direction", "outbound-api");
    json.put("duration", durationSeconds == null ? null : durationSeconds.toString());
    json.put("end_time", TwilioTimes.rfc2822(endTime));
    json.put("forwarded_from", null);
    json.put("from", from);
    json.put("from_formatted", from);
    json.put("group_sid", null);
    json.put("parent_call_sid", null);
    json.put("phone_number_sid", null);
    json.put("price", price == null ? null : price.negate().setScale(5, RoundingMode.HALF_UP).toPlainString());
    json.put("price_unit", "USD");
    json.put("queue_time", "0");
    json.put("sid", sid);
    json.put("start_time", TwilioTimes.rfc2822(startTime));
    json.put("status", status);
    Map<String, String> subresources = new LinkedHashMap<>();
    subresources.put("notifications", uri + "/Notifications.json");
    subresources.put("recordings", uri + "/Recordings.json");
    json.put("subresource_uris", subresources);
    json.put("to", to);
    json.put("to_formatted", to);
    json.put("trunk_sid", null);
    json.put("uri", uri + ".json");
    return json;
  }
}
