package dev.relay.api.http;

import dev.relay.schemas.Channel;
import dev.relay.schemas.VerificationReply;
import dev.relay.schemas.VerificationStatus;
import java.time.Instant;
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
}
