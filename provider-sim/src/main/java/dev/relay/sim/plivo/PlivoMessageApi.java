package dev.relay.sim.plivo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.sim.callback.Callback;
import dev.relay.sim.callback.CallbackPoster;
import dev.relay.sim.config.SimConfig;
import dev.relay.sim.handset.CodeExtractor;
import dev.relay.sim.handset.HandsetMessage;
import dev.relay.sim.handset.Handsets;
import dev.relay.sim.route.Provider;
import dev.relay.sim.route.RouteBehaviour;
import dev.relay.sim.route.RouteBook;
import dev.relay.sim.route.SimChannel;
import dev.relay.sim.route.Verdict;
import dev.relay.sim.vendor.FormEncoding;
import dev.relay.sim.vendor.RecentResources;
import dev.relay.sim.vendor.Replies;
import dev.relay.sim.vendor.Replies.Reply;
import dev.relay.sim.vendor.SendLog;
import dev.relay.sim.vendor.Tasks;
import dev.relay.sim.vendor.VendorFields;
import dev.relay.support.http.Json;
import dev.relay.support.phone.PhoneNumbers;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plivo's Message API as Relay's adapter calls it: {@code POST /v1/Account/{auth_id}/Message/} with
 * {@code src}, {@code dst}, {@code text} and optionally {@code url} and {@code method} as JSON (or a
 * form), Basic auth with the Auth ID and Auth Token, answering {@code 202} with {@code api_id},
 * {@code message} and the {@code message_uuid} list, or an HTTP error with {@code api_id} and
 * {@code error}; {@code GET .../Message/{message_uuid}/} shows the message's state. An accepted message
 * unfolds per its route's {@link RouteBehaviour}: the handset receives a delivered one, and the final
 * status goes to the message's {@code url} (or dlr-ingest) signed with {@code X-Plivo-Signature-V2}.
 * One destination per send: Plivo's bulk form ({@code dst} joined with {@code <}) is refused as invalid.
 */
public final class PlivoMessageApi {

  private static final Logger LOG = LoggerFactory.getLogger(PlivoMessageApi.class);

  private final SimConfig.PlivoAccount account;
  private final Optional<URI> dlrUrl;
  private final RouteBook routes;
  private final Handsets handsets;
  private final CallbackPoster callbacks;
  private final Replies replies;
  private final ScheduledExecutorService scheduler;
  private final RandomGenerator random;
  private final Clock clock;
  private final MeterRegistry metrics;
  private final RecentResources<PlivoMessage> messages;

  public PlivoMessageApi(SimConfig config, SimConfig.PlivoAccount account, RouteBook routes, Handsets handsets,
                         CallbackPoster callbacks, ScheduledExecutorService scheduler, RandomGenerator random,
                         Clock clock, MeterRegistry metrics) {
    this.account = account;
    this.dlrUrl = config.dlrUrl();
    this.routes = routes;
    this.handsets = handsets;
    this.callbacks = callbacks;
    this.replies = new Replies(scheduler);
    this.scheduler = scheduler;
    this.random = random;
    this.clock = clock;
    this.metrics = metrics;
    this.messages = new RecentResources<>(config.maxTrackedMessages());
  }

  public void register(Javalin app) {
    // Plivo's paths end in a slash; the server ignores trailing slashes, so both spellings reach these.
    app.post("/v1/Account/{authId}/Message", this::send);
    app.get("/v1/Account/{authId}/Message/{messageUuid}", this::fetch);
  }

  public static boolean isRejectionCode(int httpStatus) {
    return PlivoCodes.sendError(httpStatus).isPresent();
  }

  public static boolean isDeliveryErrorCode(int errorCode) {
    return PlivoCodes.isDeliveryError(errorCode);
  }

  /** What a send carries after the checks. */
  private record Send(PhoneNumbers.E164 to, String from, String text, Optional<URI> statusUrl, boolean get) {}

