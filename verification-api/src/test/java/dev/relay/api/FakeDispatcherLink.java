package dev.relay.api;

import dev.relay.api.dispatch.DispatcherLink;
import dev.relay.schemas.Channel;
import dev.relay.schemas.CodeCheckRequest;
import dev.relay.schemas.ReplyKind;
import dev.relay.schemas.VerificationReply;
import dev.relay.schemas.VerificationRequest;
import dev.relay.schemas.VerificationStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A dispatcher for route tests: records what would have been produced and answers as the test
 * says; by default a start is STARTED and a check is CHECKED pending.
 */
public final class FakeDispatcherLink implements DispatcherLink {

  public static final Instant CREATED = Instant.parse("2030-01-02T03:04:05Z");
  public static final Instant EXPIRES = CREATED.plus(Duration.ofMinutes(10));

  public final List<VerificationRequest> starts = new CopyOnWriteArrayList<>();
  public final List<CodeCheckRequest> checks = new CopyOnWriteArrayList<>();
  public volatile Function<VerificationRequest, CompletableFuture<VerificationReply>> onStart =
      request -> CompletableFuture.completedFuture(started(request, defaultKind(request)));
  public volatile Function<CodeCheckRequest, CompletableFuture<VerificationReply>> onCheck =
      check -> CompletableFuture.completedFuture(checked(check, VerificationStatus.PENDING, false, 4));
  public volatile boolean ready = true;
  public volatile boolean started;
  public volatile boolean closed;

  @Override
  public void start() {
    started = true;
  }

  @Override
  public CompletableFuture<VerificationReply> start(VerificationRequest request) {
    starts.add(request);
    return onStart.apply(request);
  }

  @Override
  public CompletableFuture<VerificationReply> check(CodeCheckRequest check) {
    checks.add(check);
    return onCheck.apply(check);
  }

  @Override
  public boolean isReady() {
    return started && ready && !closed;
  }

  @Override
  public void close() {
    closed = true;
  }

  /** Everything that would have been written to Kafka. */
  public int produced() {
    return starts.size() + checks.size();
  }

  /** What the dispatcher answers a request of each action when all is well. */
  public static ReplyKind defaultKind(VerificationRequest request) {
    return switch (request.getAction()) {
      case RESEND -> ReplyKind.RESENT;
      case CANCEL -> ReplyKind.CANCELED;
      case STATUS -> ReplyKind.STATUS;
      default -> ReplyKind.STARTED;
    };
  }

  public static VerificationReply started(VerificationRequest request, ReplyKind kind) {
    return reply(request.getReplyTo(), kind)
        .setVerificationId(request.getVerificationId())
        .setTo(request.getTo())
        .setChannel(request.getChannel())
        .setStatus(kind == ReplyKind.CANCELED ? VerificationStatus.CANCELED : VerificationStatus.PENDING)
        .setCreatedAt(CREATED)
        .setExpiresAt(EXPIRES)
        .build();
  }

  public static VerificationReply checked(CodeCheckRequest check, VerificationStatus status, boolean valid, Integer attemptsRemaining) {
    return reply(check.getCheckId(), ReplyKind.CHECKED)
        .setVerificationId(check.getVerificationId())
        .setTo(check.getTo())
        .setStatus(status)
        .setValid(valid)
        .setAttemptsRemaining(attemptsRemaining)
        .build();
  }

  public static VerificationReply.Builder reply(String correlationId, ReplyKind kind) {
    return VerificationReply.newBuilder()
        .setCorrelationId(correlationId)
        .setKind(kind)
        .setChannel(Channel.SMS)
        .setStatus(VerificationStatus.PENDING)
        .setRepliedAt(CREATED);
  }
}
