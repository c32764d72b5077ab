package dev.relay.sim.twilio;

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
import dev.relay.sim.vendor.FormEncoding;
import dev.relay.sim.vendor.Hex;
import dev.relay.sim.vendor.RecentResources;
import dev.relay.sim.vendor.Replies;
import dev.relay.sim.vendor.Replies.Reply;
import dev.relay.sim.vendor.SendLog;
import dev.relay.sim.vendor.Tasks;
import dev.relay.sim.vendor.VendorFields;
import dev.relay.support.phone.PhoneNumbers;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Twilio's REST API as Relay's adapter calls it: Programmable Messaging ({@code Messages.json}, SMS,
 * and WhatsApp with {@code whatsapp:} addresses and a Content API template or a session body) and
 * Voice ({@code Calls.json}), with Basic auth, form-encoded requests, Twilio's JSON resources and
 * error bodies. Each accepted message or call unfolds per its route's {@link RouteBehaviour}: the
 * handset receives it when (and only when) it is delivered, and the status callbacks are posted
 * signed with {@code X-Twilio-Signature}.
 */
public final class TwilioApi {

  /** How Twilio addresses WhatsApp users and senders. */
  static final String WHATSAPP = "whatsapp:";
  private static final java.util.regex.Pattern CONTENT_SID = java.util.regex.Pattern.compile("HX[0-9a-fA-F]{32}");
  /** The sender a Messaging Service picks when the request names no {@code From}. */
  static final String MESSAGING_SERVICE_SENDER = "+15005550006";
  private static final int MAX_BODY_LENGTH = 1600;
  private static final Logger LOG = LoggerFactory.getLogger(TwilioApi.class);

  private final SimConfig config;
  private final RouteBook routes;
  private final Handsets handsets;
  private final CallbackPoster callbacks;
  private final Replies replies;
  private final ScheduledExecutorService scheduler;
  private final RandomGenerator random;
  private final Clock clock;
  private final MeterRegistry metrics;
  private final HttpClient http;
  private final RecentResources<TwilioMessage> messages;
  private final RecentResources<TwilioCall> calls;
  private final WhatsAppUsers whatsAppUsers;

  public TwilioApi(SimConfig config, RouteBook routes, Handsets handsets, CallbackPoster callbacks,
                   ScheduledExecutorService scheduler, RandomGenerator random, Clock clock, MeterRegistry metrics,
                   HttpClient http, WhatsAppUsers whatsAppUsers) {
    this.config = config;
    this.routes = routes;
    this.handsets = handsets;
    this.callbacks = callbacks;
    this.replies = new Replies(scheduler);
    this.scheduler = scheduler;
    this.random = random;
    this.clock = clock;
    this.metrics = metrics;
    this.http = http;
    this.messages = new RecentResources<>(config.maxTrackedMessages());
    this.calls = new RecentResources<>(config.maxTrackedMessages());
    this.whatsAppUsers = whatsAppUsers;
  }

  public void register(Javalin app) {
    String account = "/2010-04-01/Accounts/{accountSid}";
    app.post(account + "/Messages.json", this::createMessage);
    app.get(account + "/Messages/{messageSid}.json", this::fetchMessage);
    app.post(account + "/Calls.json", this::createCall);
    app.get(account + "/Calls/{callSid}.json", this::fetchCall);
  }

  /** What the vendor codes a Twilio route may be told to answer, for the admin API. */
  public static boolean isRejectionCode(SimChannel channel, int code) {
    return TwilioErrors.rejection(channel, code).isPresent();
  }

  public static boolean isDeliveryErrorCode(SimChannel channel, int code) {
    return TwilioErrors.isDeliveryError(channel, code);
  }

