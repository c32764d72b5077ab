package dev.relay.api.http;

import dev.relay.schemas.Attempt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.PrefixBlock;
import dev.relay.schemas.ProviderTry;
import dev.relay.schemas.VerificationReply;
import dev.relay.schemas.VerificationService;
import dev.relay.schemas.VerificationStatus;
import dev.relay.schemas.state.VerificationState;
import dev.relay.support.phone.PhoneNumbers;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The JSON bodies the API answers with, built from the dispatcher's replies; names as in the OpenAPI document. */
final class Views {

  private Views() {}

  /** A service (tenant) as the admin endpoints answer it; it holds no secret. */
  record Service(String id, String friendlyName, int codeLength, String expiry, int maxChecks, int maxSends,
      List<String> channels, Map<String, String> templates, Instant createdAt, Instant updatedAt, String updatedBy) {

    static Service of(VerificationService service) {
      return new Service(service.getServiceId(), service.getFriendlyName(), service.getCodeLength(),
          Duration.ofMillis(service.getExpiryMillis()).toString(), service.getMaxChecks(), service.getMaxSends(),
          service.getChannels().stream().map(Views::channelName).toList(), new TreeMap<>(service.getTemplates()),
          service.getCreatedAt(), service.getUpdatedAt(), service.getUpdatedBy());
    }
  }

  record ServiceList(List<Service> services) {}

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

    /** From the dispatcher's state, as a status read gets it. */
    static Status of(VerificationState state) {
      List<AttemptView> attempts = new ArrayList<>();
      state.getAttempts().forEach(attempt -> attempts.add(AttemptView.of(attempt)));
      return new Status(state.getVerificationId(), state.getTo(), statusName(state.getStatus()),
          channelName(state.getChannel()), state.getCreatedAt(), state.getExpiresAt(), attempts);
    }
  }

  /**
   * One send: {@code outcome} is the receipt's final status when one came ({@code delivered},
   * {@code undelivered}, {@code failed}, ...), else {@code accepted} or {@code rejected} by the
   * provider, else {@code sending}; {@code providerTries} every provider request it took, in order.
   */
  record AttemptView(int attempt, String channel, String provider, String reason, Instant dispatchedAt,
      Instant submittedAt, Instant deliveredAt, String outcome, List<TryView> providerTries) {

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
          attempt.getDispatchedAt(), attempt.getSubmittedAt(), attempt.getDeliveredAt(), outcome, TryView.of(attempt));
    }
  }

  /**
   * One provider request of a send, rejected or accepted: {@code reason} why it was made (the send's
   * own reason for the first, {@code rejection} for a try after the route before it refused),
   * {@code routingReason} why its route stood there (table, score, demotion, exploration, pin), the
   * vendor's code and Relay's category of a rejection, the price the vendor reported, and its times.
   * Never the vendor's free text, which may repeat the number.
   */
  record TryView(int tryIndex, String provider, String channel, String reason, String routingReason, String outcome,
      String errorCategory, String vendorCode, Long priceMicros, Instant startedAt, Instant completedAt) {

    static List<TryView> of(Attempt attempt) {
      List<TryView> tries = new ArrayList<>();
      for (ProviderTry one : attempt.getProviderTries()) {
        tries.add(new TryView(one.getTryIndex(), one.getProvider(), channelName(one.getChannel()), lower(one.getReason()),
            one.getRoutingReason(), lower(one.getOutcome()), lower(one.getErrorCategory()), one.getVendorCode(),
            one.getPriceMicros(), one.getStartedAt(), one.getCompletedAt()));
      }
      return tries;
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

  /**
   * A verification as the operator's lookup shows it: the whole attempt history with what the status
   * read leaves out of each send (its routing reason, error category, price, the provider's message id;
   * both show every provider try) and the receipts that came back; the number masked, never a code (the state holds none in
   * plaintext, and no hash or sealed copy reaches the API).
   */
  record AdminVerification(String id, String to, String country, String status, String channel, String apiKey,
      Instant createdAt, Instant expiresAt, Instant finishedAt, int sendsUsed, int wrongGuesses,
      List<AdminAttempt> attempts, List<Receipt> receipts) {

    static AdminVerification of(VerificationState state) {
      List<AdminAttempt> attempts = new ArrayList<>();
      List<Receipt> receipts = new ArrayList<>();
      for (Attempt attempt : state.getAttempts()) {
        attempts.add(AdminAttempt.of(attempt));
        if (attempt.getDeliveryStatus() != null) {
          receipts.add(new Receipt(attempt.getAttempt(), attempt.getProvider(), attempt.getProviderMessageId(),
              lower(attempt.getDeliveryStatus()), attempt.getDeliveredAt()));
        }
      }
      return new AdminVerification(state.getVerificationId(), PhoneNumbers.mask(state.getTo()), state.getCountry(),
          statusName(state.getStatus()), channelName(state.getChannel()), state.getApiKeyName(), state.getCreatedAt(),
          state.getExpiresAt(), state.getFinishedAt(), state.getSendsUsed(), state.getWrongGuesses(), attempts, receipts);
    }
  }

  /**
   * One send in full: {@code outcome} is the provider's answer ({@code accepted}, {@code rejected}, null
   * while sending), {@code deliveryStatus} the final receipt's, {@code priceMicros} what the accepting
   * vendor reported it cost in millionths of its currency, {@code tries} how many provider requests it
   * took and {@code providerTries} each of them in order.
   */
  record AdminAttempt(int attempt, String channel, String reason, String provider, String routingReason, int tries,
      String outcome, String errorCategory, Long priceMicros, String providerMessageId, Instant dispatchedAt,
      Instant submittedAt, Instant deliveredAt, String deliveryStatus, Instant verifiedAt, List<TryView> providerTries) {

    static AdminAttempt of(Attempt attempt) {
      return new AdminAttempt(attempt.getAttempt(), channelName(attempt.getChannel()), lower(attempt.getReason()),
          attempt.getProvider(), attempt.getRoutingReason(), attempt.getTries(), lower(attempt.getOutcome()),
          lower(attempt.getErrorCategory()), attempt.getPriceMicros(), attempt.getProviderMessageId(),
          attempt.getDispatchedAt(), attempt.getSubmittedAt(), attempt.getDeliveredAt(), lower(attempt.getDeliveryStatus()),
          attempt.getVerifiedAt(), TryView.of(attempt));
    }
  }

  /** A final delivery receipt the dispatcher matched to a send. */
  record Receipt(int attempt, String provider, String providerMessageId, String status, Instant at) {}

  private static String lower(Enum<?> value) {
    return value == null ? null : value.name().toLowerCase(Locale.ROOT);
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
