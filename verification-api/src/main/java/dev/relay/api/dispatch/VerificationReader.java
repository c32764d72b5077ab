package dev.relay.api.dispatch;

import dev.relay.schemas.state.VerificationState;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Reads a number's verification from the dispatcher's state, without a trip through Kafka: status
 * reads and the admin lookup. Over HTTP in production ({@link HttpVerificationReader}).
 *
 * <p>The future completes with the verification (no code, hash or request fingerprints in it), empty
 * when the number has none, or exceptionally with {@link ReadUnavailableException} when no
 * dispatcher could answer for the number now.
 */
public interface VerificationReader {

  CompletableFuture<Optional<VerificationState>> find(String number);
}
