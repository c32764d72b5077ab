package dev.relay.dispatcher.topology;

import dev.relay.dispatcher.config.DispatcherSettings;
import dev.relay.dispatcher.config.LimitSettings;
import dev.relay.dispatcher.config.ReceiptPollSchedule;
import dev.relay.dispatcher.limits.Networks;
import dev.relay.dispatcher.routing.RouteChooser;
import dev.relay.dispatcher.routing.SendChannels;
import dev.relay.providers.ErrorCategories;
import dev.relay.schemas.Attempt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.CodeCheckRequest;
import dev.relay.schemas.DeliveryOutcome;
import dev.relay.schemas.DeliveryReceipt;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.DeliveryStatuses;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.ProviderTry;
import dev.relay.schemas.ReplyKind;
import dev.relay.schemas.RequestAction;
import dev.relay.schemas.Route;
import dev.relay.schemas.SendCommand;
import dev.relay.schemas.SendOutcome;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.ServiceSettings;
import dev.relay.schemas.VerificationOwnership;
import dev.relay.schemas.VerificationReply;
import dev.relay.schemas.VerificationRequest;
import dev.relay.schemas.VerificationStatus;
import dev.relay.schemas.state.NumberSend;
import dev.relay.schemas.state.ReceiptPolls;
import dev.relay.schemas.state.VerificationState;
import dev.relay.support.phone.PhoneNumbers;
import dev.relay.support.secrets.CodeGenerator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rules of one number's verification, decided by its single writer: a start creates a
 * verification (or resends the pending one's code), a resend, cancel or status request acts on the
 * verification it names (NOT_FOUND when that is not the number's current one, or another API key
 * started it), a check of a pending verification of the caller's key is compared in constant time
 * (any other check is NOT_FOUND, saying nothing of how the verification ended), send
 * results and receipts move the attempt history, and a due deadline closes a delivery window or ends
 * the verification. Every method takes the state as stored and returns the {@link Effects}; nothing
 * here touches Kafka.
 *
 * <p>Failover: a command carries every untried route of its channel; when all of them rejected, a
 * final failure receipt came, or the delivery window closed without a delivered receipt, the same
 * code goes out on the untried routes left, then on voice where voice fallback is enabled for the
 * country, and the verification fails when none is left. When the send cap is used up, a known failure
 * (rejection, failed receipt) ends the verification as {@code MAX_ATTEMPTS_REACHED}; a closed window
 * does not, since the last code may still arrive: the verification then stays pending until it expires.
 *
 * <p>Every send, whatever caused it (a start, a resend, a failover, the voice fallback), is one paid
 * message: each is recorded in the number's send history, and a failover the number's budget does not
 * allow is withheld (the verification stays pending, without a delivery window, and a resend can be
 * asked for once the budget allows it).
 */
final class VerificationLifecycle {

  static final String ERROR_MAX_SENDS = "max_sends_reached";
  static final String ERROR_NO_ROUTE = "no_route";
  static final String ERROR_UNREADABLE_CODE = "unreadable_code";
  static final String ERROR_NOT_PENDING = "not_pending";
  static final String ERROR_UNKNOWN_ACTION = "unknown_action";
  static final String ERROR_NUMBER_LIMIT = "rate_limited_number";
  static final String ERROR_NUMBER_NETWORK_LIMIT = "rate_limited_number_network";
  static final String ERROR_PREFIX_BLOCKED = "prefix_blocked";
  static final String ERROR_IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused";

  /**
   * The provider tries kept per send: a send has one try per route of its command, a handful per
   * country, so this only bounds the state against a table gone wrong; {@code Attempt.tries} still
   * counts every try.
   */
  static final int RECORDED_TRIES_PER_SEND = 10;

  /** Enough to answer a client's retries of recent starts; the creating request always stays first. */
  private static final int REMEMBERED_REQUEST_IDS = 20;
  /** The code lengths CodeGenerator makes. */
  private static final int MIN_CODE_LENGTH = 4;
  private static final int MAX_CODE_LENGTH = 10;
  /** Ends without the code entered: a send's receipt after one is no longer the route's to answer for. */
  private static final Set<VerificationStatus> UNANSWERED_ENDS = EnumSet.of(
      VerificationStatus.EXPIRED, VerificationStatus.MAX_ATTEMPTS_REACHED, VerificationStatus.FAILED);

  private final DispatcherSettings settings;
  private final LimitSettings limits;
  private final RouteChooser routing;
  private final VerificationSecrets secrets;
  /** Generators for the code lengths services ask for other than the deployment's, made when first asked. */
  private final Map<Integer, CodeGenerator> codesByLength = new ConcurrentHashMap<>();
  private final MeterRegistry metrics;
  private final LifecycleMeters meters;
  private final PrefixBlocks blocks;
  private final RequestBlocks requestBlocks;
  private final SendHistory sendHistory;
  /** A finished verification's retention, at least as long as the number's sends it carries are counted. */
  private final Duration keepFinished;
  private final ReceiptPollSchedule receiptPolls;

  VerificationLifecycle(DispatcherSettings settings, LimitSettings limits, RouteChooser routing, VerificationSecrets secrets,
      MeterRegistry metrics) {
    this(settings, limits, routing, secrets, metrics, PrefixBlocks.NONE, RequestBlocks.NONE);
  }

  private VerificationLifecycle(DispatcherSettings settings, LimitSettings limits, RouteChooser routing,
      VerificationSecrets secrets, MeterRegistry metrics, PrefixBlocks blocks, RequestBlocks requestBlocks) {
    this.settings = settings;
    this.limits = limits;
    this.routing = routing;
    this.secrets = secrets;
    this.metrics = metrics;
    this.meters = new LifecycleMeters(metrics);
    this.blocks = blocks;
    this.requestBlocks = requestBlocks;
    this.sendHistory = new SendHistory(limits.perNumberHorizon());
    this.keepFinished = sendHistory.keepFinishedFor(settings.retention());
    this.receiptPolls = settings.receiptPolls();
  }

  /** The same rules asking another chooser: each stream task routes over its own view of the scores. */
  VerificationLifecycle withRouting(RouteChooser chooser) {
    return new VerificationLifecycle(settings, limits, chooser, secrets, metrics, blocks, requestBlocks);
  }

  /** The same rules refusing user-asked sends to the destination prefixes these blocks name. */
  VerificationLifecycle withBlocks(PrefixBlocks prefixBlocks) {
    return new VerificationLifecycle(settings, limits, routing, secrets, metrics, prefixBlocks, requestBlocks);
  }

  /** The same rules refusing starts and resends whose client IP, network or API key is over its limit. */
  VerificationLifecycle withRequestBlocks(RequestBlocks blocksByRequest) {
    return new VerificationLifecycle(settings, limits, routing, secrets, metrics, blocks, blocksByRequest);
  }

  /**
   * When the punctuator must next look at this state: a delivery window, the expiry, the purge, or a
   * status poll of a send whose final receipt is overdue, whichever comes first.
   */
  Optional<Instant> deadlineOf(VerificationState state) {
    Optional<Instant> lifecycle = lifecycleDeadlineOf(state);
    Optional<Instant> poll = nextPollOf(state);
    if (poll.isEmpty()) {
      return lifecycle;
    }
    return lifecycle.isPresent() && lifecycle.get().isBefore(poll.get()) ? lifecycle : poll;
  }

  /** A delivery window, the expiry, or the purge. */
  private Optional<Instant> lifecycleDeadlineOf(VerificationState state) {
    if (state == null) {
      return Optional.empty();
    }
    if (state.getStatus() == VerificationStatus.PENDING) {
      Instant window = state.getDeliveryDeadline();
      Instant expiry = state.getExpiresAt();
      return Optional.of(window != null && window.isBefore(expiry) ? window : expiry);
    }
    Instant finished = state.getFinishedAt() != null ? state.getFinishedAt() : state.getCreatedAt();
    return Optional.of(finished.plus(keepFinished));
  }

  // ---------------------------------------------------------------- starts

  Effects onRequest(String number, VerificationState current, VerificationRequest request, Instant now) {
    Effects fx = new Effects(editable(current));
    expireIfDue(fx, now);
    RequestAction action = request.getAction() == null ? RequestAction.START : request.getAction();
    if ((action == RequestAction.START || action == RequestAction.RESEND) && overRequestLimit(fx, request, now)) {
      return fx;
    }
    return switch (action) {
      case START -> onStart(fx, number, request, now);
      case RESEND -> onResend(fx, number, request, now);
      case CANCEL -> onCancel(fx, number, request, now);
      case STATUS -> onStatus(fx, number, request, now);
      default -> {
        count("relay.requests", "outcome", "unknown_action");
        replyToStart(fx, request, VerificationReply.newBuilder()
            .setCorrelationId(Objects.requireNonNullElse(request.getReplyTo(), ""))
            .setKind(ReplyKind.REFUSED)
            .setVerificationId(request.getVerificationId())
            .setTo(number)
            .setStatus(VerificationStatus.UNKNOWN_STATUS)
            .setError(ERROR_UNKNOWN_ACTION)
            .setRepliedAt(now)
            .build());
        yield fx;
      }
    };
  }

  private Effects onStart(Effects fx, String number, VerificationRequest request, Instant now) {
    VerificationState state = fx.state();
    // Request ids are scoped to the owner (the key's service, or a key without one): another owner's
    // "signup-42" is another request.
    boolean own = state != null && ownedBy(state, request.getApiKeyName(), request.getServiceId());
    if (own && state.getRequestIds().contains(request.getRequestId())) {
      if (reusedForSomethingElse(fx, state, request, now)) {
        return fx;
      }
      // A retried request: the same answer, and no second send.
      ReplyKind kind = state.getRequestIds().get(0).equals(request.getRequestId()) ? ReplyKind.STARTED : ReplyKind.EXISTING;
      replyToStart(fx, request, reply(request.getReplyTo(), kind, state, now));
      return fx;
    }
    if (prefixBlocked(fx, number, request, now) || overNumberLimit(fx, number, request, now)) {
      return fx;
    }
    if (own && state.getStatus() == VerificationStatus.PENDING) {
      repeatStart(fx, state, request, now);
    } else {
      if (state != null && state.getStatus() == VerificationStatus.PENDING) {
        // Another key's verification of this number: this caller may neither see nor reuse it, and one
        // number has one pending verification, so the newer start replaces it and its code is destroyed.
        finish(fx, state, VerificationStatus.CANCELED, "superseded", now);
      }
      create(fx, number, request, now);
    }
    return fx;
  }

  /**
   * Refuses a remembered request id that now asks for something else (another channel, locale or
   * verification), as payment APIs refuse a reused idempotency key: answering it with the first
   * request's result would hide the caller's bug, acting on it would break idempotency.
   */
  private boolean reusedForSomethingElse(Effects fx, VerificationState state, VerificationRequest request, Instant now) {
    String remembered = state.getRequestFingerprints().get(request.getRequestId());
    if (remembered == null || remembered.equals(RequestFingerprint.of(request))) {
      return false;
    }
    count("relay.requests", "outcome", ERROR_IDEMPOTENCY_KEY_REUSED);
    replyToStart(fx, request, refused(request.getReplyTo(), ERROR_IDEMPOTENCY_KEY_REUSED, state, now));
    return true;
  }

  /**
   * A service's settings as a verification may take them: the API validated them, but a request
   * produced by another writer might carry anything, and a code of 12 digits or an expiry of zero must
   * not fail the lifecycle; such settings are ignored and the deployment's apply.
   */
  private static ServiceSettings applicable(ServiceSettings service) {
    if (service == null || service.getCodeLength() < MIN_CODE_LENGTH || service.getCodeLength() > MAX_CODE_LENGTH
        || service.getExpiryMillis() <= 0 || service.getMaxChecks() < 1 || service.getMaxSends() < 1) {
      return null;
    }
    return service;
  }

  private String newCode(ServiceSettings service) {
    if (service == null || service.getCodeLength() == secrets.codes().digits()) {
      return secrets.codes().next();
    }
    return codesByLength.computeIfAbsent(service.getCodeLength(), CodeGenerator::new).next();
  }

  /** The verification's send cap: its service's, else the deployment's. */
  private int maxSends(VerificationState state) {
    return state.getServiceSettings() == null ? settings.maxSends() : state.getServiceSettings().getMaxSends();
  }

  /** The verification's guess cap: its service's, else the deployment's. */
  private int maxWrongGuesses(VerificationState state) {
    return state.getServiceSettings() == null ? settings.maxWrongGuesses() : state.getServiceSettings().getMaxChecks();
  }

  /** Whether the request's key may see this verification: a key of its service, or the key that started it when it has none. */
  private static boolean ownedBy(VerificationState state, String apiKeyName, String serviceId) {
    return VerificationOwnership.owns(state, apiKeyName, serviceId);
  }

  /**
   * Refuses a send the number's limits do not allow: all sends to it (failovers included), and the
   * part one client network may ask for. Checked only after the per-IP and per-network stages let the
   * request in.
   */
  private boolean overNumberLimit(Effects fx, String number, VerificationRequest request, Instant now) {
    List<NumberSend> sent = SendHistory.of(fx.state());
    List<Instant> all = SendHistory.times(sent);
    Optional<Instant> until = limits.perNumber().blockedUntil(all, now);
    String error = ERROR_NUMBER_LIMIT;
    Optional<String> network = Networks.of(request.getClientIp());
    if (network.isPresent()) {
      List<Instant> fromNetwork = SendHistory.times(sent.stream().filter(s -> s.getNetwork().equals(network.get())).toList());
      Optional<Instant> networkUntil = limits.perNumberPerNetwork().blockedUntil(fromNetwork, now);
      if (networkUntil.isPresent() && (until.isEmpty() || networkUntil.get().isAfter(until.get()))) {
        until = networkUntil;
        error = ERROR_NUMBER_NETWORK_LIMIT;
      }
    }
    if (until.isEmpty()) {
      return false;
    }
    refuse(fx, number, request, error, until.get(), now);
    return true;
  }

  /**
   * Refuses a start or resend while its client IP, network or API key is over its limit, before anything
   * else (a retried request too), as the limits did when they were stages in front of the lifecycle. The
   * answer names no verification: the limit is the caller's, not the number's.
   */
  private boolean overRequestLimit(Effects fx, VerificationRequest request, Instant now) {
    Optional<RequestBlocks.Block> block = requestBlocks.blockOf(request, now);
    if (block.isEmpty()) {
      return false;
    }
    count("relay.requests.limited", "limit", block.get().error());
    replyToStart(fx, request, VerificationReply.newBuilder()
        .setCorrelationId(Objects.requireNonNullElse(request.getReplyTo(), ""))
        .setKind(ReplyKind.REFUSED)
        .setVerificationId(null)
        .setTo(request.getTo())
        .setStatus(VerificationStatus.UNKNOWN_STATUS)
        .setError(block.get().error())
        .setRetryAfter(block.get().until())
        .setRepliedAt(now)
        .build());
    return true;
  }

  /**
   * Refuses a send a user asked for (a start, a repeated start, a resend) while the number's destination
   * prefix is blocked for pumping; failovers of verifications already pending go on.
   */
  private boolean prefixBlocked(Effects fx, String number, VerificationRequest request, Instant now) {
    Optional<Instant> until = blocks.blockedUntil(number, now);
    if (until.isEmpty()) {
      return false;
    }
    refuse(fx, number, request, ERROR_PREFIX_BLOCKED, until.get(), now);
    return true;
  }

  /** Answers a start or resend with a refusal that says why and when to try again, and counts it. */
  private void refuse(Effects fx, String number, VerificationRequest request, String error, Instant retryAfter,
      Instant now) {
    count("relay.requests.limited", "limit", error);
    VerificationState state = fx.state();
    VerificationReply.Builder reply = state != null
        ? base(request.getReplyTo(), ReplyKind.REFUSED, state, now)
        : VerificationReply.newBuilder()
            .setCorrelationId(Objects.requireNonNullElse(request.getReplyTo(), ""))
            .setKind(ReplyKind.REFUSED)
            .setTo(number)
            .setStatus(VerificationStatus.UNKNOWN_STATUS)
            .setRepliedAt(now);
    replyToStart(fx, request, reply.setError(error).setRetryAfter(retryAfter).build());
  }

  /** The client network a user's request is counted against ({@code ""} when it names no address). */
  private static String networkOf(VerificationRequest request) {
    return Networks.of(request.getClientIp()).orElse("");
  }

  private Effects create(Effects fx, String number, VerificationRequest request, Instant now) {
    String id = proposedIdOrMinted(number, request.getVerificationId());
    ServiceSettings service = applicable(request.getServiceSettings());
    String code = newCode(service);
    VerificationState state = VerificationState.newBuilder()
        .setVerificationId(id)
        .setTo(number)
        .setCountry(countryOf(number, request.getCountry()))
        .setChannel(SendChannels.of(request.getChannel()))
        .setLocale(request.getLocale())
        .setStatus(VerificationStatus.PENDING)
        .setCodeHash(secrets.hasher().hash(code, id))
        .setSealedCode(secrets.codeSealer().seal(code, id, number))
        .setCreatedAt(now)
        .setExpiresAt(now.plus(service == null ? settings.ttl() : Duration.ofMillis(service.getExpiryMillis())))
        .setSmsRoutesUsed(new ArrayList<>())
        .setVoiceRoutesUsed(new ArrayList<>())
        .setWhatsappRoutesUsed(new ArrayList<>())
        .setRequestIds(new ArrayList<>(List.of(request.getRequestId())))
        .setRequestFingerprints(new HashMap<>(Map.of(request.getRequestId(), RequestFingerprint.of(request))))
        .setApiKeyName(request.getApiKeyName())
        .setServiceId(request.getServiceId())
        .setServiceSettings(service)
        .setAttempts(new ArrayList<>())
        .setNumberSends(sendHistory.carriedFrom(fx.state(), now))
        .build();
    fx.replace(state);
    Optional<Plan> plan = untried(state, state.getChannel(), SendReason.INITIAL);
    plan.ifPresent(first -> dispatch(fx, state, first, now, networkOf(request)));
    // The creation event carries the first attempt, so a reader sees where the code went.
    fx.event(event(state, null, "created", now));
    if (plan.isEmpty()) {
      finish(fx, state, VerificationStatus.FAILED, "routes-exhausted", now);
    }
    replyToStart(fx, request, reply(request.getReplyTo(), ReplyKind.STARTED, state, now));
    return fx;
  }

  private Effects repeatStart(Effects fx, VerificationState state, VerificationRequest request, Instant now) {
    if (state.getSendsUsed() >= maxSends(state)) {
      replyToStart(fx, request, refused(request.getReplyTo(), ERROR_MAX_SENDS, state, now));
      return fx;
    }
    Optional<Plan> plan = forRepeat(state, SendChannels.of(request.getChannel()));
    if (plan.isEmpty()) {
      replyToStart(fx, request, refused(request.getReplyTo(), ERROR_NO_ROUTE, state, now));
      return fx;
    }
    dispatch(fx, state, plan.get(), now, networkOf(request));
    announceResend(fx, state, plan.get(), now);
    remember(state, request);
    replyToStart(fx, request, reply(request.getReplyTo(), ReplyKind.EXISTING, state, now));
    return fx;
  }

  // ---------------------------------------------------------------- resend, cancel, status

  /**
   * The same code again, on the channel asked for (else the verification's own), counted against the
   * send cap. A retried request id gets the same answer and no second send.
   */
  private Effects onResend(Effects fx, String number, VerificationRequest request, Instant now) {
    VerificationState state = current(fx, number, request, now);
    if (state == null) {
      return fx;
    }
    if (state.getRequestIds().contains(request.getRequestId())) {
      if (!reusedForSomethingElse(fx, state, request, now)) {
        replyToStart(fx, request, reply(request.getReplyTo(), ReplyKind.RESENT, state, now));
      }
      return fx;
    }
    if (state.getStatus() == VerificationStatus.PENDING && state.getSendsUsed() < maxSends(state)
        && (prefixBlocked(fx, number, request, now) || overNumberLimit(fx, number, request, now))) {
      return fx;
    }
    resend(fx, state, request, now);
    return fx;
  }

  private void resend(Effects fx, VerificationState state, VerificationRequest request, Instant now) {
    if (state.getStatus() != VerificationStatus.PENDING) {
      count("relay.resends", "outcome", "not_pending");
      replyToStart(fx, request, refused(request.getReplyTo(), ERROR_NOT_PENDING, state, now));
      return;
    }
    if (state.getSendsUsed() >= maxSends(state)) {
      count("relay.resends", "outcome", "max_sends_reached");
      replyToStart(fx, request, refused(request.getReplyTo(), ERROR_MAX_SENDS, state, now));
      return;
    }
    Channel asked = SendChannels.of(request.getChannel());
    Optional<Plan> plan = forRepeat(state, asked)
        .map(found -> new Plan(found.channel(), found.routes(), SendReason.USER_REQUEST));
    if (plan.isEmpty()) {
      count("relay.resends", "outcome", "no_route");
      replyToStart(fx, request, refused(request.getReplyTo(), ERROR_NO_ROUTE, state, now));
      return;
    }
    count("relay.resends", "outcome", "resent");
    dispatch(fx, state, plan.get(), now, networkOf(request));
    announceResend(fx, state, plan.get(), now);
    remember(state, request);
    replyToStart(fx, request, reply(request.getReplyTo(), ReplyKind.RESENT, state, now));
  }

  /** A pending verification ends as canceled and its code is destroyed; canceling twice is no error. */
  private Effects onCancel(Effects fx, String number, VerificationRequest request, Instant now) {
    VerificationState state = current(fx, number, request, now);
    if (state == null) {
      return fx;
    }
    if (state.getStatus() == VerificationStatus.PENDING) {
      finish(fx, state, VerificationStatus.CANCELED, "canceled", now);
    } else if (state.getStatus() != VerificationStatus.CANCELED) {
      replyToStart(fx, request, refused(request.getReplyTo(), ERROR_NOT_PENDING, state, now));
      return fx;
    }
    replyToStart(fx, request, reply(request.getReplyTo(), ReplyKind.CANCELED, state, now));
    return fx;
  }

  /** Status, channel, times and the attempt history; the reply type has no field a code could go in. */
  private Effects onStatus(Effects fx, String number, VerificationRequest request, Instant now) {
    VerificationState state = current(fx, number, request, now);
    if (state != null) {
      replyToStart(fx, request, base(request.getReplyTo(), ReplyKind.STATUS, state, now)
          .setAttempts(copies(state.getAttempts()))
          .build());
    }
    return fx;
  }

  /**
   * The number's verification when the request names it (or names none, as an upstream service may)
   * and comes from the key that started it; otherwise answers NOT_FOUND, the same answer as for an
   * id that never existed, and returns null.
   */
  private VerificationState current(Effects fx, String number, VerificationRequest request, Instant now) {
    VerificationState state = fx.state();
    String named = request.getVerificationId();
    if (state != null && (named == null || named.equals(state.getVerificationId()))
        && ownedBy(state, request.getApiKeyName(), request.getServiceId())) {
      return state;
    }
    count("relay.requests", "outcome", "not_found");
    replyToStart(fx, request, VerificationReply.newBuilder()
        .setCorrelationId(Objects.requireNonNullElse(request.getReplyTo(), ""))
        .setKind(ReplyKind.NOT_FOUND)
        .setVerificationId(named)
        .setTo(number)
        .setStatus(VerificationStatus.UNKNOWN_STATUS)
        .setRepliedAt(now)
        .build());
    return null;
  }

  // ---------------------------------------------------------------- checks

  Effects onCheck(String number, VerificationState current, CodeCheckRequest check, Instant now) {
    Effects fx = new Effects(editable(current));
    expireIfDue(fx, now);
    VerificationState state = fx.state();
    // Only a pending verification of the caller's own key can be checked. One that ended (approved,
    // expired, canceled, out of guesses) answers as if it never existed, as Twilio Verify does: a
    // 200 with status approved would let any later guess pass a client that reads only the status.
    if (state == null || (check.getVerificationId() != null && !check.getVerificationId().equals(state.getVerificationId()))
        || !ownedBy(state, check.getApiKeyName(), check.getServiceId()) || state.getStatus() != VerificationStatus.PENDING) {
      boolean ended = state != null && state.getStatus() != VerificationStatus.PENDING;
      count("relay.checks", "outcome", ended ? "finished" : "not_found");
      fx.reply(VerificationReply.newBuilder()
          .setCorrelationId(check.getCheckId())
          .setKind(ReplyKind.NOT_FOUND)
          .setVerificationId(check.getVerificationId())
          .setTo(number)
          .setStatus(VerificationStatus.UNKNOWN_STATUS)
          .setRepliedAt(now)
          .build());
      return fx;
    }
    // The API sealed the guess as a guess, for the id it named (none when it named only the number)
    // and the number; a sealed code copied in here was sealed as a code, under other keys, and does not open.
    Optional<String> guess = secrets.guessSealer().open(check.getCode(), check.getVerificationId(), check.getTo());
    if (guess.isEmpty()) {
      count("relay.checks", "outcome", "unreadable");
      fx.reply(refused(check.getCheckId(), ERROR_UNREADABLE_CODE, state, now));
      return fx;
    }
    if (secrets.hasher().matches(state.getCodeHash(), guess.get(), state.getVerificationId())) {
      count("relay.checks", "outcome", "approved");
      carrierOfCode(state).ifPresent(attempt -> attempt.setVerifiedAt(now));
      finish(fx, state, VerificationStatus.APPROVED, "code-approved", now);
      fx.reply(checked(check, state, true, now));
      return fx;
    }
    state.setWrongGuesses(state.getWrongGuesses() + 1);
    fx.changed();
    if (state.getWrongGuesses() >= maxWrongGuesses(state)) {
      count("relay.checks", "outcome", "max_attempts_reached");
      finish(fx, state, VerificationStatus.MAX_ATTEMPTS_REACHED, "guess-cap", now);
    } else {
      count("relay.checks", "outcome", "wrong");
    }
    fx.reply(checked(check, state, false, now));
    return fx;
  }

  // ---------------------------------------------------------------- send results

  Effects onSendResult(VerificationState current, SendResult result, Instant now, EarlyReceipts early) {
    Effects fx = new Effects(editable(current));
    VerificationState state = fx.state();
    if (state == null || !state.getVerificationId().equals(result.getVerificationId())) {
      return fx;
    }
    Attempt attempt = attemptNumbered(state, result.getAttempt());
    if (attempt == null) {
      return fx;
    }
    List<String> used = routesUsed(state, result.getChannel());
    if (!used.contains(result.getProvider())) {
      used.add(result.getProvider());
    }
    attempt.setTries(Math.max(attempt.getTries(), result.getTryIndex() + 1));
    recordTry(attempt, result);
    fx.changed();
    boolean isCurrent = attempt == currentAttempt(state);
    if (result.getOutcome() == SendOutcome.ACCEPTED) {
      boolean acceptedBefore = attempt.getOutcome() == SendOutcome.ACCEPTED;
      attempt.setProvider(result.getProvider());
      attempt.setProviderMessageId(result.getProviderMessageId());
      attempt.setOutcome(SendOutcome.ACCEPTED);
      attempt.setErrorCategory(ErrorCategory.NONE);
      attempt.setSubmittedAt(result.getCompletedAt());
      attempt.setPriceMicros(result.getPriceMicros());
      if (!DeliveryStatuses.isFinal(attempt.getDeliveryStatus()) && result.getProviderMessageId() != null) {
        early.find(result.getProvider(), result.getProviderMessageId(), now)
            .ifPresent(receipt -> {
              record(attempt, receipt);
              meters.received(state, attempt);
            });
      }
      if (!acceptedBefore) {
        // A final receipt that came first (held, or matched by the client reference) settles it now.
        settleDelivery(fx, state, attempt, now);
      }
      if (state.getStatus() == VerificationStatus.PENDING && isCurrent) {
        afterAcceptance(fx, state, attempt, now);
      }
      return fx;
    }
    attempt.setErrorCategory(result.getErrorCategory());
    if (result.getLastTry()) {
      attempt.setOutcome(SendOutcome.REJECTED);
    }
    if (state.getStatus() != VerificationStatus.PENDING) {
      return fx;
    }
    if (ErrorCategories.isPermanentForNumber(result.getErrorCategory())) {
      finish(fx, state, VerificationStatus.FAILED, "permanent-rejection", now);
    } else if (result.getLastTry() && isCurrent) {
      failover(fx, state, SendReason.REJECTION, result.getProvider(), now);
    }
    return fx;
  }

  /**
   * Keeps the try in the send's history, in route order: a rejected try is evidence too (which vendor
   * refused, with which code, and the time it cost). Once per route: a result read again replaces its
   * first reading.
   */
  private static void recordTry(Attempt attempt, SendResult result) {
    int index = result.getTryIndex();
    if (index < 0 || index >= RECORDED_TRIES_PER_SEND) {
      return;
    }
    boolean accepted = result.getOutcome() == SendOutcome.ACCEPTED;
    // A try after the first exists only because the route before it rejected (the sender moves on at once).
    SendReason reason = index == 0 ? attempt.getReason() : SendReason.REJECTION;
    // A sender from before SendResult v3 names no route reason; the send's first route's is known here.
    String routingReason = result.getRoutingReason() == null && index == 0 ? attempt.getRoutingReason() : result.getRoutingReason();
    ProviderTry recorded = ProviderTry.newBuilder()
        .setTryIndex(index)
        .setProvider(result.getProvider())
        .setChannel(result.getChannel())
        .setReason(reason)
        .setRoutingReason(routingReason)
        .setOutcome(result.getOutcome())
        .setErrorCategory(accepted ? null : result.getErrorCategory())
        .setVendorCode(accepted ? null : result.getVendorCode())
        .setPriceMicros(result.getPriceMicros())
        .setStartedAt(result.getStartedAt())
        .setCompletedAt(result.getCompletedAt())
        .build();
    List<ProviderTry> tries = new ArrayList<>(attempt.getProviderTries());
    tries.removeIf(earlier -> earlier.getTryIndex() == index);
    tries.add(recorded);
    tries.sort(Comparator.comparingInt(ProviderTry::getTryIndex));
    attempt.setProviderTries(tries);
  }

  private void afterAcceptance(Effects fx, VerificationState state, Attempt attempt, Instant now) {
    DeliveryStatus delivery = attempt.getDeliveryStatus();
    if (delivery == DeliveryStatus.DELIVERED) {
      state.setDeliveryDeadline(null);
    } else if (DeliveryStatuses.isFinal(delivery)) {
      failover(fx, state, SendReason.FAILED_RECEIPT, attempt.getProvider(), now);
    } else {
      // The window runs from the provider's acceptance, not from the command; it ends early when the
      // receipt is overdue against the route's own usual receipt time.
      Duration window = settings.deliveryWindowFor(state.getCountry());
      Duration overdue = routing.receiptOverdueAfter(attempt.getProvider(), state.getCountry(), attempt.getChannel())
          .filter(bound -> bound.compareTo(window) < 0)
          .orElse(window);
      state.setDeliveryDeadline(now.plus(overdue));
    }
  }

  // ---------------------------------------------------------------- receipts

  Effects onReceipt(VerificationState current, DeliveryReceipt receipt, Instant now, EarlyReceipts early) {
    Effects fx = new Effects(editable(current));
    VerificationState state = fx.state();
    if (state == null || !receipt.getFinalStatus()) {
      // Intermediate statuses (queued, sent, accepted, buffered) change nothing.
      return fx;
    }
    Attempt attempt = matching(state, receipt);
    if (attempt == null) {
      if (receipt.getIdempotencyKey() == null && state.getStatus() == VerificationStatus.PENDING) {
        early.hold(receipt, now);
      }
      return fx;
    }
    if (DeliveryStatuses.isFinal(attempt.getDeliveryStatus())) {
      return fx;
    }
    record(attempt, receipt);
    meters.received(state, attempt);
    fx.changed();
    if (attempt.getOutcome() == SendOutcome.ACCEPTED) {
      settleDelivery(fx, state, attempt, now);
    }
    boolean isCurrent = attempt == currentAttempt(state);
    if (state.getStatus() == VerificationStatus.PENDING && isCurrent && attempt.getOutcome() == SendOutcome.ACCEPTED) {
      afterAcceptance(fx, state, attempt, now);
    }
    return fx;
  }

  /**
   * Tells scoring what became of an accepted send's delivery, once: when its acceptance and its first
   * final receipt are both known, whichever came second. Scoring counts it for the route as it is and
   * keeps no matching state. Nothing is told for a send whose delivery window had passed (the next
   * attempt's TIMEOUT counted it undelivered, or excused it when Relay itself was down), for one carried
   * out only after the next attempt was dispatched (scoring counts no try for it), or after the
   * verification ended without the code entered (scoring settled its last send then).
   */
  private static void settleDelivery(Effects fx, VerificationState state, Attempt attempt, Instant now) {
    DeliveryStatus status = attempt.getDeliveryStatus();
    if (!DeliveryStatuses.isFinal(status) || attempt.getProvider() == null
        || UNANSWERED_ENDS.contains(state.getStatus())) {
      return;
    }
    Attempt next = attemptNumbered(state, attempt.getAttempt() + 1);
    if (next != null && (next.getReason() == SendReason.TIMEOUT
        || (attempt.getSubmittedAt() != null && next.getDispatchedAt().isBefore(attempt.getSubmittedAt())))) {
      return;
    }
    Long millisToDelivery = null;
    if (status == DeliveryStatus.DELIVERED && attempt.getDeliveredAt() != null) {
      // From the provider call; vendor clocks are not ours: a receipt dated before the call counts as instant.
      millisToDelivery = Math.max(0, Duration.between(providerCallOf(attempt), attempt.getDeliveredAt()).toMillis());
    }
    fx.outcome(DeliveryOutcome.newBuilder()
        .setProvider(attempt.getProvider())
        .setCountry(state.getCountry())
        .setChannel(attempt.getChannel())
        .setVerificationId(state.getVerificationId())
        .setAttempt(attempt.getAttempt())
        .setStatus(status)
        .setMillisToDelivery(millisToDelivery)
        .setSettledAt(now)
        .build());
  }

  /** When Relay called the provider that accepted the send; the dispatch when its try was not recorded. */
  private static Instant providerCallOf(Attempt attempt) {
    return acceptedTry(attempt).map(ProviderTry::getStartedAt).orElse(attempt.getDispatchedAt());
  }

  /** The provider request of this send that was accepted, when its try was recorded. */
  private static Optional<ProviderTry> acceptedTry(Attempt attempt) {
    return attempt.getProviderTries().stream()
        .filter(providerTry -> providerTry.getOutcome() == SendOutcome.ACCEPTED)
        .findFirst();
  }

  private static Attempt matching(VerificationState state, DeliveryReceipt receipt) {
    String key = receipt.getIdempotencyKey();
    String messageId = receipt.getProviderMessageId() == null ? null : receipt.getProviderMessageId().toLowerCase(Locale.ROOT);
    for (Attempt attempt : state.getAttempts()) {
      if (key != null) {
        if (key.equals(attempt.getIdempotencyKey())
            && (attempt.getProvider() == null || attempt.getProvider().equals(receipt.getProvider()))) {
          return attempt;
        }
      } else if (messageId != null && receipt.getProvider().equals(attempt.getProvider())
          && messageId.equals(attempt.getProviderMessageId())) {
        return attempt;
      }
    }
    return null;
  }

  private static void record(Attempt attempt, DeliveryReceipt receipt) {
    attempt.setDeliveryStatus(receipt.getStatus());
    if (receipt.getStatus() == DeliveryStatus.DELIVERED) {
      attempt.setDeliveredAt(receipt.getOccurredAt());
    }
  }

  // ---------------------------------------------------------------- deadlines

  Effects onDeadline(VerificationState current, Instant now) {
    Effects fx = new Effects(editable(current));
    VerificationState state = fx.state();
    if (state == null) {
      return fx;
    }
    pollOverdueReceipts(fx, state, now);
    expireIfDue(fx, now);
    if (state.getStatus() == VerificationStatus.PENDING) {
      Instant window = state.getDeliveryDeadline();
      if (window != null && !now.isBefore(window)) {
        Attempt attempt = currentAttempt(state);
        if (attempt != null && attempt.getDeliveryStatus() == DeliveryStatus.DELIVERED) {
          state.setDeliveryDeadline(null);
          fx.changed();
        } else {
          failover(fx, state, SendReason.TIMEOUT, attempt == null ? null : attempt.getProvider(), now);
        }
      }
    } else if (!now.isBefore(lifecycleDeadlineOf(state).orElseThrow())) {
      fx.delete();
    }
    return fx;
  }

  // ---------------------------------------------------------------- status polls

  /**
   * Asks for a status lookup of every send whose poll is due: dlr-ingest's poller asks the vendor and
   * publishes the answer as a receipt, which comes back here like a callback. A send is polled while its
   * final receipt is missing, whatever became of the verification since (a late receipt still tells
   * scoring about an approved verification's send), until it was polled the configured number of times.
   */
  private void pollOverdueReceipts(Effects fx, VerificationState state, Instant now) {
    for (Attempt attempt : state.getAttempts()) {
      Optional<Instant> due = pollDueAt(state, attempt);
      if (due.isEmpty() || now.isBefore(due.get())) {
        continue;
      }
      ReceiptPolls before = receiptPollsOf(state, attempt.getAttempt());
      ReceiptPolls after = new ReceiptPolls(attempt.getAttempt(), before == null ? 1 : before.getMade() + 1,
          receiptPolls.nextPollAfter(now).toEpochMilli());
      List<ReceiptPolls> polls = new ArrayList<>(state.getReceiptPolls());
      polls.removeIf(entry -> entry.getAttempt() == attempt.getAttempt());
      polls.add(after);
      state.setReceiptPolls(polls);
      fx.changed();
      fx.poll(acceptedSend(state, attempt));
      count("relay.receipts.polls-asked", "provider", attempt.getProvider());
    }
  }

  private Optional<Instant> nextPollOf(VerificationState state) {
    if (state == null || !receiptPolls.enabled()) {
      return Optional.empty();
    }
    return state.getAttempts().stream()
        .map(attempt -> pollDueAt(state, attempt))
        .flatMap(Optional::stream)
        .min(Comparator.naturalOrder());
  }

  /**
   * When this send is next polled: its first poll after its acceptance, each further one an interval after
   * the one before. Empty when it is not polled: not accepted by a polled vendor, its final receipt known,
   * or polled enough.
   */
  private Optional<Instant> pollDueAt(VerificationState state, Attempt attempt) {
    if (attempt.getOutcome() != SendOutcome.ACCEPTED || attempt.getProviderMessageId() == null
        || attempt.getSubmittedAt() == null || !receiptPolls.polls(attempt.getProvider())
        || DeliveryStatuses.isFinal(attempt.getDeliveryStatus())) {
      return Optional.empty();
    }
    ReceiptPolls made = receiptPollsOf(state, attempt.getAttempt());
    if (made == null) {
      return Optional.of(receiptPolls.firstPollOf(attempt.getSubmittedAt()));
    }
    return made.getMade() < receiptPolls.maxPolls() ? Optional.of(Instant.ofEpochMilli(made.getNextAt())) : Optional.empty();
  }

  private static ReceiptPolls receiptPollsOf(VerificationState state, int attempt) {
    for (ReceiptPolls polls : state.getReceiptPolls()) {
      if (polls.getAttempt() == attempt) {
        return polls;
      }
    }
    return null;
  }

  /** The send as its provider accepted it: what the poller needs to look its status up and to answer like a callback. */
  private static SendResult acceptedSend(VerificationState state, Attempt attempt) {
    ProviderTry accepted = acceptedTry(attempt).orElse(null);
    return SendResult.newBuilder()
        .setVerificationId(state.getVerificationId())
        .setAttempt(attempt.getAttempt())
        .setIdempotencyKey(attempt.getIdempotencyKey())
        .setTryIndex(accepted == null ? 0 : accepted.getTryIndex())
        .setLastTry(true)
        .setProvider(attempt.getProvider())
        .setChannel(attempt.getChannel())
        .setTo(state.getTo())
        .setCountry(state.getCountry())
        .setOutcome(SendOutcome.ACCEPTED)
        .setProviderMessageId(attempt.getProviderMessageId())
        .setPriceMicros(attempt.getPriceMicros())
        .setStartedAt(providerCallOf(attempt))
        .setCompletedAt(attempt.getSubmittedAt())
        .setRoutingReason(accepted == null ? attempt.getRoutingReason() : accepted.getRoutingReason())
        .build();
  }

  // ---------------------------------------------------------------- transitions

  private void expireIfDue(Effects fx, Instant now) {
    VerificationState state = fx.state();
    if (state != null && state.getStatus() == VerificationStatus.PENDING && !now.isBefore(state.getExpiresAt())) {
      finish(fx, state, VerificationStatus.EXPIRED, "expired", now);
    }
  }

  private void failover(Effects fx, VerificationState state, SendReason trigger, String failedProvider, Instant now) {
    fx.changed();
    if (state.getSendsUsed() >= maxSends(state)) {
      if (trigger == SendReason.TIMEOUT) {
        state.setDeliveryDeadline(null);
      } else {
        finish(fx, state, VerificationStatus.MAX_ATTEMPTS_REACHED, "send-cap", now);
      }
      return;
    }
    Optional<Plan> plan = untried(state, state.getChannel(), trigger);
    if (plan.isEmpty()) {
      finish(fx, state, VerificationStatus.FAILED, "routes-exhausted", now);
      return;
    }
    String reason = plan.get().reason().name().toLowerCase(Locale.ROOT);
    List<NumberSend> sent = SendHistory.of(state);
    if (limits.perNumber().blockedUntil(SendHistory.times(sent), now).isPresent()) {
      // The number's budget counts failovers too: a number that never confirms delivery must not turn
      // starts into more paid sends than the budget allows. A resend can be asked for once it refills.
      state.setDeliveryDeadline(null);
      count("relay.failovers.withheld", "reason", reason);
      return;
    }
    // The send carries on the request that began this chain of sends: its network's share counts it.
    String network = sent.isEmpty() ? "" : sent.get(sent.size() - 1).getNetwork();
    dispatch(fx, state, plan.get(), now, network);
    Counter.builder("relay.failovers")
        .description("Sends caused by a failed, rejected or unconfirmed earlier send")
        .tag("reason", reason)
        .tag("provider", failedProvider == null ? "none" : failedProvider)
        .tag("country", state.getCountry())
        .register(metrics)
        .increment();
    fx.event(event(state, VerificationStatus.PENDING, "failover:" + reason, now));
  }

  private void finish(Effects fx, VerificationState state, VerificationStatus status, String reason, Instant now) {
    VerificationStatus previous = state.getStatus();
    state.setStatus(status);
    // Both copies of the code go the moment nothing can be checked or resent any more.
    state.setCodeHash(null);
    state.setSealedCode(null);
    state.setDeliveryDeadline(null);
    state.setFinishedAt(now);
    fx.changed();
    count("relay.verifications.finished", "status", status.name().toLowerCase(Locale.ROOT));
    meters.finished(state, status, now);
    fx.event(event(state, previous, reason, now));
  }

  /**
   * Issues one send, and records it in the number's send history under the client network it is
   * counted against: every send costs money, whatever caused it.
   */
  private void dispatch(Effects fx, VerificationState state, Plan plan, Instant now,
      String network) {
    int number = state.getAttempts().size() + 1;
    String idempotencyKey = state.getVerificationId() + "-" + number;
    state.getAttempts().add(Attempt.newBuilder()
        .setAttempt(number)
        .setIdempotencyKey(idempotencyKey)
        .setChannel(plan.channel())
        .setReason(plan.reason())
        .setRoutingReason(plan.routes().get(0).getRoutingReason())
        .setProviderTries(new ArrayList<>())
        .setDispatchedAt(now)
        .build());
    state.setSendsUsed(state.getSendsUsed() + 1);
    state.setChannel(plan.channel());
    // Also covers a command whose result never comes (the sender is down): the window closes anyway.
    state.setDeliveryDeadline(now.plus(settings.deliveryWindowFor(state.getCountry())));
    fx.changed();
    count("relay.sends.dispatched", "channel", plan.channel().name().toLowerCase(Locale.ROOT));
    sendHistory.record(state, now, network);
    fx.command(SendCommand.newBuilder()
        .setVerificationId(state.getVerificationId())
        .setAttempt(number)
        .setIdempotencyKey(idempotencyKey)
        .setTo(state.getTo())
        .setCountry(state.getCountry())
        .setChannel(plan.channel())
        .setLocale(state.getLocale())
        .setCode(state.getSealedCode())
        .setRoutes(plan.routes())
        .setReason(plan.reason())
        .setIssuedAt(now)
        .setExpiresAt(state.getExpiresAt())
        .setServiceSettings(state.getServiceSettings())
        .build());
  }

  /**
   * A send a user asked for on a pending verification is an event too, like a failover: anti-pumping
   * counts every send it reads on verification-events, and an analyst sees where each code went.
   */
  private void announceResend(Effects fx, VerificationState state, Plan plan, Instant now) {
    fx.event(event(state, VerificationStatus.PENDING, "resend:" + plan.reason().name().toLowerCase(Locale.ROOT), now));
  }

  // ---------------------------------------------------------------- routing

  /** Where a send goes, and why it was issued. */
  private record Plan(Channel channel, List<Route> routes, SendReason reason) {}

  /**
   * The routes of this channel not tried yet; once it has none left, the first channel after it in the
   * country's order with an untried route. A channel the order does not list (asked for by the caller)
   * has no fallback: the country's policy did not put anything after it.
   */
  private Optional<Plan> untried(VerificationState state, Channel channel, SendReason reason) {
    List<Route> routes = withoutUsed(state, channel);
    if (!routes.isEmpty()) {
      return Optional.of(new Plan(channel, routes, reason));
    }
    List<Channel> order = channelOrder(state.getCountry());
    int position = order.indexOf(channel);
    if (position < 0) {
      return Optional.empty();
    }
    for (Channel next : order.subList(position + 1, order.size())) {
      List<Route> fallback = withoutUsed(state, next);
      if (!fallback.isEmpty()) {
        return Optional.of(new Plan(next, fallback, SendReason.CHANNEL_FALLBACK));
      }
    }
    return Optional.empty();
  }

  /** A published routing table's order for the country where it gives one, else the configured order. */
  private List<Channel> channelOrder(String country) {
    return routing.channelOrder(country).orElseGet(() -> settings.channelOrderFor(country));
  }

  /**
   * A user asking again: the untried routes of the channel asked for, else all of them from the top
   * (the same route again is fine when a person asks), else the verification's own channel.
   */
  private Optional<Plan> forRepeat(VerificationState state, Channel asked) {
    for (Channel channel : List.of(asked, state.getChannel())) {
      List<Route> untried = withoutUsed(state, channel);
      List<Route> routes = untried.isEmpty() ? routing.routes(state.getCountry(), channel) : untried;
      if (!routes.isEmpty()) {
        return Optional.of(new Plan(channel, routes, SendReason.REPEAT_START));
      }
    }
    return Optional.empty();
  }

  private List<Route> withoutUsed(VerificationState state, Channel channel) {
    List<String> used = routesUsed(state, channel);
    List<Route> routes = new ArrayList<>();
    for (Route route : routing.routes(state.getCountry(), channel)) {
      if (!used.contains(route.getProvider())) {
        routes.add(route);
      }
    }
    return routes;
  }

  private static List<String> routesUsed(VerificationState state, Channel channel) {
    return switch (SendChannels.of(channel)) {
      case VOICE -> state.getVoiceRoutesUsed();
      case WHATSAPP -> state.getWhatsappRoutesUsed();
      default -> state.getSmsRoutesUsed();
    };
  }

  // ---------------------------------------------------------------- helpers

  private String proposedIdOrMinted(String number, String proposed) {
    // An id that does not carry this number would send the user's checks to another partition.
    if (proposed != null && secrets.ids().numberOf(proposed).filter(number::equals).isPresent()) {
      return proposed;
    }
    return secrets.ids().mint(number);
  }

  private static String countryOf(String number, String proposed) {
    if (proposed != null && !proposed.isBlank()) {
      return proposed.trim().toUpperCase(Locale.ROOT);
    }
    return PhoneNumbers.regionOf(number);
  }

  private static void remember(VerificationState state, VerificationRequest request) {
    List<String> ids = state.getRequestIds();
    ids.add(request.getRequestId());
    state.getRequestFingerprints().put(request.getRequestId(), RequestFingerprint.of(request));
    while (ids.size() > REMEMBERED_REQUEST_IDS) {
      state.getRequestFingerprints().remove(ids.remove(1));
    }
  }

  private static Attempt currentAttempt(VerificationState state) {
    List<Attempt> attempts = state.getAttempts();
    return attempts.isEmpty() ? null : attempts.get(attempts.size() - 1);
  }

  private static Attempt attemptNumbered(VerificationState state, int number) {
    for (Attempt attempt : state.getAttempts()) {
      if (attempt.getAttempt() == number) {
        return attempt;
      }
    }
    return null;
  }

  /**
   * The attempt credited with the approval (scoring's completion goes to its route). Every attempt
   * carries the same code, so the message that brought it is the first one a receipt says was
   * delivered: a later send (a failover on an overdue receipt, a resend the person asked for) must
   * not take the credit from the route that had already delivered, nor charge that route with a
   * first send nobody completed. Without a delivered receipt, the latest accepted attempt; the code
   * may even be typed before the send result lands, and then the current attempt carried it.
   */
  private static Optional<Attempt> carrierOfCode(VerificationState state) {
    // Every receipt in the state arrived before this check, whatever the provider's clock stamped on it.
    Optional<Attempt> firstDelivered = state.getAttempts().stream()
        .filter(attempt -> attempt.getDeliveredAt() != null)
        .min(Comparator.comparing(Attempt::getDeliveredAt));
    return firstDelivered.or(() -> lastSubmitted(state)).or(() -> Optional.ofNullable(currentAttempt(state)));
  }

  private static Optional<Attempt> lastSubmitted(VerificationState state) {
    List<Attempt> attempts = state.getAttempts();
    for (int i = attempts.size() - 1; i >= 0; i--) {
      if (attempts.get(i).getOutcome() == SendOutcome.ACCEPTED) {
        return Optional.of(attempts.get(i));
      }
    }
    return Optional.empty();
  }

  /** Avro hands out its own array type; plain lists keep every edit below simple. */
  private static VerificationState editable(VerificationState state) {
    if (state == null) {
      return null;
    }
    state.setSmsRoutesUsed(new ArrayList<>(state.getSmsRoutesUsed()));
    state.setVoiceRoutesUsed(new ArrayList<>(state.getVoiceRoutesUsed()));
    state.setRequestIds(new ArrayList<>(state.getRequestIds()));
    state.setRequestFingerprints(new HashMap<>(state.getRequestFingerprints()));
    state.setAttempts(new ArrayList<>(state.getAttempts()));
    return state;
  }

  private VerificationEvent event(VerificationState state, VerificationStatus previous, String reason, Instant now) {
    List<Attempt> history = copies(state.getAttempts());
    return VerificationEvent.newBuilder()
        .setVerificationId(state.getVerificationId())
        .setTo(state.getTo())
        .setCountry(state.getCountry())
        .setChannel(state.getChannel())
        .setStatus(state.getStatus())
        .setPreviousStatus(previous)
        .setReason(reason)
        .setAttempts(history)
        .setCreatedAt(state.getCreatedAt())
        .setOccurredAt(now)
        .build();
  }

  private static List<Attempt> copies(List<Attempt> attempts) {
    List<Attempt> history = new ArrayList<>(attempts.size());
    attempts.forEach(attempt -> history.add(Attempt.newBuilder(attempt).build()));
    return history;
  }

  private static void replyToStart(Effects fx, VerificationRequest request, VerificationReply reply) {
    if (request.getReplyTo() != null) {
      fx.reply(reply);
    }
  }

  private static VerificationReply reply(String correlationId, ReplyKind kind, VerificationState state, Instant now) {
    return base(correlationId, kind, state, now).build();
  }

  private VerificationReply refused(String correlationId, String error, VerificationState state, Instant now) {
    count("relay.refusals", "kind", error);
    return base(correlationId, ReplyKind.REFUSED, state, now).setError(error).build();
  }

  private VerificationReply checked(CodeCheckRequest check, VerificationState state, boolean valid, Instant now) {
    return base(check.getCheckId(), ReplyKind.CHECKED, state, now)
        .setValid(valid)
        .setAttemptsRemaining(Math.max(0, maxWrongGuesses(state) - state.getWrongGuesses()))
        .build();
  }

  private static VerificationReply.Builder base(String correlationId, ReplyKind kind, VerificationState state, Instant now) {
    return VerificationReply.newBuilder()
        .setCorrelationId(Objects.requireNonNullElse(correlationId, ""))
        .setKind(kind)
        .setVerificationId(state.getVerificationId())
        .setTo(state.getTo())
        .setChannel(state.getChannel())
        .setStatus(state.getStatus())
        .setCreatedAt(state.getCreatedAt())
        .setExpiresAt(state.getExpiresAt())
        .setRepliedAt(now);
  }

  private void count(String name, String tag, String value) {
    metrics.counter(name, tag, value).increment();
  }
}