  private void createMessage(Context ctx) {
    Optional<Reply> refused = refuse(ctx, SimChannel.SMS);
    if (refused.isPresent()) {
      replies.send(ctx, refused.get(), Duration.ZERO);
      return;
    }
    Map<String, String> form = form(ctx);
    String to = form.get("To");
    if (to != null && to.startsWith(WHATSAPP)) {
      createWhatsAppMessage(ctx, form);
      return;
    }
    String from = form.get("From");
    String messagingServiceSid = form.get("MessagingServiceSid");
    String body = form.get("Body");
    if (to == null) {
      invalid(ctx, SimChannel.SMS, TwilioErrors.MISSING_TO_MESSAGE, "A 'To' phone number is required.");
      return;
    }
    if (from == null && messagingServiceSid == null) {
      invalid(ctx, SimChannel.SMS, TwilioErrors.MISSING_FROM_MESSAGE, "A 'From' phone number is required.");
      return;
    }
    if (body == null) {
      invalid(ctx, SimChannel.SMS, TwilioErrors.MISSING_BODY, "Message body is required.");
      return;
    }
    if (body.length() > MAX_BODY_LENGTH) {
      invalid(ctx, SimChannel.SMS, TwilioErrors.BODY_TOO_LONG,
          "The concatenated message body exceeds the " + MAX_BODY_LENGTH + " character limit.");
      return;
    }
    Optional<PhoneNumbers.E164> number = VendorFields.e164(to);
    if (number.isEmpty()) {
      invalid(ctx, SimChannel.SMS, TwilioErrors.INVALID_TO, "The 'To' number " + to + " is not a valid phone number.");
      return;
    }
    Optional<URI> statusCallback = Optional.empty();
    if (form.get("StatusCallback") != null) {
      statusCallback = VendorFields.httpUrl(form.get("StatusCallback"));
      if (statusCallback.isEmpty()) {
        invalid(ctx, SimChannel.SMS, TwilioErrors.INVALID_STATUS_CALLBACK,
            "The StatusCallback URL " + form.get("StatusCallback") + " is not a valid URL.");
        return;
      }
    }
    // Like a Messaging Service's own Status Callback URL: receipts for sends that name none go to dlr-ingest.
    Optional<URI> receiptUrl = statusCallback.or(() -> VendorFields.defaultCallback(config.dlrUrl(), "twilio"));

    String country = number.get().region();
    RouteBehaviour behaviour = routes.behaviour(Provider.TWILIO, SimChannel.SMS, country);
    Verdict verdict = behaviour.roll(random);
    SendLog.decided(ctx, number.get().number(), Provider.TWILIO, SimChannel.SMS, verdict.accepted());
    if (!verdict.accepted()) {
      reject(ctx, SimChannel.SMS, country, verdict.rejectionCode(), number.get().number(), behaviour.latency());
      return;
    }
    TwilioMessage message = new TwilioMessage("SM" + Hex.random(32), config.twilioAccountSid(),
        number.get().number(), from, messagingServiceSid, body, clock.instant());
    messages.put(message.sid, message);
    count(SimChannel.SMS, country, "accepted");
    LOG.debug("twilio accepted message {} to {}", message.sid, PhoneNumbers.mask(message.to));
    scheduler.schedule(Tasks.logging(LOG, "twilio message " + message.sid,
        () -> unfoldMessage(message, verdict, behaviour.price(), receiptUrl)),
        verdict.receiptDelay().toNanos(), TimeUnit.NANOSECONDS);
    replies.send(ctx, Reply.json(201, message.json()), behaviour.latency());
  }

