package dev.relay.sim.vonage;

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
import java.math.RoundingMode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
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
 * Vonage's SMS API as Relay's adapter calls it: {@code /sms/json} with the parameters form-encoded,
 * as JSON or in the query, authenticated by {@code api_key} and {@code api_secret} (or a signed
 * request), answering Vonage's JSON with string values (HTTP 200 even for a refused send: the
 * {@code status} says what happened). Accepted messages unfold per their route's
 * {@link RouteBehaviour}; the handset receives a delivered one, and the delivery receipt goes to the
 * request's {@code callback} (or dlr-ingest) in Vonage's DLR format, signed when the account has a
 * signature secret.
 */
public final class VonageSmsApi {

  private static final Logger LOG = LoggerFactory.getLogger(VonageSmsApi.class);
  /** How far a signed request's timestamp may be from now, as Vonage's own libraries allow. */
  private static final Duration SIGNED_REQUEST_WINDOW = Duration.ofMinutes(5);
  private static final DateTimeFormatter MESSAGE_TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter SCTS =
      DateTimeFormatter.ofPattern("yyMMddHHmm", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final BigDecimal STARTING_BALANCE = new BigDecimal("1000.00000000");

  private final SimConfig config;
  private final RouteBook routes;
  private final Handsets handsets;
  private final CallbackPoster callbacks;
  private final Replies replies;
  private final ScheduledExecutorService scheduler;
  private final RandomGenerator random;
  private final Clock clock;
  private final MeterRegistry metrics;
  private BigDecimal balance = STARTING_BALANCE;

  public VonageSmsApi(SimConfig config, RouteBook routes, Handsets handsets, CallbackPoster callbacks,
                      ScheduledExecutorService scheduler, RandomGenerator random, Clock clock, MeterRegistry metrics) {
    this.config = config;
    this.routes = routes;
    this.handsets = handsets;
    this.callbacks = callbacks;
    this.replies = new Replies(scheduler);
    this.scheduler = scheduler;
    this.random = random;
    this.clock = clock;
    this.metrics = metrics;
  }

  public void register(Javalin app) {
    app.post("/sms/json", this::send);
    app.get("/sms/json", this::send);
  }

  public static boolean isRejectionCode(int status) {
    return VonageCodes.sendError(status).isPresent();
  }

  public static boolean isDeliveryErrorCode(int errCode) {
    return VonageCodes.isDeliveryError(errCode);
  }

  /** What a send carries after the checks: who to, from whom, what, and where receipts go. */
  private record Send(PhoneNumbers.E164 to, String from, String text, String clientRef, Optional<URI> receiptUrl) {}

  private void send(Context ctx) {
    if (routes.isDown(Provider.VONAGE)) {
      count("ZZ", "outage");
      Map<String, Object> problem = new LinkedHashMap<>();
      problem.put("type", "https://developer.vonage.com/api-errors#service-unavailable");
      problem.put("title", "Service Unavailable");
      problem.put("detail", "The SMS API is temporarily unavailable.");
      replies.send(ctx, Reply.json(503, problem), Duration.ZERO);
      return;
    }
    Map<String, String> params;
    try {
      params = params(ctx);
    } catch (IllegalArgumentException e) {
      refuse(ctx, null, VonageCodes.INVALID_PARAMS, e.getMessage());
      return;
    }
    Optional<Refusal> unauthenticated = authenticate(params);
    if (unauthenticated.isPresent()) {
      refuse(ctx, null, unauthenticated.get().status(), unauthenticated.get().errorText());
      return;
    }
    for (String required : List.of("from", "to", "text")) {
      if (params.get(required) == null) {
        refuse(ctx, null, VonageCodes.MISSING_PARAMS, "Missing " + required + " param");
        return;
      }
    }
    Optional<PhoneNumbers.E164> to = VendorFields.e164FromDigits(params.get("to"));
    if (to.isEmpty()) {
      refuse(ctx, null, VonageCodes.INVALID_PARAMS, "Invalid to address");
      return;
    }
    Optional<URI> callback = Optional.empty();
    if (params.get("callback") != null) {
      callback = VendorFields.httpUrl(params.get("callback"));
      if (callback.isEmpty()) {
        refuse(ctx, to.get(), VonageCodes.INVALID_CALLBACK_URL, "Invalid Callback Url");
        return;
      }
    }
    boolean wantsReceipt = !List.of("false", "0").contains(
        params.getOrDefault("status-report-req", "true").toLowerCase(Locale.ROOT));
    Optional<URI> receiptUrl = wantsReceipt
        ? callback.or(() -> VendorFields.defaultCallback(config.dlrUrl(), "vonage"))
        : Optional.empty();
    Send send = new Send(to.get(), params.get("from"), params.get("text"), params.get("client-ref"), receiptUrl);

    String country = send.to().region();
    RouteBehaviour behaviour = routes.behaviour(Provider.VONAGE, SimChannel.SMS, country);
    Verdict verdict = behaviour.roll(random);
    SendLog.decided(ctx, send.to().number(), Provider.VONAGE, SimChannel.SMS, verdict.accepted());
    if (!verdict.accepted()) {
      count(country, "rejected");
      int status = verdict.rejectionCode();
      replies.send(ctx, Reply.json(200, answer(error(send.to(), status,
          VonageCodes.sendError(status).orElse("Rejected")))), behaviour.latency());
      return;
    }
    String messageId = Hex.random(16).toUpperCase(Locale.ROOT);
    BigDecimal price = behaviour.price().setScale(8, RoundingMode.HALF_UP);
    BigDecimal remaining = charge(price);
    count(country, "accepted");
    LOG.debug("vonage accepted message {} to {}", messageId, PhoneNumbers.mask(send.to().number()));
    scheduler.schedule(Tasks.logging(LOG, "vonage message " + messageId,
        () -> unfold(messageId, send, verdict, price)), verdict.receiptDelay().toNanos(), TimeUnit.NANOSECONDS);

    Map<String, String> message = new LinkedHashMap<>();
    message.put("to", VendorFields.digits(send.to()));
    message.put("message-id", messageId);
    message.put("status", "0");
    message.put("remaining-balance", remaining.toPlainString());
    message.put("message-price", price.toPlainString());
    NetworkCodes.of(country).ifPresent(network -> message.put("network", network));
    if (send.clientRef() != null) {
      message.put("client-ref", send.clientRef());
    }
    replies.send(ctx, Reply.json(200, answer(message)), behaviour.latency());
  }

  private void unfold(String messageId, Send send, Verdict verdict, BigDecimal price) {
    Instant now = clock.instant();
    String status;
    int errCode;
    switch (verdict.fate()) {
      case SILENTLY_DROPPED -> {
        delivery("silently_dropped");
        return;
      }
      case DELIVERED -> {
        handsets.receive(send.to().number(), new HandsetMessage(send.text(), Provider.VONAGE.wireName(),
            SimChannel.SMS.wireName(), send.from(), messageId, now, CodeExtractor.find(send.text()).orElse(null)));
        status = "delivered";
        errCode = 0;
        delivery("delivered");
      }
      default -> {
        errCode = verdict.deliveryErrorCode();
        status = VonageCodes.receiptStatus(errCode);
        delivery("undelivered");
      }
    }
    if (verdict.receiptLost() || send.receiptUrl().isEmpty()) {
      return;
    }
    callbacks.send(receipt(send.receiptUrl().get(), receiptParams(messageId, send, status, errCode, price, now)));
  }

  private Map<String, String> receiptParams(String messageId, Send send, String status, int errCode, BigDecimal price,
                                            Instant now) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("msisdn", VendorFields.digits(send.to()));
    params.put("to", send.from());
    NetworkCodes.of(send.to().region()).ifPresent(network -> params.put("network-code", network));
    params.put("messageId", messageId);
    params.put("price", price.toPlainString());
    params.put("status", status);
    params.put("scts", SCTS.format(now));
    params.put("err-code", Integer.toString(errCode));
    params.put("api-key", config.vonageApiKey());
    if (send.clientRef() != null) {
      params.put("client-ref", send.clientRef());
    }
    params.put("message-timestamp", MESSAGE_TIMESTAMP.format(now));
    config.vonageSignatureSecret().ifPresent(secret -> {
      params.put("timestamp", Long.toString(now.getEpochSecond()));
      params.put("nonce", UUID.randomUUID().toString());
      params.put(VonageSignature.SIG, VonageSignature.sign(params, secret, config.vonageSignatureMethod()));
    });
    return params;
  }

