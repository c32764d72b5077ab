package dev.relay.support.http;

import java.time.Duration;

/**
 * A request Relay answers with an error: the HTTP status, a stable machine-readable code, a message
 * for humans, and for limits and outages how long to wait before retrying.
 */
public final class ApiError extends RuntimeException {

  private final int status;
  private final String code;
  private final Duration retryAfter;

  public ApiError(int status, String code, String message) {
    this(status, code, message, null);
  }

  public ApiError(int status, String code, String message, Duration retryAfter) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }

  public static ApiError badRequest(String code, String message) {
    return new ApiError(400, code, message);
  }

  public static ApiError notFound(String message) {
    return new ApiError(404, "not_found", message);
  }

  public static ApiError unavailable(String message) {
    return new ApiError(503, "unavailable", message, Duration.ofSeconds(1));
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public Duration retryAfter() {
    return retryAfter;
  }
}
