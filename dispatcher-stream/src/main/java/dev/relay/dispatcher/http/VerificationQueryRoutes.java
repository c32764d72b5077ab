package dev.relay.dispatcher.http;

import dev.relay.dispatcher.DispatcherService;
import dev.relay.dispatcher.http.VerificationLocator.NotQueryableException;
import dev.relay.dispatcher.http.VerificationLocator.Owner;
import dev.relay.schemas.serde.AvroSerde;
import dev.relay.schemas.state.VerificationState;
import dev.relay.support.http.ApiError;
import dev.relay.support.http.HttpClients;
import dev.relay.support.http.VerificationQueries;
import dev.relay.support.phone.InvalidPhoneNumberException;
import dev.relay.support.phone.PhoneNumbers;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /internal/verifications/{digits}} ({@link VerificationQueries}): a number's verification
 * read from the dispatcher's state. Answered from the local store when this instance owns the
 * number's partition, otherwise forwarded once to the owner named by the Streams metadata; when no
 * owner can answer now (rebalancing, restoring, the owner unreachable) the answer is 503 with
 * {@code Retry-After}, never a stale or another instance's guess. Only callers with the shared query
 * token get an answer: the body is a verification of somebody's phone number.
 */
public final class VerificationQueryRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(VerificationQueryRoutes.class);
  /** Long enough for a rebalance's assignment to settle, short enough for a person waiting on a page. */
  static final Duration RETRY_AFTER = Duration.ofSeconds(1);
  private static final AvroSerde<VerificationState> STATES = AvroSerde.of(VerificationState.class);

  private final VerificationLocator locator;
  private final byte[] token;
  private final HttpClient forwarder;
  private final Duration forwardTimeout;
  private final Clock clock;

  /**
   * @param token the shared query token callers must present; not blank
   * @param forwardTimeout the longest wait for the owning instance's answer to a forwarded read
   */
  public VerificationQueryRoutes(VerificationLocator locator, String token, Duration forwardTimeout, Clock clock) {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("the verification query endpoint needs a token");
    }
    this.locator = locator;
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.forwardTimeout = forwardTimeout;
    this.clock = clock;
    this.forwarder = HttpClients.build(DispatcherService.NAME, HttpClient.newBuilder().connectTimeout(forwardTimeout));
  }

  public void register(Javalin http) {
    http.get(VerificationQueries.PATH_PREFIX + "{digits}", this::read);
  }

  private void read(Context ctx) {
    authorize(ctx.header("Authorization"));
    String number = number(ctx.pathParam("digits"));
    boolean forwarded = ctx.header(VerificationQueries.FORWARDED_HEADER) != null;
    Owner owner = locator.ownerOf(number);
    if (owner instanceof Owner.Here here) {
      answer(ctx, read(number, here.partition()));
    } else if (owner instanceof Owner.There there) {
      if (forwarded) {
        // The forwarding instance's metadata and ours disagree: ownership is moving. One hop only.
        throw unavailable("the number's partition is moving between dispatchers; retry");
      }
      forward(ctx, there, number);
    } else {
      throw unavailable(((Owner.Unknown) owner).why() + "; retry");
    }
  }

  private Optional<VerificationState> read(String number, int partition) {
    try {
      return locator.readHere(number, partition).map(stored -> QueriedVerification.of(stored, clock.instant()));
    } catch (NotQueryableException e) {
      throw unavailable(e.getMessage() + "; retry");
    }
  }

  private static void answer(Context ctx, Optional<VerificationState> state) {
    if (state.isEmpty()) {
      throw ApiError.notFound("no verification for this number");
    }
    ctx.contentType(VerificationQueries.MEDIA_TYPE).result(STATES.toBytes(state.get()));
  }

  /** Asks the owning instance and relays its answer as it is (200, 404 or its own 503). */
  private void forward(Context ctx, Owner.There owner, String number) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + owner.host() + ":" + owner.port()
            + VerificationQueries.pathOf(number)))
        .timeout(forwardTimeout)
        .header("Authorization", "Bearer " + new String(token, StandardCharsets.UTF_8))
        .header(VerificationQueries.FORWARDED_HEADER, "1")
        .GET().build();
    CompletableFuture<HttpResponse<byte[]>> response = forwarder.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
    ctx.future(() -> response.handle((answer, error) -> {
      if (error != null) {
        LOG.debug("the owner {}:{} of a number's verification did not answer: {}", owner.host(), owner.port(), error.toString());
        throw unavailable("the dispatcher that owns this number did not answer; retry");
      }
      ctx.status(answer.statusCode());
      answer.headers().firstValue("Content-Type").ifPresent(ctx::contentType);
      answer.headers().firstValue("Retry-After").ifPresent(value -> ctx.header("Retry-After", value));
      ctx.result(answer.body());
      return null;
    }));
  }

  private static String number(String digits) {
    String number = VerificationQueries.numberOf(digits)
        .orElseThrow(() -> ApiError.badRequest("invalid_number", "the path must end in the digits of an E.164 number"));
    try {
      return PhoneNumbers.parse(number).number();
    } catch (InvalidPhoneNumberException e) {
      throw ApiError.badRequest("invalid_number", "not a valid E.164 number");
    }
  }

  private void authorize(String header) {
    String presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : "";
    if (!MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8))) {
      throw new ApiError(401, "unauthorized", "reading verifications needs 'Authorization: Bearer <query token>'");
    }
  }

  private static ApiError unavailable(String message) {
    return new ApiError(503, "unavailable", message, RETRY_AFTER);
  }
}
