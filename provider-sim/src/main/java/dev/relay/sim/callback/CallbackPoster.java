package dev.relay.sim.callback;

import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts receipts to the receiver a send named, the way vendors do: asynchronously, with a timeout,
 * and again with a doubling back-off when the receiver is unreachable or answers 429 or 5xx (so a
 * dlr-ingest that answers 503 while Kafka is down still gets every receipt once it is back). A 2xx,
 * or any other 4xx (a refused signature), ends the tries.
 */
public final class CallbackPoster {

  /** What {@link #send} completes with when no attempt got an HTTP answer. */
  public static final int NO_ANSWER = -1;

  private static final Logger LOG = LoggerFactory.getLogger(CallbackPoster.class);

  private final HttpClient client;
  private final ScheduledExecutorService scheduler;
  private final Duration timeout;
  private final int maxAttempts;
  private final Duration backoff;
  private final MeterRegistry metrics;

  public CallbackPoster(HttpClient client, ScheduledExecutorService scheduler, Duration timeout, int maxAttempts,
                        Duration backoff, MeterRegistry metrics) {
    this.client = client;
    this.scheduler = scheduler;
    this.timeout = timeout;
    this.maxAttempts = maxAttempts;
    this.backoff = backoff;
    this.metrics = metrics;
  }

  /**
   * Never completes exceptionally.
   *
   * @return the last HTTP status the receiver answered, or {@link #NO_ANSWER}
   */
  public CompletableFuture<Integer> send(Callback callback) {
    CompletableFuture<Integer> result = new CompletableFuture<>();
    attempt(callback, 1, result);
    return result;
  }

  private void attempt(Callback callback, int attempt, CompletableFuture<Integer> result) {
    HttpRequest request;
    try {
      request = request(callback);
    } catch (RuntimeException e) {
      finish(callback, "unsendable", NO_ANSWER, result);
      LOG.warn("{} receipt to {} cannot be sent: {}", callback.provider(), where(callback), e.getMessage());
      return;
    }
    client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
      int status = error == null ? response.statusCode() : NO_ANSWER;
      if (!worthRetrying(status)) {
        finish(callback, status / 100 == 2 ? "delivered" : "refused", status, result);
        if (status / 100 != 2) {
          LOG.warn("{} receipt refused by {} with HTTP {}", callback.provider(), where(callback), status);
        }
        return;
      }
      if (attempt >= maxAttempts) {
        finish(callback, "gave_up", status, result);
        LOG.warn("{} receipt to {} given up after {} attempts: {}", callback.provider(), where(callback), attempt,
            error == null ? "HTTP " + status : error.toString());
        return;
      }
      metrics.counter("relay_sim_callback_retries", "provider", callback.provider()).increment();
      long waitMillis = backoff.toMillis() << Math.min(attempt - 1, 16);
      try {
        scheduler.schedule(() -> attempt(callback, attempt + 1, result), waitMillis, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException shuttingDown) {
        finish(callback, "gave_up", status, result);
      }
    });
  }

  private HttpRequest request(Callback callback) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(callback.uri()).timeout(timeout);
    callback.headers().forEach(builder::header);
    if (callback.body() == null) {
      builder.method(callback.method(), HttpRequest.BodyPublishers.noBody());
    } else {
      builder.header("Content-Type", callback.contentType())
          .method(callback.method(), HttpRequest.BodyPublishers.ofString(callback.body()));
    }
    return builder.build();
  }

  private void finish(Callback callback, String outcome, int status, CompletableFuture<Integer> result) {
    metrics.counter("relay_sim_callbacks", "provider", callback.provider(), "outcome", outcome).increment();
    result.complete(status);
  }

  /** The receiver without the query: a GET receipt carries the phone number there, and logs never show one. */
  private static String where(Callback callback) {
    return callback.uri().getScheme() + "://" + callback.uri().getRawAuthority() + callback.uri().getRawPath();
  }

  private static boolean worthRetrying(int status) {
    return status == NO_ANSWER || status == 429 || status >= 500;
  }
}