  private Callback receipt(URI url, Map<String, String> params) {
    String provider = Provider.VONAGE.wireName();
    return switch (config.vonageDlrMethod()) {
      case POST_JSON -> {
        try {
          yield Callback.post(provider, url, "application/json", Json.MAPPER.writeValueAsString(params), Map.of());
        } catch (JsonProcessingException e) {
          throw new IllegalStateException("a map of strings always serializes", e);
        }
      }
      case POST_FORM -> Callback.post(provider, url, "application/x-www-form-urlencoded", FormEncoding.encode(params),
          Map.of());
      case GET -> Callback.get(provider,
          URI.create(url + (url.getRawQuery() == null ? "?" : "&") + FormEncoding.encode(params)), Map.of());
    };
  }

  /** A send refused before any route is consulted: Vonage's status and error-text. */
  private record Refusal(int status, String errorText) {}

  private Optional<Refusal> authenticate(Map<String, String> params) {
    String apiKey = params.get("api_key");
    String apiSecret = params.get("api_secret");
    String sig = params.get(VonageSignature.SIG);
    if (apiKey == null) {
      return Optional.of(new Refusal(VonageCodes.MISSING_PARAMS, "Missing api_key"));
    }
    if (apiSecret == null && sig == null) {
      return Optional.of(new Refusal(VonageCodes.MISSING_PARAMS, "Missing api_secret"));
    }
    if (apiSecret != null && sig != null) {
      return Optional.of(new Refusal(VonageCodes.SIGNATURE_AND_SECRET, "Signature And API Secret Disallowed"));
    }
    Refusal badCredentials = new Refusal(VonageCodes.INVALID_CREDENTIALS, "Bad Credentials");
    boolean keyMatches = constantTimeEquals(apiKey, config.vonageApiKey());
    if (apiSecret != null) {
      // Both compared in full, so the time taken says nothing about which one was wrong.
      boolean secretMatches = constantTimeEquals(apiSecret, config.vonageApiSecret());
      return keyMatches & secretMatches ? Optional.empty() : Optional.of(badCredentials);
    }
    if (!keyMatches) {
      return Optional.of(badCredentials);
    }
    boolean signed = config.vonageSignatureSecret()
        .filter(secret -> fresh(params.get("timestamp")))
        .filter(secret -> VonageSignature.verify(params, secret, config.vonageSignatureMethod()))
        .isPresent();
    return signed ? Optional.empty() : Optional.of(new Refusal(VonageCodes.INVALID_SIGNATURE, "Invalid Signature"));
  }

