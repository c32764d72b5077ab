package dev.relay.providers;

import dev.relay.providers.receipt.Receipt;
import dev.relay.schemas.Channel;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One vendor's API for delivering a code message. The sender talks only to this interface: it never
 * knows which vendor is behind it. Implementations never throw from {@link #send}; every failure
 * (an HTTP error, a timeout, a refused connection) completes the future with a rejected
 * {@link ProviderResponse} whose category says whether another route may succeed.
 */
public interface ProviderClient {

  /** The configured name, lower case: what routes and send results call it. */
  String name();

  Set<Channel> channels();

  CompletableFuture<ProviderResponse> send(OutboundMessage message);

  /**
   * Asks the vendor for a message's current status, for an attempt whose receipt never came
   * (polling). Completes with the status as a receipt (its idempotency key unknown), or empty when
   * the vendor cannot say: it offers no status lookup, does not know the id, or cannot be reached.
   * Never completes exceptionally.
   *
   * @param providerMessageId the id from the send's {@link ProviderResponse}, normalized or not
   */
  default CompletableFuture<Optional<Receipt>> checkStatus(String providerMessageId) {
    return CompletableFuture.completedFuture(Optional.empty());
  }
}
