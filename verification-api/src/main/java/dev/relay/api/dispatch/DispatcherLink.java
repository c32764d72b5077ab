package dev.relay.api.dispatch;

import dev.relay.schemas.CodeCheckRequest;
import dev.relay.schemas.VerificationReply;
import dev.relay.schemas.VerificationRequest;
import java.util.concurrent.CompletableFuture;

/**
 * The API's side of the conversation with dispatcher-stream: hand a start or a check over durably,
 * then wait for the dispatcher's reply to it. Kafka in production ({@link KafkaDispatcherLink}); the
 * HTTP routes know nothing else of it.
 *
 * <p>The returned futures complete with the reply, or exceptionally with
 * {@link NotAcknowledgedException} when Kafka did not take the request in time (nothing may be
 * assumed to have happened) or {@link NoReplyException} when Kafka took it but no reply came in
 * time (it may still be acted on).
 */
public interface DispatcherLink extends AutoCloseable {

  /** Connects; returns once requests can be produced and replies will be seen. */
  void start();

  /** A start, keyed by its number; the reply is the one whose correlation id is {@code replyTo}. */
  CompletableFuture<VerificationReply> start(VerificationRequest request);

  /** A check, keyed by its number; the reply is the one whose correlation id is the {@code checkId}. */
  CompletableFuture<VerificationReply> check(CodeCheckRequest check);

  /** Whether it can take requests and see replies now. */
  boolean isReady();

  /** Binds the link's own client metrics (Kafka's) to the service's registry, once started. */
  default void bindMetrics(io.micrometer.core.instrument.MeterRegistry registry) {
  }

  @Override
  void close();
}