  /** A signed request's timestamp (Unix seconds) must be near now, so a captured request cannot be replayed later. */
  private boolean fresh(String timestamp) {
    if (timestamp == null) {
      return false;
    }
    try {
      Instant sentAt = Instant.ofEpochSecond(Long.parseLong(timestamp));
      return Duration.between(sentAt, clock.instant()).abs().compareTo(SIGNED_REQUEST_WINDOW) <= 0;
    } catch (NumberFormatException | DateTimeException e) {
      return false;
    }
  }

  private static boolean constantTimeEquals(String given, String expected) {
    return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The request's parameters, from a JSON body or a form body, and the query string; blank values
   * count as absent.
   *
   * @throws IllegalArgumentException when a JSON body is not a flat object
   */
  private static Map<String, String> params(Context ctx) {
    Map<String, String> params = new LinkedHashMap<>();
    ctx.queryParamMap().forEach((name, values) -> putFirst(params, name, values));
    String contentType = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
    if (contentType.startsWith("application/json")) {
      JsonNode body;
      try {
        body = Json.MAPPER.readTree(ctx.body());
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("Invalid JSON body");
      }
      if (body == null || !body.isObject()) {
        throw new IllegalArgumentException("Invalid JSON body");
      }
      body.properties().forEach(field -> {
        if (field.getValue().isContainerNode()) {
          throw new IllegalArgumentException("Invalid " + field.getKey() + " param");
        }
        if (!field.getValue().isNull() && !field.getValue().asText().isBlank()) {
          params.put(field.getKey(), field.getValue().asText().trim());
        }
      });
    } else if (!"GET".equals(ctx.method().name())) {
      ctx.formParamMap().forEach((name, values) -> putFirst(params, name, values));
    }
    return params;
  }

  private static void putFirst(Map<String, String> params, String name, List<String> values) {
    if (!values.isEmpty() && !values.get(0).isBlank()) {
      params.put(name, values.get(0).trim());
    }
  }

  private void refuse(Context ctx, PhoneNumbers.E164 to, int status, String errorText) {
    count(to == null ? "ZZ" : to.region(), "invalid");
    replies.send(ctx, Reply.json(200, answer(error(to, status, errorText))), Duration.ZERO);
  }

  private static Map<String, String> error(PhoneNumbers.E164 to, int status, String errorText) {
    Map<String, String> message = new LinkedHashMap<>();
    if (to != null) {
      message.put("to", VendorFields.digits(to));
    }
    message.put("status", Integer.toString(status));
    message.put("error-text", errorText);
    return message;
  }

  private static Map<String, Object> answer(Map<String, String> message) {
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("message-count", "1");
    answer.put("messages", List.of(message));
    return answer;
  }

  private synchronized BigDecimal charge(BigDecimal price) {
    balance = balance.subtract(price);
    return balance;
  }





  private void count(String country, String outcome) {
    metrics.counter("relay_sim_sends", "provider", Provider.VONAGE.wireName(), "channel", SimChannel.SMS.wireName(),
        "country", country, "outcome", outcome).increment();
  }

  private void delivery(String outcome) {
    metrics.counter("relay_sim_deliveries", "provider", Provider.VONAGE.wireName(), "channel",
        SimChannel.SMS.wireName(), "outcome", outcome).increment();
  }
}
