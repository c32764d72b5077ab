package dev.relay.api.http;

import dev.relay.api.config.ApiConfig.CodeLength;
import dev.relay.api.dispatch.DispatcherAdmission;
import dev.relay.api.dispatch.DispatcherAdmission.Endpoint;
import dev.relay.api.dispatch.DispatcherLink;
import dev.relay.api.dispatch.NoReplyException;
import dev.relay.api.dispatch.NotAcknowledgedException;
import dev.relay.api.dispatch.OverloadedException;
import dev.relay.api.dispatch.ReadUnavailableException;
import dev.relay.api.dispatch.VerificationReader;
import dev.relay.api.services.Services;
import dev.relay.api.services.ServicesUnavailableException;
import dev.relay.schemas.Channel;
import dev.relay.schemas.CodeCheckRequest;
import dev.relay.schemas.RequestAction;
import dev.relay.schemas.VerificationReply;
import dev.relay.schemas.VerificationOwnership;
import dev.relay.schemas.VerificationRequest;
import dev.relay.schemas.VerificationService;
import dev.relay.schemas.ServiceSettings;
import dev.relay.schemas.state.VerificationState;
import dev.relay.support.http.ApiError;
import dev.relay.support.logging.LogContext;
import dev.relay.support.phone.PhoneNumbers;
import dev.relay.support.phone.PhoneNumbers.E164;
import dev.relay.support.secrets.SecretSealer;
import dev.relay.support.secrets.VerificationIds;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public v1 endpoints: each validates its input completely before anything is produced, hands
 * the request to the dispatcher, and answers from the dispatcher's reply; a status read asks the
 * dispatcher's state directly ({@link VerificationReader}). Every HTTP request waits on
 * a correlation id of its own, made here, never on anything a caller chose; a reply is used only when
 * it is about the number and verification the request named. What the caller sees when the way to
 * the dispatcher fails: 503 {@code overloaded} with {@code Retry-After}, before anything is produced,
 * when the dispatcher could not answer in time ({@link DispatcherAdmission}); 503 with
 * {@code Retry-After} when Kafka did not take the request; 504 when it took it but no reply came.
 */
