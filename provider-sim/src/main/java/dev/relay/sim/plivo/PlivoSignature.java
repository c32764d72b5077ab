package dev.relay.sim.plivo;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Plivo's {@code X-Plivo-Signature-V2} as Plivo computes it on a callback: Base64 of HMAC-SHA256, keyed
 * with the Auth Token, over the callback URL without its query string followed by the nonce sent in
 * {@code X-Plivo-Signature-V2-Nonce}.
 */
public final class PlivoSignature {

  public static final String SIGNATURE_HEADER = "X-Plivo-Signature-V2";
  public static final String NONCE_HEADER = "X-Plivo-Signature-V2-Nonce";

  private PlivoSignature() {}

  public static String sign(URI url, String nonce, String authToken) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return Base64.getEncoder().encodeToString(
          mac.doFinal((withoutQuery(url) + nonce).getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks HmacSHA256", e);
    }
  }

  /** scheme://host[:port]/path: the query and the fragment are not signed. */
  static String withoutQuery(URI url) {
    String port = url.getPort() == -1 ? "" : ":" + url.getPort();
    return url.getScheme() + "://" + url.getHost() + port + (url.getRawPath() == null ? "" : url.getRawPath());
  }
}
