package dev.relay.sim.vonage;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.sim.callback.Callback;
import dev.relay.sim.callback.CallbackPoster;
import dev.relay.sim.config.SimConfig;
import dev.relay.sim.handset.CodeExtractor;
import dev.relay.sim.handset.HandsetMessage;
import dev.relay.sim.handset.Handsets;
import dev.relay.sim.handset.WhatsAppUsers;
import dev.relay.sim.route.Provider;
import dev.relay.sim.route.RouteBehaviour;
import dev.relay.sim.route.RouteBook;
import dev.relay.sim.route.SimChannel;
import dev.relay.sim.route.Verdict;
import dev.relay.sim.vendor.Hex;
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
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Vonage's Messages API for WhatsApp as Relay's adapter calls it: {@code POST /v1/messages} with a
 * JSON body and a bearer JWT that must verify RS256 with the application's public key and name the
 * application; {@code message_type} {@code template} (the template's first parameter is the code) or
 * {@code text}. It answers 202 with a {@code message_uuid}, or an RFC 7807 problem whose {@code type}
 * ends in Vonage's error code. Status webhooks go to the request's {@code webhook_url} (or
 * dlr-ingest's {@code /dlr/vonage-messages}), JSON, signed as Vonage signs them: a JWT (HS256, the
 * signature secret) in {@code Authorization} whose {@code payload_hash} is the body's SHA-256. A user
 * without WhatsApp is accepted and then rejected with 1300, as on the real service.
 */
public final class VonageMessagesApi {

  private static final Logger LOG = LoggerFactory.getLogger(VonageMessagesApi.class);
  private static final String ERRORS = "https://developer.vonage.com/api-errors/messages#";

  /** Refusals of a send by Vonage's code: HTTP status and title. */
  private record Problem(int httpStatus, String title, String detail) {}

  private static final Map<Integer, Problem> REJECTIONS = Map.of(
      1000, new Problem(429, "Throttled", "You have exceeded the submission capacity allowed on this account. Please wait and retry"),
      1020, new Problem(422, "Invalid params", "The value of one or more parameters is invalid."),
      1030, new Problem(500, "Internal error", "There was an error processing your request in the Platform."),
      1120, new Problem(422, "Illegal Sender Address - rejected", "The SenderID you set in from was not accepted."),
      1430, new Problem(422, "Invalid recipient", "The `to` parameter is invalid for the given channel."),
      1470, new Problem(422, "Fraud Defender Traffic Rule", "Rejected due to prefix block list."));

  /** Delivery errors a status webhook may carry with {@code rejected}. */
  private static final Map<Integer, String> DELIVERY_ERRORS = Map.of(
      1300, "Not part of the provider network",
      1310, "Not suitable device",
      1330, "Unknown",
      1340, "Outside of the allowed window",
      1360, "TTL was activated, or message expired before delivered.",
      1260, "Destination unreachable");

  private static final int NOT_ON_WHATSAPP = 1300;

  private final SimConfig config;
  private final SimConfig.VonageApplication application;
  private final RouteBook routes;
  private final Handsets handsets;
  private final WhatsAppUsers whatsAppUsers;
  private final CallbackPoster callbacks;
  private final Replies replies;
  private final ScheduledExecutorService scheduler;
  private final RandomGenerator random;
  private final Clock clock;
  private final MeterRegistry metrics;

  public VonageMessagesApi(SimConfig config, SimConfig.VonageApplication application, RouteBook routes, Handsets handsets,
                           WhatsAppUsers whatsAppUsers, CallbackPoster callbacks, ScheduledExecutorService scheduler,
                           RandomGenerator random, Clock clock, MeterRegistry metrics) {
    this.config = config;
    this.application = application;
    this.routes = routes;
    this.handsets = handsets;
    this.whatsAppUsers = whatsAppUsers;
    this.callbacks = callbacks;
    this.replies = new Replies(scheduler);
    this.scheduler = scheduler;
    this.random = random;
    this.clock = clock;
    this.metrics = metrics;
  }

  public void register(Javalin app) {
    app.post("/v1/messages", this::send);
  }

  public static boolean isRejectionCode(int code) {
    return REJECTIONS.containsKey(code);
  }

  public static boolean isDeliveryErrorCode(int code) {
    return DELIVERY_ERRORS.containsKey(code);
  }

  private record Send(PhoneNumbers.E164 to, String from, String text, String clientRef, Optional<URI> webhook) {}

  private void send(Context ctx) {
    if (routes.isDown(Provider.VONAGE)) {
      count("ZZ", "outage");
      replies.send(ctx, problem(503, "https://developer.vonage.com/api-errors#service-unavailable", "Service Unavailable",
          "The Messages API is temporarily unavailable."), Duration.ZERO);
      return;
    }
    if (!authenticated(ctx.header("Authorization"))) {
      count("ZZ", "unauthenticated");
      replies.send(ctx, problem(401, "https://developer.vonage.com/api-errors#unauthorized", "Unauthorized",
          "You did not provide correct credentials."), Duration.ZERO);
      return;
    }
    JsonNode body;
    try {
      body = Json.MAPPER.readTree(ctx.body());
    } catch (JsonProcessingException e) {
      body = null;
    }
    if (body == null || !body.isObject()) {
      invalid(ctx, 1020, "Invalid params", "The request body is not a JSON object.");
      return;
    }
    if (!"whatsapp".equals(text(body, "channel"))) {
      invalid(ctx, 1400, "Unsupported channel", "The channel specified in the request is not supported.");
      return;
    }
    String to = text(body, "to");
    String from = text(body, "from");
    String messageType = text(body, "message_type");
    if (to == null || from == null || messageType == null) {
      invalid(ctx, 1010, "Missing params", "Your request is incomplete and missing some mandatory parameters.");
      return;
    }
    String message;
    if ("template".equals(messageType)) {
      JsonNode parameters = body.path("template").path("parameters");
      if (text(body.path("template"), "name") == null || !parameters.isArray()) {
        invalid(ctx, 1022, "Invalid template", "Invalid template or template parameters");
        return;
      }
      String code = parameters.isEmpty() ? "" : parameters.get(0).asText();
      message = code + " is your verification code. For your security, do not share this code.";
    } else if ("text".equals(messageType)) {
      message = text(body, "text");
      if (message == null) {
        invalid(ctx, 1010, "Missing params", "The text is missing.");
        return;
      }
    } else {
      invalid(ctx, 1440, "Invalid message type", "The message type specified in the request is not supported for the given channel.");
      return;
    }
    Optional<PhoneNumbers.E164> number = VendorFields.e164FromDigits(to);
    if (number.isEmpty()) {
      invalid(ctx, 1430, "Invalid recipient", "The `to` parameter is invalid for the given channel.");
      return;
    }
    Optional<URI> webhook = Optional.empty();
    if (text(body, "webhook_url") != null) {
      webhook = VendorFields.httpUrl(text(body, "webhook_url"));
      if (webhook.isEmpty()) {
        invalid(ctx, 1020, "Invalid params", "The webhook_url is not a valid URL.");
        return;
      }
    }
    Send send = new Send(number.get(), from, message, text(body, "client_ref"),
        webhook.or(() -> VendorFields.defaultCallback(config.dlrUrl(), "vonage-messages")));

    String country = number.get().region();
    RouteBehaviour behaviour = routes.behaviour(Provider.VONAGE, SimChannel.WHATSAPP, country);
    Verdict verdict = behaviour.roll(random);
    SendLog.decided(ctx, number.get().number(), Provider.VONAGE, SimChannel.WHATSAPP, verdict.accepted());
    if (!verdict.accepted()) {
      count(country, "rejected");
      int code = verdict.rejectionCode();
      Problem problem = REJECTIONS.getOrDefault(code, new Problem(422, "Rejected", "The message was rejected."));
      replies.send(ctx, problem(problem.httpStatus(), ERRORS + code, problem.title(), problem.detail()), behaviour.latency());
      return;
    }
    String uuid = UUID.randomUUID().toString();
    count(country, "accepted");
    LOG.debug("vonage accepted WhatsApp message {} to {}", uuid, PhoneNumbers.mask(number.get().number()));
    scheduler.schedule(Tasks.logging(LOG, "vonage WhatsApp message " + uuid,
        () -> unfold(uuid, send, verdict, behaviour.price())), verdict.receiptDelay().toNanos(), TimeUnit.NANOSECONDS);
    replies.send(ctx, Reply.json(202, Map.of("message_uuid", uuid)), behaviour.latency());
  }

  /** A delivered message is reported submitted, delivered, then read; a user without WhatsApp, rejected with 1300. */
  private void unfold(String uuid, Send send, Verdict verdict, BigDecimal price) {
    Instant now = clock.instant();
    List<Map<String, Object>> statuses = new ArrayList<>();
    if (!whatsAppUsers.isOnWhatsApp(send.to().number())) {
      statuses.add(status(uuid, send, "rejected", NOT_ON_WHATSAPP, null, now));
      delivery("not_on_whatsapp");
    } else {
      statuses.add(status(uuid, send, "submitted", null, null, now));
      switch (verdict.fate()) {
        case SILENTLY_DROPPED -> {
          delivery("silently_dropped");
          return;
        }
        case DELIVERED -> {
          handsets.receive(send.to().number(), new HandsetMessage(send.text(), Provider.VONAGE.wireName(),
              SimChannel.WHATSAPP.wireName(), send.from(), uuid, now, CodeExtractor.find(send.text()).orElse(null)));
          statuses.add(status(uuid, send, "delivered", null, price, now));
          statuses.add(status(uuid, send, "read", null, null, now));
          delivery("delivered");
        }
        default -> {
          statuses.add(status(uuid, send, "rejected", verdict.deliveryErrorCode(), null, now));
          delivery("undelivered");
        }
      }
    }
    if (verdict.receiptLost() || send.webhook().isEmpty()) {
      return;
    }
    URI url = send.webhook().get();
    CompletableFuture<Integer> chain = CompletableFuture.completedFuture(0);
    for (Map<String, Object> status : statuses) {
      chain = chain.thenCompose(previous -> callbacks.send(signed(url, status)));
    }
  }

  private Map<String, Object> status(String uuid, Send send, String status, Integer errorCode, BigDecimal price, Instant now) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("message_uuid", uuid);
    body.put("to", VendorFields.digits(send.to()));
    body.put("from", send.from());
    body.put("timestamp", now.truncatedTo(ChronoUnit.MILLIS).toString());
    body.put("status", status);
    body.put("channel", "whatsapp");
    if (send.clientRef() != null) {
      body.put("client_ref", send.clientRef());
    }
    if (price != null) {
      body.put("usage", Map.of("currency", "EUR", "price", price.toPlainString()));
    }
    if (errorCode != null) {
      Map<String, Object> error = new LinkedHashMap<>();
      error.put("type", ERRORS + errorCode);
      error.put("title", errorCode);
      error.put("detail", DELIVERY_ERRORS.getOrDefault(errorCode, "Unknown"));
      error.put("instance", Hex.random(32));
      body.put("error", error);
    }
    return body;
  }

  /** The webhook as Vonage posts it: signed with a JWT over the body's hash when the account has a signature secret. */
  private Callback signed(URI url, Map<String, Object> status) {
    String body;
    try {
      body = Json.MAPPER.writeValueAsString(status);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a status always serializes", e);
    }
    Map<String, String> headers = config.vonageSignatureSecret()
        .map(secret -> Map.of("Authorization", "Bearer " + JWT.create()
            .withIssuer("Vonage")
            .withIssuedAt(Date.from(clock.instant()))
            .withJWTId(UUID.randomUUID().toString())
            .withClaim("payload_hash", sha256Hex(body))
            .withClaim("api_key", config.vonageApiKey())
            .withClaim("application_id", application.id())
            .sign(Algorithm.HMAC256(secret))))
        .orElse(Map.of());
    return Callback.post(Provider.VONAGE.wireName(), url, "application/json", body, headers);
  }

  private boolean authenticated(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    try {
      JWT.require(Algorithm.RSA256(application.publicKey(), null))
          .withClaim("application_id", application.id())
          .build()
          .verify(authorization.substring(7).trim());
      return true;
    } catch (JWTVerificationException e) {
      return false;
    }
  }

  private void invalid(Context ctx, int code, String title, String detail) {
    count("ZZ", "invalid");
    replies.send(ctx, problem(code == 1000 ? 429 : 422, ERRORS + code, title, detail), Duration.ZERO);
  }

  private static Reply problem(int status, String type, String title, String detail) {
    Map<String, Object> problem = new LinkedHashMap<>();
    problem.put("type", type);
    problem.put("title", title);
    problem.put("detail", detail);
    problem.put("instance", Hex.random(32));
    return Reply.json(status, problem);
  }

  static String sha256Hex(String body) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JRE has SHA-256", e);
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() || !value.isValueNode() || value.asText().isBlank() ? null : value.asText();
  }

  private void count(String country, String outcome) {
    metrics.counter("relay_sim_sends", "provider", Provider.VONAGE.wireName(), "channel", SimChannel.WHATSAPP.wireName(),
        "country", country, "outcome", outcome).increment();
  }

  private void delivery(String outcome) {
    metrics.counter("relay_sim_deliveries", "provider", Provider.VONAGE.wireName(), "channel",
        SimChannel.WHATSAPP.wireName(), "outcome", outcome).increment();
  }
}
