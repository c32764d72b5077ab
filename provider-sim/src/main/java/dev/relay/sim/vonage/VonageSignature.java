package dev.relay.sim.vonage;

import dev.relay.sim.config.SimConfig.VonageSignatureMethod;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Vonage's signed requests and webhooks ({@code sig}): every parameter but {@code sig} with a
 * non-blank value, sorted by name, written {@code &name=value} with any {@code &} or {@code =} inside
 * a name or value replaced by {@code _}. The legacy {@code md5hash} is the lower-case hex MD5 of that
 * string followed by the signature secret; the HMAC methods key the string with the secret and give
 * upper-case hex. Receivers compare without regard to case.
 */
public final class VonageSignature {

  public static final String SIG = "sig";

  private VonageSignature() {}

  public static String sign(Map<String, String> params, String secret, VonageSignatureMethod method) {
    String canonical = canonical(params);
    try {
      if (method.hmacAlgorithm().isEmpty()) {
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        return HexFormat.of().formatHex(md5.digest((canonical + secret).getBytes(StandardCharsets.UTF_8)));
      }
      String algorithm = method.hmacAlgorithm().get();
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), algorithm));
      return HexFormat.of().withUpperCase().formatHex(mac.doFinal(canonical.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(method + " is part of every JRE", e);
    }
  }

  /** Whether {@code params} carry a {@code sig} that matches them, compared in constant time. */
  public static boolean verify(Map<String, String> params, String secret, VonageSignatureMethod method) {
    String given = params.get(SIG);
    if (given == null) {
      return false;
    }
    String expected = sign(params, secret, method);
    return MessageDigest.isEqual(given.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8),
        expected.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
  }

  static String canonical(Map<String, String> params) {
    StringBuilder canonical = new StringBuilder();
    new TreeMap<>(params).forEach((name, value) -> {
      if (!SIG.equals(name) && value != null && !value.isBlank()) {
        canonical.append('&').append(clean(name)).append('=').append(clean(value));
      }
    });
    return canonical.toString();
  }

  private static String clean(String text) {
    return text.replace('&', '_').replace('=', '_');
  }
}
