package dev.relay.providers.plivo;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Plivo's {@code X-Plivo-Signature-V2} (https://www.plivo.com/docs/sms/concepts/signature-validation):
 * Base64 HMAC-SHA256 under the Auth Token of the callback URL without its query string followed by
 * the {@code X-Plivo-Signature-V2-Nonce}. Written here because the Plivo SDK would bring a second HTTP
 * stack for twenty lines. V2 covers the URL and the nonce only, not the parameters: see
 * {@link PlivoReceipts} for what that means.
 */
public final class PlivoSignature {

  public static final String SIGNATURE_HEADER = "X-Plivo-Signature-V2";
  public static final String NONCE_HEADER = "X-Plivo-Signature-V2-Nonce";
  private static final String HMAC = "HmacSHA256";

  private final byte[] authToken;

  public PlivoSignature(String authToken) {
    this.authToken = authToken.getBytes(StandardCharsets.UTF_8);
  }

  public boolean verify(String url, String nonce, String signature) {
    if (nonce == null || nonce.isBlank() || signature == null || signature.isBlank()) {
      return false;
    }
    String expected;
    try {
      expected = sign(url, nonce);
    } catch (IllegalArgumentException e) {
      return false;
    }
    // Plivo lists one signature per active Auth Token during a token rotation.
    for (String candidate : signature.split(",")) {
      if (MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), candidate.trim().getBytes(StandardCharsets.US_ASCII))) {
        return true;
      }
    }
    return false;
  }

  public String sign(String url, String nonce) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(new SecretKeySpec(authToken, HMAC));
      byte[] digest = mac.doFinal((baseUrl(url) + nonce).getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks " + HMAC, e);
    }
  }

  /** scheme://host[:port]/path, as Plivo's SDKs build it: no query, no fragment, no user info. */
  static String baseUrl(String url) {
    URI uri = URI.create(url);
    String port = uri.getPort() == -1 ? "" : ":" + uri.getPort();
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    return uri.getScheme() + "://" + uri.getHost() + port + path;
  }
}
