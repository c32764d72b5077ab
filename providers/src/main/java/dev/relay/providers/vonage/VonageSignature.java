package dev.relay.providers.vonage;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Vonage's signed requests (https://developer.vonage.com/en/getting-started/concepts/signing-messages),
 * written here because Vonage publishes no slim library for it: every parameter except {@code sig},
 * empty values left out, sorted by name and joined as {@code &name=value} with {@code &} and {@code =}
 * inside names and values replaced by {@code _}; then either MD5 of that string followed by the
 * signature secret ({@code md5hash}, the default) or an HMAC of it under the secret ({@code md5},
 * {@code sha1}, {@code sha256}, {@code sha512}); lower-case hex. As in Vonage's own SDK, a
 * {@code timestamp} more than five minutes from now fails, so a captured callback cannot be replayed
 * later.
 */
public final class VonageSignature {

  public static final String SIGNATURE_PARAM = "sig";
  public static final String TIMESTAMP_PARAM = "timestamp";
  public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

  /** The algorithms Vonage's dashboard offers. */
  public enum Method {
    MD5HASH(null),
    MD5("HmacMD5"),
    SHA1("HmacSHA1"),
    SHA256("HmacSHA256"),
    SHA512("HmacSHA512");

    private final String hmac;

    Method(String hmac) {
      this.hmac = hmac;
    }

    public static Method parse(String name) {
      try {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown Vonage signature method '" + name + "': use md5hash, md5, sha1, sha256 or sha512");
      }
    }
  }

  private final String secret;
  private final Method method;
  private final Clock clock;

  public VonageSignature(String secret, Method method, Clock clock) {
    this.secret = secret;
    this.method = method;
    this.clock = clock;
  }

  /** True when {@code params} carry a {@code sig} this secret made and a fresh {@code timestamp}. */
  public boolean verify(Map<String, String> params) {
    String supplied = params.get(SIGNATURE_PARAM);
    if (supplied == null || supplied.isBlank() || !fresh(params.get(TIMESTAMP_PARAM))) {
      return false;
    }
    byte[] expected = sign(params).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, supplied.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
  }

  /** The signature of {@code params} (any {@code sig} among them ignored), lower-case hex. */
  public String sign(Map<String, String> params) {
    String signed = signedString(params);
    try {
      if (method == Method.MD5HASH) {
        byte[] digest = MessageDigest.getInstance("MD5").digest((signed + secret).getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest);
      }
      Mac mac = Mac.getInstance(method.hmac);
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), method.hmac));
      return HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException | java.security.InvalidKeyException e) {
      throw new IllegalStateException("the JDK lacks " + method, e);
    }
  }

  static String signedString(Map<String, String> params) {
    Map<String, String> sorted = new TreeMap<>();
    params.forEach((name, value) -> {
      if (!SIGNATURE_PARAM.equals(name) && value != null && !value.trim().isEmpty()) {
        sorted.put(name, value);
      }
    });
    StringBuilder signed = new StringBuilder();
    sorted.forEach((name, value) -> signed.append('&').append(clean(name)).append('=').append(clean(value)));
    return signed.toString();
  }

  private boolean fresh(String timestamp) {
    if (timestamp == null) {
      return false;
    }
    try {
      long sentMillis = Long.parseLong(timestamp.trim()) * 1000;
      return Math.abs(clock.millis() - sentMillis) <= MAX_CLOCK_SKEW.toMillis();
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static String clean(String value) {
    return value.replace('&', '_').replace('=', '_');
  }
}
