package dev.relay.api.http;

import dev.relay.schemas.Attempt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.PrefixBlock;
import dev.relay.schemas.VerificationReply;
import dev.relay.schemas.VerificationStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The JSON bodies the API answers with, built from the dispatcher's replies; names as in the OpenAPI document. */
final class Views {

  private Views() {}

  /** A verification as a start returns it. */
  record Verification(String id, String to, String status, String channel, Instant createdAt, Instant expiresAt) {

    static Verification of(VerificationReply reply, String requestedNumber) {
      return new Verification(
          reply.getVerificationId(),
          reply.getTo() == null ? requestedNumber : reply.getTo(),
          statusName(reply.getStatus()),
          channelName(reply.getChannel()),
          reply.getCreatedAt(),
          reply.getExpiresAt());
    }
  }

  /** A verification as {@code GET /v1/verifications/{id}} returns it: no field could hold a code. */
  record Status(String id, String to, String status, String channel, Instant createdAt, Instant expiresAt,
      List<AttemptView> attempts) {

    static Status of(VerificationReply reply, String requestedNumber) {
      List<AttemptView> attempts = new ArrayList<>();
      reply.getAttempts().forEach(attempt -> attempts.add(AttemptView.of(attempt)));
      return new Status(
          reply.getVerificationId(),
          reply.getTo() == null ? requestedNumber : reply.getTo(),
          statusName(reply.getStatus()),
          channelName(reply.getChannel()),
          reply.getCreatedAt(),
          reply.getExpiresAt(),
          attempts);
    }
  }

  /**
   * One send: {@code outcome} is the receipt's final status when one came ({@code delivered},
   * {@code undelivered}, {@code failed}, ...), else {@code accepted} or {@code rejected} by the
   * provider, else {@code sending}.
   */
  record AttemptView(int attempt, String channel, String provider, String reason, Instant dispatchedAt,
      Instant submittedAt, Instant deliveredAt, String outcome) {

    static AttemptView of(Attempt attempt) {
      String outcome;
      if (attempt.getDeliveryStatus() != null) {
        outcome = attempt.getDeliveryStatus().name().toLowerCase(Locale.ROOT);
      } else if (attempt.getOutcome() != null) {
        outcome = attempt.getOutcome().name().toLowerCase(Locale.ROOT);
      } else {
        outcome = "sending";
      }
      return new AttemptView(attempt.getAttempt(), channelName(attempt.getChannel()), attempt.getProvider(),
          attempt.getReason() == null ? null : attempt.getReason().name().toLowerCase(Locale.ROOT),
          attempt.getDispatchedAt(), attempt.getSubmittedAt(), attempt.getDeliveredAt(), outcome);
    }
  }

  /** The outcome of a code check. */
  record Check(String status, boolean valid, Integer attemptsRemaining) {

    static Check of(VerificationReply reply) {
      return new Check(statusName(reply.getStatus()), Boolean.TRUE.equals(reply.getValid()), reply.getAttemptsRemaining());
    }
  }

  /** {@code approved}, {@code max_attempts_reached}, ...: the enum's name in lower case. */
  static String statusName(VerificationStatus status) {
    return status == null || status == VerificationStatus.UNKNOWN_STATUS ? "unknown" : status.name().toLowerCase(Locale.ROOT);
  }

  static String channelName(Channel channel) {
    return channel == null || channel == Channel.UNKNOWN_CHANNEL ? "unknown" : channel.name().toLowerCase(Locale.ROOT);
  }

  /** A blocked (or just released) destination prefix, as the admin endpoints show it. */
  record BlockedPrefix(String prefix, String country, String state, String reason, long startedInWindow,
      long approvedInWindow, double completionRate, double baselinePerWindow, Instant windowStart, Instant blockedAt,
      Instant blockedUntil, Instant releasedAt, String releasedBy) {

    static BlockedPrefix of(PrefixBlock block) {
      return new BlockedPrefix(block.getPrefix(), block.getCountry(), block.getState().name().toLowerCase(Locale.ROOT),
          block.getReason(), block.getStartedInWindow(), block.getApprovedInWindow(), block.getCompletionRate(),
          block.getBaselinePerWindow(), block.getWindowStart(), block.getBlockedAt(), block.getBlockedUntil(),
          block.getReleasedAt(), block.getReleasedBy());
    }
  }

  /** {@code GET /v1/admin/blocked-prefixes}. */
  record BlockedPrefixes(List<BlockedPrefix> blockedPrefixes) {}
}