public final class VerificationRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(VerificationRoutes.class);

  /** One endpoint as the OpenAPI document lists it. */
  public record Route(String method, String path) {}

  public static final String OPENAPI_PATH = "/openapi.json";
  public static final Route START = new Route("post", "/v1/verifications");
  public static final Route CHECK_BY_ID = new Route("post", "/v1/verifications/{id}/check");
  public static final Route CHECK_BY_NUMBER = new Route("post", "/v1/verification-checks");
  public static final Route RESEND = new Route("post", "/v1/verifications/{id}/resend");
  public static final Route STATUS = new Route("get", "/v1/verifications/{id}");
  public static final Route CANCEL = new Route("delete", "/v1/verifications/{id}");
  public static final Route OPENAPI = new Route("get", OPENAPI_PATH);
  /** Every route this class serves; a test holds the OpenAPI document to exactly these. */
  public static final List<Route> ROUTES = List.of(START, CHECK_BY_ID, CHECK_BY_NUMBER, RESEND, STATUS, CANCEL, OPENAPI);

  private static final Set<String> START_FIELDS = Set.of("to", "channel", "locale", "requestId");
  private static final Set<String> CHECK_BY_ID_FIELDS = Set.of("code");
  private static final Set<String> CHECK_BY_NUMBER_FIELDS = Set.of("to", "code");
  private static final Set<String> RESEND_FIELDS = Set.of("channel", "requestId");
  private static final String API_KEY_ATTRIBUTE = "apiKey";
  /** The service of the caller's key, absent for a key without one (and for the development switch without keys). */
  private static final String SERVICE_ATTRIBUTE = "serviceId";
  /** A requestId becomes a Kafka key and a log-safe correlation id: a UUID or anything as plain. */
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  /** BCP 47 in the shape providers take ({@code de}, {@code pt-BR}, {@code zh-Hant-TW}). */
  private static final Pattern LOCALE = Pattern.compile("[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,3}");
  /** When a refusal gives no expiry to wait for, retrying sooner than this is pointless. */
  private static final Duration DEFAULT_REFUSAL_RETRY = Duration.ofMinutes(1);
  /** The dispatcher's error code for a resend or cancel of a verification that already ended. */
  private static final String NOT_PENDING = "not_pending";
  /** The dispatcher's error code for a start or resend to a destination prefix anti-pumping blocked. */
  private static final String PREFIX_BLOCKED = "prefix_blocked";
  /** The dispatcher's error code for a requestId this key already used for another request to the number. */
  private static final String IDEMPOTENCY_KEY_REUSED = IdempotencyKeys.ERROR_REUSED;

  private final DispatcherLink dispatcher;
  private final DispatcherAdmission admission;
  private final VerificationReader reader;
  private final VerificationIds ids;
  private final SecretSealer guessSealer;
  private final NumberPolicy numbers;
  private final CodeLength codeLength;
  private final ApiKeys apiKeys;
  private final ClientAddresses clientAddresses;
  private final CheckLimits checkLimits;
  private final IdempotencyKeys idempotency;
  private final Services services;
  private final Clock clock;
  private final byte[] openApiDocument;

  public VerificationRoutes(DispatcherLink dispatcher, DispatcherAdmission admission, VerificationReader reader,
      VerificationIds ids, SecretSealer guessSealer, NumberPolicy numbers, CodeLength codeLength, ApiKeys apiKeys,
      ClientAddresses clientAddresses, CheckLimits checkLimits, IdempotencyKeys idempotency, Services services, Clock clock) {
    if (guessSealer.purpose() != SecretSealer.Purpose.GUESS) {
      throw new IllegalArgumentException("the API seals guesses only");
    }
    this.dispatcher = dispatcher;
    this.admission = admission;
    this.reader = reader;
    this.ids = ids;
    this.guessSealer = guessSealer;
    this.numbers = numbers;
    this.codeLength = codeLength;
    this.apiKeys = apiKeys;
    this.clientAddresses = clientAddresses;
    this.checkLimits = checkLimits;
    this.idempotency = idempotency;
    this.services = services;
    this.clock = clock;
    this.openApiDocument = readOpenApiDocument();
  }

  public void register(Javalin app) {
    app.before("/v1/*", this::authenticate);
    app.post(START.path(), this::startVerification);
    app.post(CHECK_BY_ID.path(), this::checkById);
    app.post(CHECK_BY_NUMBER.path(), this::checkByNumber);
    app.post(RESEND.path(), this::resend);
    app.get(STATUS.path(), this::status);
    app.delete(CANCEL.path(), this::cancel);
    app.get(OPENAPI.path(), ctx -> ctx.contentType("application/json").result(openApiDocument));
  }

  private void authenticate(Context ctx) {
    if (!apiKeys.required() || ctx.path().startsWith(AdminRoutes.PATH_PREFIX)) {
      // The admin endpoints take admin keys only (AdminRoutes).
      return;
    }
    String header = ctx.header("Authorization");
    String presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
    Optional<String> keyName = apiKeys.authenticate(presented);
    if (keyName.isEmpty()) {
      ctx.header("WWW-Authenticate", "Bearer");
      throw new ApiError(401, "unauthorized", header == null
          ? "send your API key as 'Authorization: Bearer KEY'"
          : "the API key is not valid");
    }
    ctx.attribute(API_KEY_ATTRIBUTE, keyName.get());
    apiKeys.serviceOf(keyName.get()).ifPresent(serviceId -> ctx.attribute(SERVICE_ATTRIBUTE, serviceId));
  }

  /** The settings of the caller's service, empty for a key without one (the deployment's own settings apply). */
  private Optional<VerificationService> service(Context ctx) {
    String serviceId = ctx.attribute(SERVICE_ATTRIBUTE);
    if (serviceId == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(services.find(serviceId).orElseThrow(() -> new ApiError(403, "service_unknown",
          "this API key belongs to service " + serviceId + ", which does not exist; ask the operator")));
    } catch (ServicesUnavailableException e) {
      throw ApiError.unavailable("the service's settings could not be read in time; retry");
    }
  }

  /** What of the service shapes the verification a start creates; the dispatcher keeps it for the verification's life. */
  private static ServiceSettings settingsOf(VerificationService service) {
    return ServiceSettings.newBuilder()
        .setFriendlyName(service.getFriendlyName())
        .setCodeLength(service.getCodeLength())
        .setExpiryMillis(service.getExpiryMillis())
        .setMaxChecks(service.getMaxChecks())
        .setMaxSends(service.getMaxSends())
        .setTemplates(service.getTemplates())
        .build();
  }

  /** A service allows only its own channels; a refusal names them, so the caller can pick one. */
  private static void requireAllowed(Optional<VerificationService> service, Channel channel) {
    service.filter(settings -> !settings.getChannels().contains(channel)).ifPresent(settings -> {
      throw ApiError.badRequest("channel_not_allowed", "this service does not allow " + Views.channelName(channel)
          + "; its channels are " + String.join(", ", settings.getChannels().stream().map(Views::channelName).toList()));
    });
  }

  private void startVerification(Context ctx) {
    JsonBody body = JsonBody.read(ctx, START_FIELDS);
    String to = body.requiredString("to");
    Channel channel = body.optionalString("channel").map(VerificationRoutes::channel).orElse(Channel.SMS);
    String locale = body.optionalString("locale").map(VerificationRoutes::locale).orElse(null);
    Optional<String> requestId = body.optionalString("requestId").map(VerificationRoutes::requestId);
    Optional<VerificationService> service = service(ctx);
    requireAllowed(service, channel);
    E164 number = numbers.forStart(to, channel);
    String apiKey = ctx.attribute(API_KEY_ATTRIBUTE);
    IdempotencyKeys.Claim claim = idempotency.claim(apiKey, requestId.orElse(null), RequestAction.START.name(),
        number.number(), channel.name(), locale);

    // The caller's requestId is the idempotency key, scoped by the dispatcher to the caller's API key;
    // the reply is waited on under a correlation id of this request's own, so two callers who chose
    // the same requestId can never be handed each other's reply.
    String correlationId = UUID.randomUUID().toString();
    VerificationRequest request = VerificationRequest.newBuilder()
        .setRequestId(requestId.orElse(correlationId))
        .setVerificationId(ids.mint(number.number()))
        .setTo(number.number())
        .setCountry(number.region())
        .setChannel(channel)
        .setLocale(locale)
        .setReplyTo(correlationId)
        .setRequestedAt(clock.instant())
        .setAction(RequestAction.START)
        .setClientIp(clientIp(ctx))
        .setApiKeyName(apiKey)
        .setServiceId(ctx.attribute(SERVICE_ATTRIBUTE))
        .setServiceSettings(service.map(VerificationRoutes::settingsOf).orElse(null))
        .build();
    try (LogContext.Scope verification = LogContext.verification(request.getVerificationId())) {
      LOG.debug("start for {} by {}", PhoneNumbers.mask(number.number()), Views.channelName(channel));
    }
    // A start may be answered with the number's pending verification: its id is not the one proposed.
    Expected expected = Expected.of(correlationId, number.number(), null);
    answer(ctx, claim, admit(Endpoint.START, claim).handOver(() -> dispatcher.start(request)), expected, reply -> switch (reply.getKind()) {
      case STARTED -> respond(ctx, HttpStatus.CREATED, Views.Verification.of(reply, number.number()));
      case EXISTING -> respond(ctx, HttpStatus.OK, Views.Verification.of(reply, number.number()));
      case REFUSED -> throw refused(reply);
      default -> throw unexpected(reply);
    });
  }

  /** "Call me instead": the pending verification's code again, on the channel asked for. */
  private void resend(Context ctx) {
    String verificationId = ctx.pathParam("id");
    String number = numberOf(verificationId);
    JsonBody body = JsonBody.readOptional(ctx, RESEND_FIELDS);
    Channel channel = body.optionalString("channel").map(VerificationRoutes::channel).orElse(null);
    if (channel != null) {
      requireAllowed(service(ctx), channel);
    }
    numbers.forResend(number, channel);
    Optional<String> requestId = body.optionalString("requestId").map(VerificationRoutes::requestId);
    IdempotencyKeys.Claim claim = idempotency.claim(ctx.attribute(API_KEY_ATTRIBUTE), requestId.orElse(null),
        RequestAction.RESEND.name(), verificationId, String.valueOf(channel));
    VerificationRequest request = action(ctx, RequestAction.RESEND, verificationId, number, requestId, channel);
    answer(ctx, claim, admit(Endpoint.RESEND, claim).handOver(() -> dispatcher.start(request)), Expected.of(request),
        reply -> switch (reply.getKind()) {
      case RESENT -> respond(ctx, HttpStatus.OK, Views.Verification.of(reply, number));
      case NOT_FOUND -> throw ApiError.notFound("no such verification");
      case REFUSED -> throw refused(reply);
      default -> throw unexpected(reply);
    });
  }

  /**
   * Status, channel, expiry and the attempt history; never the code. Read from the dispatcher's state
   * (no trip through Kafka); as with every request, a verification belongs to the key that started it
   * and is the number's current one: anything else is the 404 of an id that never existed.
   */
  private void status(Context ctx) {
    String verificationId = ctx.pathParam("id");
    String number = numberOf(verificationId);
    String apiKey = ctx.attribute(API_KEY_ATTRIBUTE);
    String serviceId = ctx.attribute(SERVICE_ATTRIBUTE);
    try (LogContext.Scope verification = LogContext.verification(verificationId)) {
      LOG.debug("status of {}", PhoneNumbers.mask(number));
    }
    ctx.future(() -> reader.find(number).handle((found, error) -> {
      if (error != null) {
        throw readFailure(error);
      }
      VerificationState state = found
          .filter(verification -> verificationId.equals(verification.getVerificationId())
              && VerificationOwnership.owns(verification, apiKey, serviceId))
          .orElseThrow(() -> ApiError.notFound("no such verification"));
      return respond(ctx, HttpStatus.OK, Views.Status.of(state));
    }));
  }

  /** A read the dispatchers could not answer is a 503 with their Retry-After; anything else goes on as it is. */
  static RuntimeException readFailure(Throwable error) {
    Throwable cause = unwrap(error);
    if (cause instanceof ReadUnavailableException unavailable) {
      return new ApiError(503, "unavailable", unavailable.getMessage(), unavailable.retryAfter());
    }
    return cause instanceof RuntimeException runtime ? runtime : new CompletionException(cause);
  }

  private void cancel(Context ctx) {
    String verificationId = ctx.pathParam("id");
    String number = numberOf(verificationId);
    VerificationRequest request = action(ctx, RequestAction.CANCEL, verificationId, number, Optional.empty(), null);
    answer(ctx, NO_CLAIM, admit(Endpoint.CANCEL, NO_CLAIM).handOver(() -> dispatcher.start(request)), Expected.of(request),
        reply -> switch (reply.getKind()) {
      case CANCELED -> respond(ctx, HttpStatus.OK, Views.Verification.of(reply, number));
      case NOT_FOUND -> throw ApiError.notFound("no such verification");
      case REFUSED -> throw refused(reply);
      default -> throw unexpected(reply);
    });
  }

  private VerificationRequest action(Context ctx, RequestAction action, String verificationId, String number,
      Optional<String> requestId, Channel channel) {
    String correlationId = UUID.randomUUID().toString();
    try (LogContext.Scope verification = LogContext.verification(verificationId)) {
      LOG.debug("{} for {}", action, PhoneNumbers.mask(number));
    }
    return VerificationRequest.newBuilder()
        .setRequestId(requestId.orElse(correlationId))
        .setVerificationId(verificationId)
        .setTo(number)
        .setCountry(PhoneNumbers.regionOf(number))
        .setChannel(channel == null ? Channel.SMS : channel)
        .setReplyTo(correlationId)
        .setRequestedAt(clock.instant())
        .setAction(action)
        .setClientIp(clientIp(ctx))
        .setApiKeyName(ctx.attribute(API_KEY_ATTRIBUTE))
        .setServiceId(ctx.attribute(SERVICE_ATTRIBUTE))
        .build();
  }

  /** An id that does not open was never minted here: no number to key a request by, nothing to ask. */
  private String numberOf(String verificationId) {
    return ids.numberOf(verificationId).orElseThrow(() -> ApiError.notFound("no such verification"));
  }

  private String clientIp(Context ctx) {
    // Every header line: a proxy may add its own line instead of extending the first one.
    List<String> lines = Collections.list(ctx.req().getHeaders("X-Forwarded-For"));
    return clientAddresses.resolve(ctx.req().getRemoteAddr(), lines.isEmpty() ? null : String.join(",", lines));
  }

  private void checkById(Context ctx) {
    String verificationId = ctx.pathParam("id");
    // An id that does not open was never minted here: no number to key a check by, nothing to ask.
    String number = ids.numberOf(verificationId)
        .orElseThrow(() -> ApiError.notFound("no such verification"));
    String code = code(JsonBody.read(ctx, CHECK_BY_ID_FIELDS));
    String apiKey = ctx.attribute(API_KEY_ATTRIBUTE);
    check(ctx, apiKey, CodeCheckRequest.newBuilder()
        .setCheckId(UUID.randomUUID().toString())
        .setVerificationId(verificationId)
        .setTo(number)
        .setCode(guessSealer.seal(code, verificationId, number))
        .setRequestedAt(clock.instant())
        .setApiKeyName(apiKey)
        .setServiceId(ctx.attribute(SERVICE_ATTRIBUTE))
        .build());
  }

  private void checkByNumber(Context ctx) {
    JsonBody body = JsonBody.read(ctx, CHECK_BY_NUMBER_FIELDS);
    String to = body.requiredString("to");
    String code = code(body);
    E164 number = numbers.forCheck(to);
    String apiKey = ctx.attribute(API_KEY_ATTRIBUTE);
    // No id names the verification: the number alone is what the sealed guess is bound to.
    check(ctx, apiKey, CodeCheckRequest.newBuilder()
        .setCheckId(UUID.randomUUID().toString())
        .setVerificationId(null)
        .setTo(number.number())
        .setCode(guessSealer.seal(code, null, number.number()))
        .setRequestedAt(clock.instant())
        .setApiKeyName(apiKey)
        .setServiceId(ctx.attribute(SERVICE_ATTRIBUTE))
        .build());
  }

  private void check(Context ctx, String apiKey, CodeCheckRequest check) {
    try (LogContext.Scope verification = LogContext.verification(check.getVerificationId())) {
      LOG.debug("check for {}", PhoneNumbers.mask(check.getTo()));
    }
    // Overload first: a check refused for it tested no guess, so it must not spend the caller's check limits.
    DispatcherAdmission.Ticket ticket = admit(Endpoint.CHECK, NO_CLAIM);
    try {
      checkLimits.admit(clientIp(ctx), apiKey);
    } catch (RuntimeException e) {
      ticket.cancel();
      throw e;
    }
    Expected expected = Expected.of(check.getCheckId(), check.getTo(), check.getVerificationId());
    answer(ctx, NO_CLAIM, ticket.handOver(() -> dispatcher.check(check)), expected, reply -> switch (reply.getKind()) {
      case CHECKED -> respond(ctx, HttpStatus.OK, Views.Check.of(reply));
      case NOT_FOUND -> throw ApiError.notFound("no such verification");
      case REFUSED -> throw refused(reply);
      default -> throw unexpected(reply);
    });
  }

  private static final IdempotencyKeys.Claim NO_CLAIM = () -> { };

  /**
   * A place for the request in the dispatcher's backlog, or a 503 {@code overloaded} at once: a
   * request it could not answer within the reply timeout would only wait there and end in a 504.
   * Nothing is produced, stored or counted for a refused request (the requestId's claim is released,
   * the number's rate limits live in the dispatcher and never see it), so retrying is safe.
   */
  private DispatcherAdmission.Ticket admit(Endpoint endpoint, IdempotencyKeys.Claim claim) {
    try {
      return admission.admit(endpoint);
    } catch (OverloadedException e) {
      claim.release();
      throw new ApiError(503, "overloaded", e.getMessage() + "; nothing was stored, retry after the time in Retry-After",
          e.retryAfter());
    }
  }

  /**
   * What a reply must be about to answer a request: its correlation id, the number the request was
   * keyed by and, when the request named one, the verification. The dispatcher keys and fills replies
   * from the request, so a mismatch means a reply that is not this request's (a bug, or a forged
   * record on the reply topic): it is never shown to the caller.
   */
  private record Expected(String correlationId, String to, String verificationId) {

    static Expected of(String correlationId, String to, String verificationId) {
      return new Expected(correlationId, to, verificationId);
    }

    static Expected of(VerificationRequest request) {
      return new Expected(request.getReplyTo(), request.getTo(), request.getVerificationId());
    }

    boolean matches(VerificationReply reply) {
      return correlationId.equals(reply.getCorrelationId()) && to.equals(reply.getTo())
          // A limit's refusal names no verification; one that names one must name ours.
          && (verificationId == null || reply.getVerificationId() == null || verificationId.equals(reply.getVerificationId()));
    }
  }

  /**
   * Answers asynchronously: no HTTP thread is held while the request waits on Kafka and the
   * dispatcher. Failures on the way become 503 or 504 (a 503 forgets the requestId's claim, since
   * nothing was stored); a reply about another request becomes 502; an exception thrown by
   * {@code onReply} reaches the error handlers as it is.
   */
  private static void answer(Context ctx, IdempotencyKeys.Claim claim, CompletableFuture<VerificationReply> reply,
      Expected expected, Function<VerificationReply, Void> onReply) {
    ctx.future(() -> reply.handle((answer, error) -> {
      if (error != null) {
        if (unwrap(error) instanceof NotAcknowledgedException) {
          claim.release();
        }
        throw failure(error);
      }
      if (!expected.matches(answer)) {
        LOG.warn("dropped a {} reply that is not about the request it was correlated with", answer.getKind());
        throw new ApiError(502, "reply_mismatch", "the dispatcher's answer did not match the request; retry");
      }
      return onReply.apply(answer);
    }));
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
  }

  private static Void respond(Context ctx, HttpStatus status, Object body) {
    ctx.status(status).json(body);
    return null;
  }

  private static RuntimeException failure(Throwable error) {
    Throwable cause = unwrap(error);
    if (cause instanceof NotAcknowledgedException) {
      return ApiError.unavailable("the request could not be stored in time; retry");
    }
    if (cause instanceof NoReplyException) {
      return new ApiError(504, "reply_timeout",
          "the request was taken but not answered in time; retrying with the same requestId is safe");
    }
    return cause instanceof RuntimeException runtime ? runtime : new CompletionException(cause);
  }

  private ApiError refused(VerificationReply reply) {
    String code = reply.getError() == null || reply.getError().isBlank() ? "refused" : reply.getError();
    if (IDEMPOTENCY_KEY_REUSED.equals(code)) {
      return new ApiError(422, code, "this requestId was already used with a different request; use a new requestId"
          + " for a new request, and the same body to retry one");
    }
    if (NOT_PENDING.equals(code)) {
      // Not a limit: waiting does not help, the verification is over.
      return new ApiError(409, code, "the verification is " + Views.statusName(reply.getStatus()) + ", not pending");
    }
    Duration retryAfter = DEFAULT_REFUSAL_RETRY;
    Instant expiresAt = reply.getExpiresAt();
    Instant limitEnds = reply.getRetryAfter();
    if (limitEnds != null) {
      // A rate limit names when its window lets a request through again.
      retryAfter = limitEnds.isAfter(clock.instant()) ? Duration.between(clock.instant(), limitEnds) : Duration.ofSeconds(1);
    } else if (expiresAt != null && expiresAt.isAfter(clock.instant())) {
      // Refused while a verification is pending (its send cap spent): a new one can start once it expires.
      retryAfter = Duration.between(clock.instant(), expiresAt);
    }
    if (PREFIX_BLOCKED.equals(code)) {
      return new ApiError(403, code, "verifications to this number's destination prefix are paused: many were started"
          + " there recently and almost none completed (SMS pumping); retry later, or ask the operator to release it",
          retryAfter);
    }
    return new ApiError(429, code, "the request was refused (" + code + ")", retryAfter);
  }

  private static ApiError unexpected(VerificationReply reply) {
    LOG.warn("the dispatcher answered with an unexpected {} reply", reply.getKind());
    return new ApiError(502, "unexpected_reply", "the dispatcher gave an answer this endpoint does not expect");
  }

  private String code(JsonBody body) {
    String code = body.requiredString("code");
    if (!codeLength.accepts(code)) {
      throw ApiError.badRequest("invalid_code", "'code' must be " + codeLength.describe() + " (0-9)");
    }
    return code;
  }

  private static Channel channel(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "sms" -> Channel.SMS;
      case "voice" -> Channel.VOICE;
      case "whatsapp" -> Channel.WHATSAPP;
      default -> throw ApiError.badRequest("invalid_channel", "'channel' must be sms, whatsapp or voice");
    };
  }

  private static String locale(String value) {
    if (!LOCALE.matcher(value).matches()) {
      throw ApiError.badRequest("invalid_field", "'locale' must be a language tag such as en, de or pt-BR");
    }
    return value;
  }

  private static String requestId(String value) {
    if (!REQUEST_ID.matcher(value).matches()) {
      throw ApiError.badRequest("invalid_field", "'requestId' must be 1-64 letters, digits, '.', '_', ':' or '-'");
    }
    return value;
  }

  private static byte[] readOpenApiDocument() {
    try (InputStream in = VerificationRoutes.class.getResourceAsStream("/dev/relay/api/openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("openapi.json is missing from the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read openapi.json", e);
    }
  }
}
