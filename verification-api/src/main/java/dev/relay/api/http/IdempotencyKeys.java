package dev.relay.api.http;

import dev.relay.support.http.ApiError;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What each (API key, requestId) asked for, so a requestId reused with another body is refused with
 * 422 {@code idempotency_key_reused}, as payment APIs refuse a reused idempotency key. The dispatcher
 * decides the same for requests that reach the same number's state; this instance's memory adds the
 * case the dispatcher cannot see: the same requestId for another number. Only digests are kept, never
 * a number, and only for the window and up to a bounded count.
 */
public final class IdempotencyKeys {

  static final String ERROR_REUSED = "idempotency_key_reused";
  private static final int MAX_ENTRIES = 200_000;

  private record Entry(String fingerprint, Instant rememberedAt) {}

  private final Duration window;
  private final Clock clock;
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

  public IdempotencyKeys(Duration window, Clock clock) {
    this.window = window;
    this.clock = clock;
  }

  /** One request's claim on its requestId; release it when Kafka did not take the request. */
  public interface Claim {
    void release();
  }

  private static final Claim NOTHING = () -> { };

  /**
   * Remembers what this requestId asks for, or refuses it with 422 when the same key used it for
   * something else within the window. No requestId: nothing to remember.
   *
   * @param parts what the request asks for (action, number, channel, ...), in a fixed order
   */
  public synchronized Claim claim(String apiKeyName, String requestId, String... parts) {
    if (requestId == null) {
      return NOTHING;
    }
    Instant now = clock.instant();
    expire(now);
    String key = digest(Objects.requireNonNullElse(apiKeyName, ""), requestId);
    String fingerprint = digest(parts);
    Entry existing = entries.get(key);
    if (existing != null && !existing.fingerprint().equals(fingerprint)) {
      throw new ApiError(422, ERROR_REUSED, "this requestId was already used with a different request; use a new"
          + " requestId for a new request, and the same body to retry one");
    }
    if (existing == null) {
      entries.put(key, new Entry(fingerprint, now));
      if (entries.size() > MAX_ENTRIES) {
        Iterator<String> oldest = entries.keySet().iterator();
        oldest.next();
        oldest.remove();
      }
    }
    return () -> forget(key, fingerprint);
  }

  private synchronized void forget(String key, String fingerprint) {
    Entry entry = entries.get(key);
    if (entry != null && entry.fingerprint().equals(fingerprint)) {
      entries.remove(key);
    }
  }

  private void expire(Instant now) {
    Instant oldest = now.minus(window);
    Iterator<Map.Entry<String, Entry>> iterator = entries.entrySet().iterator();
    // Insertion order is age order: stop at the first entry still inside the window.
    while (iterator.hasNext()) {
      if (iterator.next().getValue().rememberedAt().isAfter(oldest)) {
        return;
      }
      iterator.remove();
    }
  }

  private static String digest(String... parts) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      for (String part : parts) {
        byte[] bytes = Objects.requireNonNullElse(part, "").getBytes(StandardCharsets.UTF_8);
        sha256.update(java.nio.ByteBuffer.allocate(Integer.BYTES).putInt(bytes.length).array());
        sha256.update(bytes);
      }
      return HexFormat.of().formatHex(sha256.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
