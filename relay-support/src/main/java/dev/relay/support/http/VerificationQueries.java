package dev.relay.support.http;

import dev.relay.support.config.ConfigKey;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The internal contract between verification-api and dispatcher-stream for reading a verification
 * from the dispatcher's state (interactive queries): the path, the body's media type, the token key
 * both sides read, and the header that marks a request one dispatcher forwarded to the owner of the
 * number. {@code GET <prefix><digits of the E.164 number>} with {@code Authorization: Bearer <token>}
 * answers 200 with the verification (Avro single-object encoding of {@code VerificationState}, with
 * no code, hash or request fingerprint), 404 when the number has none, 400 for a path that is no
 * number, 401 without the token, and 503 with {@code Retry-After} when the owner of the number
 * cannot answer now (rebalancing, restoring, unreachable): never a stale answer.
 */
public final class VerificationQueries {

  /** The number goes in the path as digits, without its '+': nothing to URL-encode or decode. */
  public static final String PATH_PREFIX = "/internal/verifications/";
  public static final String MEDIA_TYPE = "application/vnd.relay.verification-state+avro";
  /** Set on a request one dispatcher forwards to another: the receiver answers itself or 503, never forwards again. */
  public static final String FORWARDED_HEADER = "X-Relay-Forwarded";

  public static final ConfigKey TOKEN = ConfigKey.optionalSecret(
      "relay.dispatcher.query-token",
      "Shared secret between verification-api and the dispatchers for status reads from the dispatcher's state"
          + " (Authorization: Bearer); the same value on both; empty: the dispatcher serves no reads and the API"
          + " answers status reads 503");

  private static final Pattern DIGITS = Pattern.compile("[0-9]{4,15}");

  private VerificationQueries() {}

  /** The path that reads {@code e164}'s verification. */
  public static String pathOf(String e164) {
    if (!e164.startsWith("+")) {
      throw new IllegalArgumentException("not an E.164 number");
    }
    return PATH_PREFIX + e164.substring(1);
  }

  /** The E.164 number a path's last segment names, when it is digits of a plausible length. */
  public static Optional<String> numberOf(String digits) {
    return digits != null && DIGITS.matcher(digits).matches() ? Optional.of("+" + digits) : Optional.empty();
  }
}
