package dev.relay.providers.http;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/** {@code application/x-www-form-urlencoded} both ways: what Twilio and Vonage take, and what their callbacks post. */
public final class FormCodec {

  private FormCodec() {}

  public static String encode(Map<String, String> fields) {
    StringJoiner body = new StringJoiner("&");
    fields.forEach((name, value) -> {
      if (value != null) {
        body.add(URLEncoder.encode(name, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
      }
    });
    return body.toString();
  }

  /**
   * Decodes a form body or a raw query string. A repeated name keeps its first value: the vendors
   * this reads never repeat one, and a forged repeat must not replace a signed value.
   *
   * @throws IllegalArgumentException when an escape is malformed
   */
  public static Map<String, String> decode(String encoded) {
    Map<String, String> fields = new LinkedHashMap<>();
    if (encoded == null || encoded.isEmpty()) {
      return fields;
    }
    for (String pair : encoded.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String name = equals < 0 ? pair : pair.substring(0, equals);
      String value = equals < 0 ? "" : pair.substring(equals + 1);
      fields.putIfAbsent(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return fields;
  }
}