  private void unfoldMessage(TwilioMessage message, Verdict verdict, BigDecimal price, Optional<URI> receiptUrl) {
    Instant now = clock.instant();
    message.sent(now, price);
    Map<String, String> sentParams = messageCallbackParams(message, "sent", null, now);
    Map<String, String> finalParams;
    switch (verdict.fate()) {
      case SILENTLY_DROPPED -> {
        delivery(SimChannel.SMS, "silently_dropped");
        return;
      }
      case DELIVERED -> {
        handsets.receive(message.to, new HandsetMessage(message.body, Provider.TWILIO.wireName(),
            SimChannel.SMS.wireName(), message.from != null ? message.from : MESSAGING_SERVICE_SENDER, message.sid,
            now, CodeExtractor.find(message.body).orElse(null)));
        message.delivered(now);
        finalParams = messageCallbackParams(message, "delivered", null, now);
        delivery(SimChannel.SMS, "delivered");
      }
      default -> {
        TwilioErrors.DeliveryError error = TwilioErrors.messageDeliveryError(verdict.deliveryErrorCode());
        message.notDelivered(now, error);
        finalParams = messageCallbackParams(message, message.status(), error.code(), now);
        delivery(SimChannel.SMS, "undelivered");
      }
    }
    if (verdict.receiptLost() || receiptUrl.isEmpty()) {
      return;
    }
    URI url = receiptUrl.get();
    // Twilio reports "sent" before the final status; the final one waits for the first to be answered.
    callbacks.send(signedPost(url, sentParams))
        .thenCompose(status -> callbacks.send(signedPost(url, finalParams)));
  }

  private void createWhatsAppMessage(Context ctx, Map<String, String> form) {
    String from = form.get("From");
    String messagingServiceSid = form.get("MessagingServiceSid");
    String contentSid = form.get("ContentSid");
    String body = form.get("Body");
    if (from == null && messagingServiceSid == null) {
      invalid(ctx, SimChannel.WHATSAPP, TwilioErrors.MISSING_FROM_MESSAGE, "A 'From' phone number is required.");
      return;
    }
    if (from != null && !from.startsWith(WHATSAPP)) {
      invalid(ctx, SimChannel.WHATSAPP, 21910, "Invalid From and To pair. From and To should be of the same channel");
      return;
    }
    if (contentSid == null && body == null) {
      invalid(ctx, SimChannel.WHATSAPP, TwilioErrors.MISSING_BODY, "Message body is required.");
      return;
    }
    String text;
    if (contentSid != null) {
      if (!CONTENT_SID.matcher(contentSid).matches()) {
        invalid(ctx, SimChannel.WHATSAPP, 21655, "The ContentSid is Invalid.");
        return;
      }
      Optional<String> rendered = renderTemplate(form.get("ContentVariables"));
      if (rendered.isEmpty()) {
        invalid(ctx, SimChannel.WHATSAPP, 21656, "The ContentVariables Parameter is invalid.");
        return;
      }
      text = rendered.get();
    } else {
      text = body;
    }
    Optional<PhoneNumbers.E164> number = VendorFields.e164(form.get("To").substring(WHATSAPP.length()));
    if (number.isEmpty()) {
      invalid(ctx, SimChannel.WHATSAPP, TwilioErrors.INVALID_TO, "The 'To' number " + form.get("To") + " is not a valid phone number.");
      return;
    }
    Optional<URI> statusCallback = Optional.empty();
    if (form.get("StatusCallback") != null) {
      statusCallback = VendorFields.httpUrl(form.get("StatusCallback"));
      if (statusCallback.isEmpty()) {
        invalid(ctx, SimChannel.WHATSAPP, TwilioErrors.INVALID_STATUS_CALLBACK,
            "The StatusCallback URL " + form.get("StatusCallback") + " is not a valid URL.");
        return;
      }
    }
    Optional<URI> receiptUrl = statusCallback.or(() -> VendorFields.defaultCallback(config.dlrUrl(), "twilio"));
    String country = number.get().region();
    RouteBehaviour behaviour = routes.behaviour(Provider.TWILIO, SimChannel.WHATSAPP, country);
    Verdict verdict = behaviour.roll(random);
    SendLog.decided(ctx, number.get().number(), Provider.TWILIO, SimChannel.WHATSAPP, verdict.accepted());
    if (!verdict.accepted()) {
      reject(ctx, SimChannel.WHATSAPP, country, verdict.rejectionCode(), number.get().number(), behaviour.latency());
      return;
    }
    TwilioMessage message = new TwilioMessage("SM" + Hex.random(32), config.twilioAccountSid(),
        WHATSAPP + number.get().number(), from != null ? from : WHATSAPP + MESSAGING_SERVICE_SENDER, messagingServiceSid,
        text, clock.instant());
    messages.put(message.sid, message);
    count(SimChannel.WHATSAPP, country, "accepted");
    LOG.debug("twilio accepted WhatsApp message {} to {}", message.sid, PhoneNumbers.mask(number.get().number()));
    scheduler.schedule(Tasks.logging(LOG, "twilio WhatsApp message " + message.sid,
        () -> unfoldWhatsApp(message, number.get().number(), verdict, behaviour.price(), receiptUrl)),
        verdict.receiptDelay().toNanos(), TimeUnit.NANOSECONDS);
    replies.send(ctx, Reply.json(201, message.json()), behaviour.latency());
  }

