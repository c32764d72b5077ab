package dev.relay.sim.vendor;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.StringJoiner;

/** {@code application/x-www-form-urlencoded}, as vendors send their callbacks. */
public final class FormEncoding {

  private FormEncoding() {}

  public static String encode(Map<String, String> params) {
    StringJoiner joined = new StringJoiner("&");
    params.forEach((name, value) -> joined.add(
        URLEncoder.encode(name, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8)));
    return joined.toString();
  }
}
