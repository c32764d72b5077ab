package dev.relay.sim.plivo;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * One outbound message as Plivo's Message API shows it: its state so far, and the fields a status
 * fetch answers with. Immutable; a change of state is a new value.
 *
 * @param errorCode {@code null} until the message is delivered ({@code 000}) or fails
 */
record PlivoMessage(String uuid, String authId, String from, String toDigits, String text, String state,
                    String errorCode, BigDecimal rate, Instant time) {

  private static final DateTimeFormatter MESSAGE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ssxxx", Locale.ROOT).withZone(ZoneOffset.UTC);

  PlivoMessage withState(String newState, String newErrorCode) {
    return new PlivoMessage(uuid, authId, from, toDigits, text, newState, newErrorCode, rate, time);
  }

  /** The body of {@code GET /v1/Account/{auth_id}/Message/{message_uuid}/}; never the text. */
  Map<String, Object> json() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("api_id", UUID.randomUUID().toString());
    json.put("error_code", errorCode);
    json.put("from_number", from);
    json.put("message_direction", "outbound");
    json.put("message_state", state);
    json.put("message_time", MESSAGE_TIME.format(time));
    json.put("message_type", "sms");
    json.put("message_uuid", uuid);
    json.put("resource_uri", "/v1/Account/" + authId + "/Message/" + uuid + "/");
    json.put("to_number", toDigits);
    json.put("total_amount", rate.toPlainString());
    json.put("total_rate", rate.toPlainString());
    json.put("units", 1);
    return json;
  }
}