  /**
   * A user without WhatsApp fails with 63003 whatever the route; a delivered message is reported sent,
   * delivered, then read (the simulated users read at once); a failed one sent, then failed.
   */
  private void unfoldWhatsApp(TwilioMessage message, String number, Verdict verdict, BigDecimal price,
                              Optional<URI> receiptUrl) {
    Instant now = clock.instant();
    List<Map<String, String>> statuses = new java.util.ArrayList<>();
    if (!whatsAppUsers.isOnWhatsApp(number)) {
      TwilioErrors.DeliveryError error = TwilioErrors.whatsAppDeliveryError(TwilioErrors.NOT_ON_WHATSAPP);
      message.notDelivered(now, error);
      statuses.add(whatsAppStatus(message, "failed", error.code(), now));
      delivery(SimChannel.WHATSAPP, "not_on_whatsapp");
    } else {
      message.sent(now, price);
      statuses.add(whatsAppStatus(message, "sent", null, now));
      switch (verdict.fate()) {
        case SILENTLY_DROPPED -> {
          delivery(SimChannel.WHATSAPP, "silently_dropped");
          return;
        }
        case DELIVERED -> {
          handsets.receive(number, new HandsetMessage(message.body, Provider.TWILIO.wireName(),
              SimChannel.WHATSAPP.wireName(), message.from, message.sid, now, CodeExtractor.find(message.body).orElse(null)));
          message.delivered(now);
          statuses.add(whatsAppStatus(message, "delivered", null, now));
          message.read(now);
          statuses.add(whatsAppStatus(message, "read", null, now));
          delivery(SimChannel.WHATSAPP, "delivered");
        }
        default -> {
          TwilioErrors.DeliveryError error = TwilioErrors.whatsAppDeliveryError(verdict.deliveryErrorCode());
          message.notDelivered(now, error);
          statuses.add(whatsAppStatus(message, "failed", error.code(), now));
          delivery(SimChannel.WHATSAPP, "undelivered");
        }
      }
    }
    if (verdict.receiptLost() || receiptUrl.isEmpty()) {
      return;
    }
    URI url = receiptUrl.get();
    // In order, each once the previous one was answered, as Twilio's are.
    CompletableFuture<Integer> chain = CompletableFuture.completedFuture(0);
    for (Map<String, String> status : statuses) {
      chain = chain.thenCompose(previous -> callbacks.send(signedPost(url, status)));
    }
  }

  private Map<String, String> whatsAppStatus(TwilioMessage message, String status, Integer errorCode, Instant now) {
    Map<String, String> params = messageCallbackParams(message, status, errorCode, now);
    params.remove("RawDlrDoneDate");
    params.put("ChannelPrefix", "whatsapp");
    params.put("ChannelToAddress", message.to.substring(WHATSAPP.length()));
    return params;
  }

