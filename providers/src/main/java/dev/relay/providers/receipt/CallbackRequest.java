package dev.relay.providers.receipt;

import dev.relay.providers.http.FormCodec;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A vendor's callback as it arrived, independent of the HTTP server that took it.
 *
 * @param method {@code GET} or {@code POST}
 * @param publicUrl the URL the vendor called, as the vendor saw it: the configured public base URL,
 *     the path and the raw query string (what signatures cover, whatever proxy sits in front)
 * @param headers header names in lower case
 * @param contentType the media type without parameters, lower case; empty when absent
 * @param body the raw body; empty for GET
 */
public record CallbackRequest(String method, String publicUrl, Map<String, String> headers, String contentType, String body) {

  public CallbackRequest {
    Map<String, String> lower = new LinkedHashMap<>();
    headers.forEach((name, value) -> lower.putIfAbsent(name.toLowerCase(Locale.ROOT), value));
    headers = Map.copyOf(lower);
    contentType = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
    body = body == null ? "" : body;
    method = method.toUpperCase(Locale.ROOT);
  }

  public String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  public boolean isPost() {
    return "POST".equals(method);
  }

  public boolean isForm() {
    return contentType.equals("application/x-www-form-urlencoded");
  }

  public boolean isJson() {
    return contentType.equals("application/json");
  }

  /** The decoded query parameters of {@link #publicUrl}. */
  public Map<String, String> query() {
    int question = publicUrl.indexOf('?');
    return question < 0 ? Map.of() : FormCodec.decode(publicUrl.substring(question + 1));
  }

  /** {@link #publicUrl} without its query string. */
  public String publicUrlWithoutQuery() {
    int question = publicUrl.indexOf('?');
    return question < 0 ? publicUrl : publicUrl.substring(0, question);
  }

  /** The decoded form body; empty unless the body is form-encoded. */
  public Map<String, String> form() {
    return isForm() ? FormCodec.decode(body) : Map.of();
  }
}
