package dev.relay.api;

import dev.relay.api.dispatch.ReadUnavailableException;
import dev.relay.api.dispatch.VerificationReader;
import dev.relay.schemas.Channel;
import dev.relay.schemas.VerificationStatus;
import dev.relay.schemas.state.VerificationState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** The dispatcher's state as a test sets it: verifications by number, or a read that cannot be answered. */
public final class FakeVerificationReader implements VerificationReader {

  public final Map<String, VerificationState> byNumber = new ConcurrentHashMap<>();
  public final List<String> reads = new CopyOnWriteArrayList<>();
  /** When set, every read fails with it. */
  public volatile RuntimeException failure;

  @Override
  public CompletableFuture<Optional<VerificationState>> find(String number) {
    reads.add(number);
    if (failure != null) {
      return CompletableFuture.failedFuture(failure);
    }
    return CompletableFuture.completedFuture(Optional.ofNullable(byNumber.get(number)));
  }

  public void unavailable(java.time.Duration retryAfter) {
    failure = new ReadUnavailableException("rebalancing", retryAfter);
  }

  /** A pending SMS verification of {@code number}, started by {@code apiKey}, created at {@code createdAt}, ten minutes to live. */
  public static VerificationState.Builder pending(String id, String number, String apiKey, Instant createdAt) {
    return VerificationState.newBuilder()
        .setVerificationId(id)
        .setTo(number)
        .setCountry("DE")
        .setChannel(Channel.SMS)
        .setStatus(VerificationStatus.PENDING)
        .setCreatedAt(createdAt)
        .setExpiresAt(createdAt.plusSeconds(600))
        .setApiKeyName(apiKey);
  }
}