  private void send(Context ctx) {
    Optional<Reply> refused = refuse(ctx);
    if (refused.isPresent()) {
      replies.send(ctx, refused.get(), Duration.ZERO);
      return;
    }
    Map<String, String> params;
    try {
      params = params(ctx);
    } catch (IllegalArgumentException e) {
      invalid(ctx, e.getMessage());
      return;
    }
    for (String required : List.of("src", "dst", "text")) {
      if (params.get(required) == null) {
        invalid(ctx, required + " parameter is required");
        return;
      }
    }
    Optional<PhoneNumbers.E164> to = VendorFields.e164FromDigits(params.get("dst"));
    if (to.isEmpty()) {
      invalid(ctx, "invalid dst parameter: " + PhoneNumbers.mask(params.get("dst")));
      return;
    }
    Optional<URI> url = Optional.empty();
    if (params.get("url") != null) {
      url = VendorFields.httpUrl(params.get("url"));
      if (url.isEmpty()) {
        invalid(ctx, "invalid url parameter");
        return;
      }
    }
    String method = params.getOrDefault("method", "POST").toUpperCase(Locale.ROOT);
    if (!List.of("POST", "GET").contains(method)) {
      invalid(ctx, "method parameter must be GET or POST");
      return;
    }
    Send send = new Send(to.get(), params.get("src"), params.get("text"),
        url.or(() -> VendorFields.defaultCallback(dlrUrl, "plivo")),
        "GET".equals(method));

    String country = send.to().region();
    RouteBehaviour behaviour = routes.behaviour(Provider.PLIVO, SimChannel.SMS, country);
    Verdict verdict = behaviour.roll(random);
    SendLog.decided(ctx, send.to().number(), Provider.PLIVO, SimChannel.SMS, verdict.accepted());
    if (!verdict.accepted()) {
      count(country, "rejected");
      int status = verdict.rejectionCode();
      replies.send(ctx, error(status, PlivoCodes.sendError(status).orElse("rejected")), behaviour.latency());
      return;
    }
    String uuid = UUID.randomUUID().toString();
    BigDecimal rate = behaviour.price().setScale(5, RoundingMode.HALF_UP);
    messages.put(uuid, new PlivoMessage(uuid, account.authId(), send.from(), VendorFields.digits(send.to()), send.text(),
        "queued", null, rate, clock.instant()));
    count(country, "accepted");
    LOG.debug("plivo accepted message {} to {}", uuid, PhoneNumbers.mask(send.to().number()));
    scheduler.schedule(Tasks.logging(LOG, "plivo message " + uuid, () -> unfold(uuid, send, verdict)),
        verdict.receiptDelay().toNanos(), TimeUnit.NANOSECONDS);

    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("api_id", UUID.randomUUID().toString());
    answer.put("message", "message(s) queued");
    answer.put("message_uuid", List.of(uuid));
    replies.send(ctx, Reply.json(202, answer), behaviour.latency());
  }

  private void unfold(String uuid, Send send, Verdict verdict) {
    Optional<PlivoMessage> found = messages.find(uuid);
    if (found.isEmpty()) {
      return;
    }
    PlivoMessage message = found.get();
    PlivoMessage done;
    switch (verdict.fate()) {
      case SILENTLY_DROPPED -> {
        // Handed to a carrier that never reports back: the state stays sent, no callback.
        messages.put(uuid, message.withState("sent", null));
        delivery("silently_dropped");
        return;
      }
      case DELIVERED -> {
        handsets.receive(send.to().number(), new HandsetMessage(send.text(), Provider.PLIVO.wireName(),
            SimChannel.SMS.wireName(), send.from(), uuid, clock.instant(),
            CodeExtractor.find(send.text()).orElse(null)));
        done = message.withState("delivered", PlivoCodes.DELIVERED_ERROR_CODE);
        delivery("delivered");
      }
      default -> {
        int errorCode = verdict.deliveryErrorCode();
        done = message.withState(PlivoCodes.deliveryState(errorCode), Integer.toString(errorCode));
        delivery("undelivered");
      }
    }
    messages.put(uuid, done);
    if (verdict.receiptLost() || send.statusUrl().isEmpty()) {
      return;
    }
    callbacks.send(callback(send.statusUrl().get(), send.get(), callbackParams(done)));
  }

