package dev.relay.sim.plivo;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Plivo's {@code X-Plivo-Signature-V3} as Plivo computes it on a callback: Base64 of HMAC-SHA256, keyed
 * with the Auth Token, over the signed URL, a dot and the nonce sent in {@code X-Plivo-Signature-V3-Nonce}.
 * The signed URL is {@code scheme://authority/path}, then for a GET {@code ?} and the query's parameters
 * sorted by name as {@code name=value} joined by {@code &}; for a POST {@code ?}, the query's parameters
 * the same way and a {@code .} if there were any, then the body's parameters sorted as {@code namevalue}.
 */
public final class PlivoSignature {

  public static final String SIGNATURE_HEADER = "X-Plivo-Signature-V3";
  public static final String NONCE_HEADER = "X-Plivo-Signature-V3-Nonce";

  private PlivoSignature() {}

  /**
   * @param url the URL called, with the query it is called with
   * @param body the form parameters of a POST; empty for a GET
   */
  public static String sign(String method, URI url, Map<String, String> body, String nonce, String authToken) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return Base64.getEncoder().encodeToString(
          mac.doFinal((signedUrl(method, url, body) + "." + nonce).getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks HmacSHA256", e);
    }
  }

  static String signedUrl(String method, URI url, Map<String, String> body) {
    String base = url.getScheme() + "://" + url.getRawAuthority() + (url.getRawPath() == null ? "" : url.getRawPath());
    String query = sortedQuery(url.getRawQuery());
    if ("GET".equals(method) || body.isEmpty()) {
      return query.isEmpty() ? base : base + "?" + query;
    }
    StringBuilder signed = new StringBuilder(base).append('?').append(query).append(query.isEmpty() ? "" : ".");
    new TreeMap<>(body).forEach((name, value) -> signed.append(name).append(value));
    return signed.toString();
  }

  private static String sortedQuery(String rawQuery) {
    Map<String, String> params = new TreeMap<>();
    if (rawQuery != null) {
      for (String pair : rawQuery.split("&")) {
        if (!pair.isEmpty()) {
          int equals = pair.indexOf('=');
          params.putIfAbsent(URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8),
              equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
        }
      }
    }
    StringJoiner joined = new StringJoiner("&");
    params.forEach((name, value) -> joined.add(name + "=" + value));
    return joined.toString();
  }
}
