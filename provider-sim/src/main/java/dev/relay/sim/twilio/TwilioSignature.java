package dev.relay.sim.twilio;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code X-Twilio-Signature}: Base64 of HMAC-SHA1 under the account's auth token over the full URL
 * the request goes to, followed by every POST parameter's name and value, sorted by name. For a GET
 * the parameters are already in the URL and nothing is appended.
 */
public final class TwilioSignature {

  public static final String HEADER = "X-Twilio-Signature";

  private TwilioSignature() {}

  public static String sign(String authToken, String url, Map<String, String> postParams) {
    StringBuilder data = new StringBuilder(url);
    new TreeMap<>(postParams).forEach((name, value) -> data.append(name).append(value));
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is part of every JRE", e);
    }
  }
}
