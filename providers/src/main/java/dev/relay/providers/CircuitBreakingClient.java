package dev.relay.providers;

import dev.relay.providers.receipt.Receipt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.ErrorCategory;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Puts one circuit breaker in front of a vendor per destination country, so an outage costs a few
 * timeouts and then an immediate rejection, not one timeout per verification. Only the vendor's own
 * failures count (PROVIDER_ERROR: 5xx, unreachable, garbled; TIMEOUT); a rejection about a number or
 * our account says nothing about the vendor's health. While open, sends are rejected at once as
 * PROVIDER_ERROR with vendor code {@value #CIRCUIT_OPEN}, which the sender treats like any retryable
 * rejection: next route.
 */
public final class CircuitBreakingClient implements ProviderClient {

  public static final String CIRCUIT_OPEN = "circuit_open";

  private final ProviderClient delegate;
  private final CircuitBreakerRegistry registry;

  /** Breaker thresholds; see {@link ProviderKeys} for their meaning. */
  public record Settings(float failureRatePercent, int minimumCalls, int windowCalls, Duration openFor) {

    CircuitBreakerConfig toConfig() {
      return CircuitBreakerConfig.custom()
          .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
          .slidingWindowSize(windowCalls)
          .minimumNumberOfCalls(minimumCalls)
          .failureRateThreshold(failureRatePercent)
          .waitDurationInOpenState(openFor)
          .permittedNumberOfCallsInHalfOpenState(1)
          // A slow vendor is a failing vendor only when it times out; that is counted as a failure.
          .slowCallRateThreshold(100)
          .build();
    }
  }

  public CircuitBreakingClient(ProviderClient delegate, Settings settings) {
    this.delegate = delegate;
    this.registry = CircuitBreakerRegistry.of(settings.toConfig());
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public Set<Channel> channels() {
    return delegate.channels();
  }

  @Override
  public CompletableFuture<ProviderResponse> send(OutboundMessage message) {
    CircuitBreaker breaker = breaker(message.country());
    if (!breaker.tryAcquirePermission()) {
      return CompletableFuture.completedFuture(ProviderResponse.rejected(ErrorCategory.PROVIDER_ERROR, CIRCUIT_OPEN,
          delegate.name() + " is failing for " + countryOf(message.country()) + "; not called until the circuit closes"));
    }
    long started = System.nanoTime();
    CompletableFuture<ProviderResponse> sent;
    try {
      sent = delegate.send(message);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    return sent.handle((response, error) -> {
      long elapsed = System.nanoTime() - started;
      if (error != null) {
        breaker.onError(elapsed, TimeUnit.NANOSECONDS, error);
        return ProviderResponse.rejected(ErrorCategory.PROVIDER_ERROR, null, delegate.name() + " adapter failed: " + error.getClass().getSimpleName());
      }
      if (isVendorFailure(response)) {
        breaker.onError(elapsed, TimeUnit.NANOSECONDS, new VendorFailure(response.category()));
      } else {
        breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
      }
      return response;
    });
  }

  @Override
  public CompletableFuture<Optional<Receipt>> checkStatus(String providerMessageId) {
    // Polls are few and not per country; they neither pass through nor feed the breakers.
    return delegate.checkStatus(providerMessageId);
  }

  /** The breaker state for a country, for tests and health pages. */
  public CircuitBreaker.State state(String country) {
    return breaker(country).getState();
  }

  static boolean isVendorFailure(ProviderResponse response) {
    return !response.accepted()
        && (response.category() == ErrorCategory.PROVIDER_ERROR || response.category() == ErrorCategory.TIMEOUT);
  }

  private CircuitBreaker breaker(String country) {
    return registry.circuitBreaker(delegate.name() + "|" + countryOf(country));
  }

  private static String countryOf(String country) {
    return country == null || country.isBlank() ? "ZZ" : country;
  }

  /** Recorded as the breaker's error; carries no text of the vendor's answer. */
  private static final class VendorFailure extends RuntimeException {
    VendorFailure(ErrorCategory category) {
      super(category.name(), null, false, false);
    }
  }
}
