package dev.relay.providers.plivo;

import dev.relay.providers.http.FormCodec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Plivo's {@code X-Plivo-Signature-V3} (https://www.plivo.com/docs/sms/concepts/signature-validation),
 * built exactly as Plivo's SDKs build it (plivo-python {@code validate_v3_signature}, plivo-go
 * {@code ValidateSignatureV3}): Base64 HMAC-SHA256, under the Auth Token, of
 * {@code <signed URL>.<X-Plivo-Signature-V3-Nonce>}. The signed URL is {@code scheme://authority/path}
 * and then, for a GET, {@code ?} and every parameter (the query's) sorted by name as {@code name=value}
 * joined with {@code &}; for a POST, {@code ?} and the query's parameters sorted the same way, a
 * {@code .} when there were any, then the body's parameters sorted by name as {@code namevalue} with no
 * separator (no {@code ?} at all for a POST without body parameters or query). Values are decoded.
 * Unlike V2, it covers the method, the query and the parameters, so a captured header pair signs
 * nothing but its own receipt. Written here because the Plivo SDK would bring a second HTTP stack.
 */
public final class PlivoSignature {

  public static final String SIGNATURE_HEADER = "X-Plivo-Signature-V3";
  public static final String NONCE_HEADER = "X-Plivo-Signature-V3-Nonce";
  private static final String HMAC = "HmacSHA256";

  private final byte[] authToken;

  public PlivoSignature(String authToken) {
    this.authToken = authToken.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * @param url the URL Plivo called, with its query
   * @param bodyParams the decoded form body of a POST; empty for a GET
   * @param signature the header as sent: one signature per active Auth Token, comma separated
   */
  public boolean verify(String method, String url, Map<String, String> bodyParams, String nonce, String signature) {
    if (nonce == null || nonce.isBlank() || signature == null || signature.isBlank()) {
      return false;
    }
    byte[] expected;
    try {
      expected = sign(method, url, bodyParams, nonce).getBytes(StandardCharsets.US_ASCII);
    } catch (IllegalArgumentException e) {
      return false;
    }
    for (String candidate : signature.split(",")) {
      if (MessageDigest.isEqual(expected, candidate.trim().getBytes(StandardCharsets.US_ASCII))) {
        return true;
      }
    }
    return false;
  }

  public String sign(String method, String url, Map<String, String> bodyParams, String nonce) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(new SecretKeySpec(authToken, HMAC));
      byte[] digest = mac.doFinal((signedUrl(method, url, bodyParams) + "." + nonce).getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks " + HMAC, e);
    }
  }

  /** The string V3 signs before the nonce; see the class comment. */
  static String signedUrl(String method, String url, Map<String, String> bodyParams) {
    URI uri = URI.create(url);
    String base = uri.getScheme() + "://" + uri.getRawAuthority() + (uri.getRawPath() == null ? "" : uri.getRawPath());
    Map<String, String> query = new TreeMap<>(uri.getRawQuery() == null ? Map.of() : FormCodec.decode(uri.getRawQuery()));
    if ("GET".equalsIgnoreCase(method)) {
      Map<String, String> all = new TreeMap<>(bodyParams);
      all.putAll(query);
      String joined = queryString(all);
      return joined.isEmpty() ? base : base + "?" + joined;
    }
    String joined = queryString(query);
    if (bodyParams.isEmpty()) {
      return joined.isEmpty() ? base : base + "?" + joined;
    }
    StringBuilder signed = new StringBuilder(base).append('?').append(joined);
    if (!joined.isEmpty()) {
      signed.append('.');
    }
    new TreeMap<>(bodyParams).forEach((name, value) -> signed.append(name).append(value));
    return signed.toString();
  }

  private static String queryString(Map<String, String> sorted) {
    StringBuilder joined = new StringBuilder();
    sorted.forEach((name, value) -> {
      if (joined.length() > 0) {
        joined.append('&');
      }
      joined.append(name).append('=').append(value);
    });
    return joined.toString();
  }
}
