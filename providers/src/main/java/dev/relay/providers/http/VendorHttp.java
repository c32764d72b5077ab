package dev.relay.providers.http;

import dev.relay.providers.ProviderKeys;
import dev.relay.providers.ProviderResponse;
import dev.relay.schemas.ErrorCategory;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.http.HttpClients;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side every adapter shares: one JDK client per vendor with a connect timeout, a read
 * timeout on every request, bounded concurrency, and every transport failure turned into a
 * {@link ProviderResponse} (a timeout is TIMEOUT, a refused connection or a garbled answer is
 * PROVIDER_ERROR), so that a send never completes exceptionally.
 */
public final class VendorHttp {

  private static final Logger LOG = LoggerFactory.getLogger(VendorHttp.class);
  /** Whom the vendor clients' threads work for ({@link HttpClients}): the adapters, run by the sender. */
  public static final String OWNER = "provider adapters";

  private final String provider;
  private final HttpClient client;
  private final Duration readTimeout;
  private final AsyncLimiter limiter;

  /** Limits and timeouts of one vendor's client. */
  public record Settings(Duration connectTimeout, Duration readTimeout, int maxConcurrent, int maxQueued) {

    public static Settings fromConfig(RelayConfig config) {
      return new Settings(config.getDuration(ProviderKeys.CONNECT_TIMEOUT), config.getDuration(ProviderKeys.READ_TIMEOUT),
          config.getInt(ProviderKeys.MAX_CONCURRENT), config.getInt(ProviderKeys.MAX_QUEUED));
    }
  }

  public VendorHttp(String provider, Settings settings) {
    this.provider = provider;
    this.client = HttpClients.build(OWNER, HttpClient.newBuilder()
        .connectTimeout(settings.connectTimeout())
        // Vendor APIs and the simulator speak HTTP/1.1; an h2c upgrade attempt would only add a round trip.
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER));
    this.readTimeout = settings.readTimeout();
    this.limiter = new AsyncLimiter(settings.maxConcurrent(), settings.maxQueued());
  }

  /**
   * Sends one request and reads the vendor's answer with {@code interpret}. Never completes
   * exceptionally: transport failures, timeouts, a full queue and an answer {@code interpret}
   * cannot read all become rejections.
   */
  public CompletableFuture<ProviderResponse> exchange(HttpRequest.Builder request,
      Function<HttpResponse<String>, ProviderResponse> interpret) {
    HttpRequest built = request.timeout(readTimeout).build();
    return limiter.submit(() -> client.sendAsync(built, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)))
        .thenApply(response -> {
          try {
            return interpret.apply(response);
          } catch (RuntimeException e) {
            LOG.warn("{} answered HTTP {} with a body that cannot be read: {}", provider, response.statusCode(), e.toString());
            return ProviderResponse.rejected(response.statusCode() >= 500 ? ErrorCategory.PROVIDER_ERROR : ErrorCategory.UNKNOWN_ERROR,
                Integer.toString(response.statusCode()), "unreadable answer: " + e.getClass().getSimpleName());
          }
        })
        .exceptionally(this::failure);
  }

  /**
   * A lookup (status polling): the answer read by {@code interpret}, or empty on any failure. Shares
   * the vendor's concurrency bound with sends.
   */
  public <T> CompletableFuture<Optional<T>> lookup(HttpRequest.Builder request, Function<HttpResponse<String>, Optional<T>> interpret) {
    HttpRequest built = request.timeout(readTimeout).build();
    return limiter.submit(() -> client.sendAsync(built, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)))
        .thenApply(interpret)
        .exceptionally(error -> {
          LOG.warn("status lookup at {} failed: {}", provider, unwrap(error).toString());
          return Optional.empty();
        });
  }

  public AsyncLimiter limiter() {
    return limiter;
  }

  /** What a failed exchange means for failover. */
  ProviderResponse failure(Throwable thrown) {
    Throwable cause = unwrap(thrown);
    if (cause instanceof HttpTimeoutException) {
      // Includes HttpConnectTimeoutException: either way the vendor did not answer in time.
      return ProviderResponse.rejected(ErrorCategory.TIMEOUT, null, provider + " did not answer in time: " + cause.getMessage());
    }
    if (cause instanceof AsyncLimiter.QueueFullException) {
      // Relay's own bulkhead, not the vendor: no vendor code, so scoring does not hold it against the route.
      return ProviderResponse.rejected(ErrorCategory.THROTTLED, null,
          "Relay's queue of requests to " + provider + " is full: " + cause.getMessage());
    }
    if (cause instanceof IOException) {
      return ProviderResponse.rejected(ErrorCategory.PROVIDER_ERROR, null, "cannot reach " + provider + ": " + cause);
    }
    LOG.error("unexpected failure calling {}", provider, cause);
    return ProviderResponse.rejected(ErrorCategory.PROVIDER_ERROR, null, "request to " + provider + " failed: " + cause.getClass().getSimpleName());
  }

  public static String basicAuth(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** The base URL without a trailing slash, so paths can be appended as the vendors document them. */
  public static String trimBase(String baseUrl) {
    String base = baseUrl.trim();
    return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
  }

  private static Throwable unwrap(Throwable thrown) {
    Throwable cause = thrown;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