  /** The parameters of Plivo's message status callback. */
  private static Map<String, String> callbackParams(PlivoMessage message) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("From", message.from());
    params.put("To", message.toDigits());
    params.put("Status", message.state());
    params.put("MessageUUID", message.uuid());
    params.put("ParentMessageUUID", message.uuid());
    params.put("PartInfo", "1 of 1");
    params.put("Units", "1");
    params.put("TotalRate", message.rate().toPlainString());
    params.put("TotalAmount", message.rate().toPlainString());
    params.put("ErrorCode", message.errorCode());
    return params;
  }

  private Callback callback(URI url, boolean get, Map<String, String> params) {
    // Plivo's nonce is a string of digits; any unpredictable value serves.
    String nonce = Long.toUnsignedString(random.nextLong());
    String provider = Provider.PLIVO.wireName();
    if (get) {
      URI withParams = URI.create(url + (url.getRawQuery() == null ? "?" : "&") + FormEncoding.encode(params));
      return Callback.get(provider, withParams, signed("GET", withParams, Map.of(), nonce));
    }
    return Callback.post(provider, url, "application/x-www-form-urlencoded", FormEncoding.encode(params),
        signed("POST", url, params, nonce));
  }

  /** V3 covers the method, the URL with its query, the body's parameters and the nonce. */
  private Map<String, String> signed(String method, URI url, Map<String, String> body, String nonce) {
    return Map.of(
        PlivoSignature.SIGNATURE_HEADER, PlivoSignature.sign(method, url, body, nonce, account.authToken()),
        PlivoSignature.NONCE_HEADER, nonce);
  }

  private void fetch(Context ctx) {
    Optional<Reply> refused = refuse(ctx);
    if (refused.isPresent()) {
      replies.send(ctx, refused.get(), Duration.ZERO);
      return;
    }
    Optional<PlivoMessage> message = messages.find(ctx.pathParam("messageUuid"));
    replies.send(ctx, message.map(found -> Reply.json(200, found.json()))
        .orElseGet(() -> error(404, "not found")), Duration.ZERO);
  }

  /** An outage, wrong credentials, or a path naming another account. */
  private Optional<Reply> refuse(Context ctx) {
    if (routes.isDown(Provider.PLIVO)) {
      count("ZZ", "outage");
      return Optional.of(error(503, PlivoCodes.sendError(503).orElseThrow()));
    }
    if (!authenticated(ctx.header("Authorization")) || !account.authId().equals(ctx.pathParam("authId"))) {
      count("ZZ", "unauthenticated");
      return Optional.of(error(401, PlivoCodes.sendError(401).orElseThrow())
          .withHeader("WWW-Authenticate", "Basic realm=\"plivo\""));
    }
    return Optional.empty();
  }

  private boolean authenticated(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return false;
    }
    String credentials;
    try {
      credentials = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return false;
    }
    int colon = credentials.indexOf(':');
    if (colon < 0) {
      return false;
    }
    // Both compared in full, in constant time, so a timing difference says nothing about either.
    boolean user = constantTimeEquals(credentials.substring(0, colon), account.authId());
    boolean password = constantTimeEquals(credentials.substring(colon + 1), account.authToken());
    return user & password;
  }

  private static boolean constantTimeEquals(String given, String expected) {
    return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The request's parameters from a JSON object or a form body; blank values count as absent.
   *
   * @throws IllegalArgumentException when a JSON body is not a flat object
   */
  private static Map<String, String> params(Context ctx) {
    Map<String, String> params = new LinkedHashMap<>();
    String contentType = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
    if (contentType.startsWith("application/json")) {
      JsonNode body;
      try {
        body = Json.MAPPER.readTree(ctx.body());
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("invalid JSON body");
      }
      if (body == null || !body.isObject()) {
        throw new IllegalArgumentException("invalid JSON body");
      }
      body.properties().forEach(field -> {
        if (field.getValue().isContainerNode()) {
          throw new IllegalArgumentException("invalid " + field.getKey() + " parameter");
        }
        if (!field.getValue().isNull() && !field.getValue().asText().isBlank()) {
          params.put(field.getKey(), field.getValue().asText().trim());
        }
      });
    } else {
      ctx.formParamMap().forEach((name, values) -> {
        if (!values.isEmpty() && !values.get(0).isBlank()) {
          params.put(name, values.get(0).trim());
        }
      });
    }
    return params;
  }

  private void invalid(Context ctx, String error) {
    count("ZZ", "invalid");
    replies.send(ctx, error(400, error), Duration.ZERO);
  }

  private static Reply error(int status, String error) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("api_id", UUID.randomUUID().toString());
    body.put("error", error);
    return Reply.json(status, body);
  }





  private void count(String country, String outcome) {
    metrics.counter("relay_sim_sends", "provider", Provider.PLIVO.wireName(), "channel", SimChannel.SMS.wireName(),
        "country", country, "outcome", outcome).increment();
  }

  private void delivery(String outcome) {
    metrics.counter("relay_sim_deliveries", "provider", Provider.PLIVO.wireName(), "channel",
        SimChannel.SMS.wireName(), "outcome", outcome).increment();
  }
}
