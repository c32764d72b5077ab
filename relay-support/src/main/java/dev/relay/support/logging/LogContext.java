package dev.relay.support.logging;

import java.util.Optional;
import org.slf4j.MDC;

/**
 * The verification id in the logging MDC, under one key for every service, so the JSON logs of the
 * API, the dispatcher, the sender and dlr-ingest can be joined on it. The id is safe to log: it names a
 * verification without revealing its number or code.
 */
public final class LogContext {

  /** The MDC key, a field of every JSON log line written while a verification is being handled. */
  public static final String VERIFICATION_ID = "verificationId";

  private LogContext() {}

  /** Closes the scope of {@link #verification(String)}, restoring the MDC as it was. */
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Puts {@code verificationId} in the MDC of this thread until the returned scope closes, then puts
   * back whatever was there before. A null id changes nothing.
   */
  public static Scope verification(String verificationId) {
    if (verificationId == null) {
      return () -> {};
    }
    String before = MDC.get(VERIFICATION_ID);
    MDC.put(VERIFICATION_ID, verificationId);
    return () -> {
      if (before == null) {
        MDC.remove(VERIFICATION_ID);
      } else {
        MDC.put(VERIFICATION_ID, before);
      }
    };
  }

  /**
   * The verification an attempt's idempotency key belongs to: the dispatcher names each attempt
   * {@code <verificationId>-<attempt number>}, and that key comes back on send results and, as the
   * callback reference, on receipts. Empty for null or a key of another shape.
   */
  public static Optional<String> verificationOfAttempt(String idempotencyKey) {
    if (idempotencyKey == null) {
      return Optional.empty();
    }
    int dash = idempotencyKey.lastIndexOf('-');
    if (dash <= 0 || dash == idempotencyKey.length() - 1) {
      return Optional.empty();
    }
    for (int i = dash + 1; i < idempotencyKey.length(); i++) {
      if (!Character.isDigit(idempotencyKey.charAt(i))) {
        return Optional.empty();
      }
    }
    return Optional.of(idempotencyKey.substring(0, dash));
  }
}