  /** The simulator's approved template: its variable {@code 1} is the code. */
  private static Optional<String> renderTemplate(String contentVariables) {
    Map<String, String> variables = new LinkedHashMap<>();
    if (contentVariables != null) {
      try {
        com.fasterxml.jackson.databind.JsonNode tree = dev.relay.support.http.Json.MAPPER.readTree(contentVariables);
        if (tree == null || !tree.isObject()) {
          return Optional.empty();
        }
        tree.fields().forEachRemaining(field -> variables.put(field.getKey(), field.getValue().asText()));
      } catch (java.io.IOException e) {
        return Optional.empty();
      }
    }
    String code = variables.getOrDefault("1", "");
    return Optional.of(code + " is your verification code. For your security, do not share this code.");
  }

  private Map<String, String> messageCallbackParams(TwilioMessage message, String status, Integer errorCode,
                                                    Instant now) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("AccountSid", message.accountSid);
    params.put("ApiVersion", TwilioMessage.API_VERSION);
    params.put("From", message.from != null ? message.from : MESSAGING_SERVICE_SENDER);
    params.put("MessageSid", message.sid);
    params.put("MessageStatus", status);
    if (message.messagingServiceSid != null) {
      params.put("MessagingServiceSid", message.messagingServiceSid);
    }
    params.put("SmsSid", message.sid);
    params.put("SmsStatus", status);
    params.put("To", message.to);
    if (errorCode != null) {
      params.put("ErrorCode", errorCode.toString());
    }
    if (!"sent".equals(status)) {
      params.put("RawDlrDoneDate", TwilioTimes.dlrDoneDate(now));
    }
    return params;
  }

  private void fetchMessage(Context ctx) {
    Optional<Reply> refused = refuse(ctx, SimChannel.SMS);
    if (refused.isPresent()) {
      replies.send(ctx, refused.get(), Duration.ZERO);
      return;
    }
    Optional<TwilioMessage> message = messages.find(ctx.pathParam("messageSid"));
    replies.send(ctx, message.map(found -> Reply.json(200, found.json())).orElseGet(() -> notFound(ctx)), Duration.ZERO);
  }

  private void createCall(Context ctx) {
    Optional<Reply> refused = refuse(ctx, SimChannel.VOICE);
    if (refused.isPresent()) {
      replies.send(ctx, refused.get(), Duration.ZERO);
      return;
    }
    Map<String, String> form = form(ctx);
    String to = form.get("To");
    String from = form.get("From");
    String twiml = form.get("Twiml");
    String url = form.get("Url");
    if (to == null) {
      invalid(ctx, SimChannel.VOICE, TwilioErrors.MISSING_TO_CALL, "No 'To' number is specified");
      return;
    }
    if (from == null) {
      invalid(ctx, SimChannel.VOICE, TwilioErrors.MISSING_FROM_CALL, "No 'From' number is specified");
      return;
    }
    if (twiml == null && url == null) {
      invalid(ctx, SimChannel.VOICE, TwilioErrors.INVALID_CALL_URL,
          "Either Url or Twiml is required to tell the call what to do");
      return;
    }
    Optional<URI> instructionsUrl = Optional.empty();
    if (twiml == null) {
      instructionsUrl = VendorFields.httpUrl(url);
      if (instructionsUrl.isEmpty()) {
        invalid(ctx, SimChannel.VOICE, TwilioErrors.INVALID_CALL_URL, "Url is not a valid URL: " + url);
        return;
      }
    }
    Optional<PhoneNumbers.E164> number = VendorFields.e164(to);
    if (number.isEmpty()) {
      invalid(ctx, SimChannel.VOICE, TwilioErrors.INVALID_TO, "The 'To' number " + to + " is not a valid phone number.");
      return;
    }
    Optional<URI> statusCallback = Optional.empty();
    if (form.get("StatusCallback") != null) {
      statusCallback = VendorFields.httpUrl(form.get("StatusCallback"));
      if (statusCallback.isEmpty()) {
        invalid(ctx, SimChannel.VOICE, TwilioErrors.INVALID_STATUS_CALLBACK,
            "The StatusCallback URL " + form.get("StatusCallback") + " is not a valid URL.");
        return;
      }
    }
    Optional<String> badMethod = List.of("Method", "StatusCallbackMethod").stream()
        .filter(name -> form.get(name) != null && !List.of("GET", "POST").contains(form.get(name).toUpperCase(Locale.ROOT)))
        .findFirst();
    if (badMethod.isPresent()) {
      invalid(ctx, SimChannel.VOICE, 21200, badMethod.get() + " must be GET or POST");
      return;
    }

    String country = number.get().region();
    RouteBehaviour behaviour = routes.behaviour(Provider.TWILIO, SimChannel.VOICE, country);
    Verdict verdict = behaviour.roll(random);
    SendLog.decided(ctx, number.get().number(), Provider.TWILIO, SimChannel.VOICE, verdict.accepted());
    if (!verdict.accepted()) {
      reject(ctx, SimChannel.VOICE, country, verdict.rejectionCode(), number.get().number(), behaviour.latency());
      return;
    }
    TwilioCall call = new TwilioCall("CA" + Hex.random(32), config.twilioAccountSid(), number.get().number(), from,
        clock.instant());
    calls.put(call.sid, call);
    count(SimChannel.VOICE, country, "accepted");
    LOG.debug("twilio accepted call {} to {}", call.sid, PhoneNumbers.mask(call.to));
    CallPlan plan = new CallPlan(call, verdict, behaviour.price(), Optional.ofNullable(twiml), instructionsUrl,
        method(form.get("Method")), statusCallback, method(form.get("StatusCallbackMethod")));
    scheduler.schedule(Tasks.logging(LOG, "twilio call " + call.sid, () -> unfoldCall(plan)),
        verdict.receiptDelay().toNanos(), TimeUnit.NANOSECONDS);
    replies.send(ctx, Reply.json(201, call.json()), behaviour.latency());
  }

  private record CallPlan(TwilioCall call, Verdict verdict, BigDecimal price, Optional<String> twiml,
                          Optional<URI> instructionsUrl, String instructionsMethod, Optional<URI> statusCallback,
                          String statusCallbackMethod) {}

  private void unfoldCall(CallPlan plan) {
    TwilioCall call = plan.call();
    Verdict verdict = plan.verdict();
    Instant now = clock.instant();
    switch (verdict.fate()) {
      case SILENTLY_DROPPED -> {
        call.ringing(now);
        delivery(SimChannel.VOICE, "silently_dropped");
      }
      case DELIVERED -> instructions(plan).whenComplete((twiml, error) -> {
        String heard = "";
        if (error != null) {
          LOG.warn("twilio call {}: cannot fetch TwiML from {} (11200 HTTP retrieval failure): {}", call.sid,
              plan.instructionsUrl().orElse(null), error.toString());
        } else {
          try {
            heard = Twiml.spokenText(twiml);
          } catch (IllegalArgumentException e) {
            LOG.warn("twilio call {}: 12100 Document parse failure: {}", call.sid, e.getMessage());
          }
        }
        Instant answered = clock.instant();
        if (!heard.isEmpty()) {
          handsets.receive(call.to, new HandsetMessage(heard, Provider.TWILIO.wireName(), SimChannel.VOICE.wireName(),
              call.from, call.sid, answered, CodeExtractor.find(heard).orElse(null)));
        }
        call.completed(answered, spokenSeconds(heard), plan.price());
        delivery(SimChannel.VOICE, "delivered");
        postCallStatus(plan, callCallbackParams(call, "completed", null, answered));
      });
      default -> {
        String status = TwilioErrors.callFailureStatus(verdict.deliveryErrorCode());
        call.notAnswered(now, status);
        delivery(SimChannel.VOICE, "undelivered");
        postCallStatus(plan, callCallbackParams(call, status, verdict.deliveryErrorCode(), now));
      }
    }
  }

  private CompletableFuture<String> instructions(CallPlan plan) {
    if (plan.twiml().isPresent()) {
      return CompletableFuture.completedFuture(plan.twiml().get());
    }
    TwilioCall call = plan.call();
    Map<String, String> params = new LinkedHashMap<>();
    params.put("AccountSid", call.accountSid);
    params.put("ApiVersion", TwilioMessage.API_VERSION);
    params.put("CallSid", call.sid);
    params.put("CallStatus", "in-progress");
    params.put("Called", call.to);
    params.put("Caller", call.from);
    params.put("Direction", "outbound-api");
    params.put("From", call.from);
    params.put("To", call.to);
    HttpRequest request = signedRequest(plan.instructionsUrl().orElseThrow(), plan.instructionsMethod(), params);
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
      if (response.statusCode() / 100 != 2) {
        throw new IllegalStateException("HTTP " + response.statusCode());
      }
      return response.body();
    });
  }

  private void postCallStatus(CallPlan plan, Map<String, String> params) {
    if (plan.verdict().receiptLost() || plan.statusCallback().isEmpty()) {
      return;
    }
    URI url = plan.statusCallback().get();
    if ("GET".equals(plan.statusCallbackMethod())) {
      URI withQuery = withQuery(url, params);
      callbacks.send(Callback.get(Provider.TWILIO.wireName(), withQuery,
          Map.of(TwilioSignature.HEADER, TwilioSignature.sign(config.twilioAuthToken(), withQuery.toString(), Map.of()))));
    } else {
      callbacks.send(signedPost(url, params));
    }
  }

  private Map<String, String> callCallbackParams(TwilioCall call, String status, Integer sipCode, Instant now) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("AccountSid", call.accountSid);
    params.put("ApiVersion", TwilioMessage.API_VERSION);
    params.put("CallSid", call.sid);
    params.put("CallStatus", status);
    params.put("Called", call.to);
    params.put("Caller", call.from);
    params.put("CallbackSource", "call-progress-events");
    params.put("Direction", "outbound-api");
    params.put("From", call.from);
    params.put("SequenceNumber", "0");
    params.put("Timestamp", TwilioTimes.rfc2822(now));
    params.put("To", call.to);
    if ("completed".equals(status)) {
      int seconds = call.durationSeconds();
      params.put("CallDuration", Integer.toString(seconds));
      params.put("Duration", Integer.toString((seconds + 59) / 60));
    }
    if (sipCode != null) {
      params.put("SipResponseCode", sipCode.toString());
    }
    return params;
  }

  private void fetchCall(Context ctx) {
    Optional<Reply> refused = refuse(ctx, SimChannel.VOICE);
    if (refused.isPresent()) {
      replies.send(ctx, refused.get(), Duration.ZERO);
      return;
    }
    Optional<TwilioCall> call = calls.find(ctx.pathParam("callSid"));
    replies.send(ctx, call.map(found -> Reply.json(200, found.json())).orElseGet(() -> notFound(ctx)), Duration.ZERO);
  }

  /** An outage, bad credentials or another account's path: the answer before anything is read. */
  private Optional<Reply> refuse(Context ctx, SimChannel channel) {
    if (routes.isDown(Provider.TWILIO)) {
      count(channel, "ZZ", "outage");
      return Optional.of(Reply.json(503, TwilioErrors.body(TwilioErrors.SERVICE_UNAVAILABLE, 503, "Service Unavailable")));
    }
    if (!authenticated(ctx.header("Authorization"))) {
      count(channel, "ZZ", "unauthenticated");
      return Optional.of(Reply.json(401, TwilioErrors.body(TwilioErrors.AUTHENTICATE, 401, "Authenticate"))
          .withHeader("WWW-Authenticate", "Basic realm=\"Twilio API\""));
    }
    if (!config.twilioAccountSid().equals(ctx.pathParam("accountSid"))) {
      return Optional.of(notFound(ctx));
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
    boolean user = constantTimeEquals(credentials.substring(0, colon), config.twilioAccountSid());
    boolean password = constantTimeEquals(credentials.substring(colon + 1), config.twilioAuthToken());
    return user & password;
  }

  private static boolean constantTimeEquals(String given, String expected) {
    return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
  }

  private static Reply notFound(Context ctx) {
    return Reply.json(404, TwilioErrors.body(TwilioErrors.NOT_FOUND, 404,
        "The requested resource " + ctx.path() + " was not found"));
  }

  private void invalid(Context ctx, SimChannel channel, int code, String message) {
    count(channel, "ZZ", "invalid");
    replies.send(ctx, Reply.json(400, TwilioErrors.body(code, 400, message)), Duration.ZERO);
  }

  private void reject(Context ctx, SimChannel channel, String country, int code, String to, Duration latency) {
    count(channel, country, "rejected");
    TwilioErrors.ApiError error = TwilioErrors.rejection(channel, code)
        .orElseGet(() -> new TwilioErrors.ApiError(code, 400, "Rejected"));
    replies.send(ctx, Reply.json(error.httpStatus(), TwilioErrors.body(code, error.httpStatus(), error.render(to))),
        latency);
  }

  private Callback signedPost(URI url, Map<String, String> params) {
    return Callback.post(Provider.TWILIO.wireName(), url, "application/x-www-form-urlencoded; charset=utf-8",
        FormEncoding.encode(params),
        Map.of(TwilioSignature.HEADER, TwilioSignature.sign(config.twilioAuthToken(), url.toString(), params)));
  }

  private HttpRequest signedRequest(URI url, String method, Map<String, String> params) {
    if ("GET".equals(method)) {
      URI withQuery = withQuery(url, params);
      return HttpRequest.newBuilder(withQuery).timeout(config.callbackTimeout()).GET()
          .header(TwilioSignature.HEADER, TwilioSignature.sign(config.twilioAuthToken(), withQuery.toString(), Map.of()))
          .build();
    }
    return HttpRequest.newBuilder(url).timeout(config.callbackTimeout())
        .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        .header(TwilioSignature.HEADER, TwilioSignature.sign(config.twilioAuthToken(), url.toString(), params))
        .POST(HttpRequest.BodyPublishers.ofString(FormEncoding.encode(params)))
        .build();
  }

  private static URI withQuery(URI url, Map<String, String> params) {
    String separator = url.getRawQuery() == null ? "?" : "&";
    return URI.create(url + separator + FormEncoding.encode(params));
  }


  /** The first value of each form parameter; blank values count as absent, as Twilio treats them. */
  private static Map<String, String> form(Context ctx) {
    Map<String, String> form = new LinkedHashMap<>();
    ctx.formParamMap().forEach((name, values) -> {
      if (!values.isEmpty() && !values.get(0).isBlank()) {
        form.put(name, values.get(0).trim());
      }
    });
    return form;
  }



  private static String method(String value) {
    return value == null ? "POST" : value.toUpperCase(Locale.ROOT);
  }

  /** A text-to-speech voice reads about two and a half words a second; a call lasts at least a second. */
  private static int spokenSeconds(String text) {
    int words = text.isBlank() ? 0 : text.trim().split("\\s+").length;
    return Math.max(1, (int) Math.ceil(words / 2.5));
  }

  private void count(SimChannel channel, String country, String outcome) {
    metrics.counter("relay_sim_sends", "provider", Provider.TWILIO.wireName(), "channel", channel.wireName(),
        "country", country, "outcome", outcome).increment();
  }

  private void delivery(SimChannel channel, String outcome) {
    metrics.counter("relay_sim_deliveries", "provider", Provider.TWILIO.wireName(), "channel", channel.wireName(),
        "outcome", outcome).increment();
  }
}
