package dev.relay.sim.twilio;

import static dev.relay.sim.SimFixture.ACCOUNT_SID;
import static dev.relay.sim.SimFixture.AUTH_TOKEN;
import static dev.relay.sim.SimFixture.basic;
import static dev.relay.sim.SimFixture.json;
import static dev.relay.sim.SimFixture.params;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.twilio.security.RequestValidator;
import dev.relay.sim.ReceiptReceiver;
import dev.relay.sim.ReceiptReceiver.Received;
import dev.relay.sim.SimFixture;
import dev.relay.sim.TestNumbers;
import dev.relay.sim.config.SimConfig;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Twilio Programmable Messaging as the simulator speaks it, checked from the adapter's side of the wire. */
class TwilioMessagesTest {

  private static final String FROM = "+15017122661";
  private static final String BODY = "Your Relay code is 482913. It expires in 10 minutes.";
  private static final Duration QUIET_PERIOD = Duration.ofMillis(400);
  private static final List<String> MESSAGE_KEYS = List.of("account_sid", "api_version", "body", "date_created",
      "date_sent", "date_updated", "direction", "error_code", "error_message", "from", "messaging_service_sid",
      "num_media", "num_segments", "price", "price_unit", "sid", "status", "subresource_uris", "to", "uri");

  private static SimFixture sim;
  private static ReceiptReceiver receiver;

  @BeforeAll
  static void start() throws Exception {
    receiver = new ReceiptReceiver();
    sim = SimFixture.start(Map.of(SimConfig.DLR_URL.name(), receiver.baseUrl()));
  }

  @AfterAll
  static void stop() {
    sim.close();
    receiver.close();
  }

  private String deNumber;
  private String frNumber;

  @BeforeEach
  void healthyRoutesAndFreshNumbers() {
    sim.service.routes().resetAll();
    deNumber = TestNumbers.german();
    frNumber = TestNumbers.french();
  }

  @Test
  void answersA201WithTwiliosMessageResource() {
    HttpResponse<String> response = sim.postTwilio(sim.twilioMessagesUrl(),
        params("To", deNumber, "From", FROM, "Body", BODY, "StatusCallback", receiver.url("/cb/created")));

    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    JsonNode message = json(response);
    List<String> keys = new ArrayList<>();
    message.fieldNames().forEachRemaining(keys::add);
    assertThat(keys).containsExactlyElementsOf(MESSAGE_KEYS);
    String sid = message.get("sid").asText();
    assertThat(sid).matches("SM[0-9a-f]{32}");
    assertThat(message.get("account_sid").asText()).isEqualTo(ACCOUNT_SID);
    assertThat(message.get("api_version").asText()).isEqualTo("2010-04-01");
    assertThat(message.get("status").asText()).isEqualTo("queued");
    assertThat(message.get("to").asText()).isEqualTo(deNumber);
    assertThat(message.get("from").asText()).isEqualTo(FROM);
    assertThat(message.get("body").asText()).isEqualTo(BODY);
    assertThat(message.get("direction").asText()).isEqualTo("outbound-api");
    assertThat(message.get("num_segments").asText()).isEqualTo("1");
    assertThat(message.get("num_media").asText()).isEqualTo("0");
    assertThat(message.get("price").isNull()).isTrue();
    assertThat(message.get("price_unit").asText()).isEqualTo("USD");
    assertThat(message.get("error_code").isNull()).isTrue();
    assertThat(message.get("error_message").isNull()).isTrue();
    assertThat(message.get("date_sent").isNull()).isTrue();
    assertThat(message.get("messaging_service_sid").isNull()).isTrue();
    // RFC 2822, as Twilio writes every date: "Thu, 24 Aug 2023 05:01:45 +0000".
    assertThat(ZonedDateTime.parse(message.get("date_created").asText(),
        DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.ENGLISH))).isNotNull();
    assertThat(message.get("uri").asText()).isEqualTo("/2010-04-01/Accounts/" + ACCOUNT_SID + "/Messages/" + sid + ".json");
    assertThat(message.get("subresource_uris").get("media").asText())
        .isEqualTo("/2010-04-01/Accounts/" + ACCOUNT_SID + "/Messages/" + sid + "/Media.json");
  }

  @Test
  void deliversToTheHandsetThenPostsSentAndDeliveredSignedAsTwilioDoes() {
    String callback = receiver.url("/dlr/twilio?route=primary");
    String sid = json(sim.postTwilio(sim.twilioMessagesUrl(),
        params("To", deNumber, "From", FROM, "Body", BODY, "StatusCallback", callback))).get("sid").asText();

    await().atMost(Duration.ofSeconds(5)).until(() -> callbacksFor(sid).size() == 2);
    List<Received> callbacks = callbacksFor(sid);
    assertThat(callbacks).extracting(received -> received.params().get("MessageStatus")).containsExactly("sent", "delivered");
    for (Received received : callbacks) {
      assertThat(received.method()).isEqualTo("POST");
      assertThat(received.header("Content-Type")).startsWith("application/x-www-form-urlencoded");
      assertSignedAsTwilio(received, callback);
    }
    Map<String, String> sent = callbacks.get(0).params();
    assertThat(sent).containsExactlyInAnyOrderEntriesOf(Map.of("AccountSid", ACCOUNT_SID, "ApiVersion", "2010-04-01",
        "From", FROM, "MessageSid", sid, "MessageStatus", "sent", "SmsSid", sid, "SmsStatus", "sent", "To", deNumber));
    Map<String, String> delivered = callbacks.get(1).params();
    assertThat(delivered).containsEntry("MessageStatus", "delivered").containsEntry("SmsStatus", "delivered")
        .containsEntry("MessageSid", sid).containsEntry("SmsSid", sid).containsEntry("To", deNumber)
        .doesNotContainKey("ErrorCode").doesNotContainKey("Body");
    assertThat(delivered.get("RawDlrDoneDate")).matches("\\d{10}");

    JsonNode inbox = sim.inbox(deNumber);
    assertThat(inbox).hasSize(1);
    assertThat(inbox.get(0).get("text").asText()).isEqualTo(BODY);
    assertThat(inbox.get(0).get("code").asText()).isEqualTo("482913");
    assertThat(inbox.get(0).get("provider").asText()).isEqualTo("twilio");
    assertThat(inbox.get(0).get("channel").asText()).isEqualTo("sms");
    assertThat(inbox.get(0).get("from").asText()).isEqualTo(FROM);
    assertThat(inbox.get(0).get("messageId").asText()).isEqualTo(sid);
    assertThat(inbox.get(0).get("receivedAt").asText()).endsWith("Z");

    JsonNode fetched = json(sim.getTwilio(messageUrl(sid)));
    assertThat(fetched.get("status").asText()).isEqualTo("delivered");
    assertThat(fetched.get("date_sent").isNull()).isFalse();
    assertThat(fetched.get("price").asText()).isEqualTo("-0.07900");
  }

  @Test
  void theHandsetReceivesNothingBeforeDelivery() {
    sim.put("/sim/providers/twilio/countries/DE", "{\"receiptDelay\": \"PT1S\"}");
    String sid = json(sim.postTwilio(sim.twilioMessagesUrl(), params("To", deNumber, "From", FROM, "Body", BODY)))
        .get("sid").asText();

    assertThat(sim.inbox(deNumber)).isEmpty();
    assertThat(json(sim.getTwilio(messageUrl(sid))).get("status").asText()).isEqualTo("queued");
    await().atMost(Duration.ofSeconds(5)).until(() -> sim.inbox(deNumber).size() == 1);
    assertThat(json(sim.getTwilio(messageUrl(sid))).get("status").asText()).isEqualTo("delivered");
  }

  @Test
  void sendsThatNameNoCallbackReportToDlrIngest() {
    String sid = json(sim.postTwilio(sim.twilioMessagesUrl(),
        params("To", deNumber, "MessagingServiceSid", "MG0123456789abcdef0123456789abcdef", "Body", BODY)))
        .get("sid").asText();

    await().atMost(Duration.ofSeconds(5)).until(() -> callbacksFor(sid).size() == 2);
    Received delivered = callbacksFor(sid).get(1);
    assertThat(delivered.path()).isEqualTo("/dlr/twilio");
    assertThat(delivered.params()).containsEntry("MessagingServiceSid", "MG0123456789abcdef0123456789abcdef")
        .containsEntry("From", TwilioApi.MESSAGING_SERVICE_SENDER);
    assertSignedAsTwilio(delivered, receiver.url("/dlr/twilio"));
  }

  @Test
  void refusesMissingOrWrongCredentialsWithTwiliosError() {
    Map<String, String> message = params("To", deNumber, "From", FROM, "Body", BODY);
    for (String authorization : new String[] {null, basic(ACCOUNT_SID, "wrong-token"),
        basic("AC00000000000000000000000000000000", AUTH_TOKEN), "Basic not-base64!", "Bearer " + AUTH_TOKEN}) {
      HttpResponse<String> response = sim.postForm(sim.twilioMessagesUrl(), authorization, message);

      assertThat(response.statusCode()).as("authorization %s", authorization).isEqualTo(401);
      assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"Twilio API\"");
      assertTwilioError(response, 20003, 401);
    }
    assertThat(sim.inbox(deNumber)).isEmpty();
  }

  @Test
  void anotherAccountsPathIsNotFound() {
    HttpResponse<String> response = sim.postTwilio(
        sim.url("/2010-04-01/Accounts/AC99999999999999999999999999999999/Messages.json"),
        params("To", deNumber, "From", FROM, "Body", BODY));

    assertTwilioError(response, 20404, 404);
  }

  @Test
  void refusesBadInputWithTwiliosCodes() {
    assertTwilioError(sim.postTwilio(sim.twilioMessagesUrl(), params("From", FROM, "Body", BODY)), 21604, 400);
    assertTwilioError(sim.postTwilio(sim.twilioMessagesUrl(), params("To", deNumber, "Body", BODY)), 21603, 400);
    assertTwilioError(sim.postTwilio(sim.twilioMessagesUrl(), params("To", deNumber, "From", FROM)), 21602, 400);
    assertTwilioError(sim.postTwilio(sim.twilioMessagesUrl(), params("To", deNumber, "From", FROM, "Body", " ")),
        21602, 400);
    assertTwilioError(sim.postTwilio(sim.twilioMessagesUrl(),
        params("To", deNumber, "From", FROM, "Body", "x".repeat(1601))), 21617, 400);
    HttpResponse<String> invalidTo = sim.postTwilio(sim.twilioMessagesUrl(),
        params("To", "+49123", "From", FROM, "Body", BODY));
    assertTwilioError(invalidTo, 21211, 400);
    assertThat(json(invalidTo).get("message").asText()).isEqualTo("The 'To' number +49123 is not a valid phone number.");
    assertTwilioError(sim.postTwilio(sim.twilioMessagesUrl(),
        params("To", deNumber, "From", FROM, "Body", BODY, "StatusCallback", "not a url")), 21609, 400);
    // JSON is not what Twilio reads: the To it looks for is not there.
    assertTwilioError(sim.postJson(sim.twilioMessagesUrl(), "{\"To\": \"" + deNumber + "\"}"), 20003, 401);
    HttpResponse<String> json = sim.send(HttpRequest.newBuilder(URI.create(sim.twilioMessagesUrl()))
        .header("Authorization", basic(ACCOUNT_SID, AUTH_TOKEN)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"To\": \"" + deNumber + "\"}")).build());
    assertTwilioError(json, 21604, 400);
  }

  @Test
  void anUnknownMessageSidIsNotFound() {
    HttpResponse<String> response = sim.getTwilio(messageUrl("SM00000000000000000000000000000000"));

    assertTwilioError(response, 20404, 404);
  }

  @Test
  void aRouteThatRejectsAnswersTheConfiguredCodeAndItsHttpStatus() {
    sim.put("/sim/providers/twilio/countries/DE", "{\"acceptRate\": 0.0, \"errorCode\": 21610}");
    HttpResponse<String> unsubscribed = sim.postTwilio(sim.twilioMessagesUrl(),
        params("To", deNumber, "From", FROM, "Body", BODY, "StatusCallback", receiver.url("/cb/rejected")));
    assertTwilioError(unsubscribed, 21610, 400);
    assertThat(json(unsubscribed).get("message").asText()).isEqualTo("Attempt to send to unsubscribed recipient");

    sim.put("/sim/providers/twilio/countries/DE", "{\"acceptRate\": 0, \"errorCode\": 20429}");
    assertTwilioError(sim.postTwilio(sim.twilioMessagesUrl(), params("To", deNumber, "From", FROM, "Body", BODY)),
        20429, 429);

    sim.put("/sim/providers/twilio/countries/DE", "{\"acceptRate\": 0}");
    HttpResponse<String> byDefault = sim.postTwilio(sim.twilioMessagesUrl(),
        params("To", deNumber, "From", FROM, "Body", BODY));
    assertTwilioError(byDefault, 21408, 400);
    assertThat(json(byDefault).get("message").asText()).contains(deNumber);

    // Other countries are untouched.
    assertThat(sim.postTwilio(sim.twilioMessagesUrl(), params("To", frNumber, "From", FROM, "Body", BODY))
        .statusCode()).isEqualTo(201);
    await().during(QUIET_PERIOD).atMost(QUIET_PERIOD.multipliedBy(3))
        .until(() -> receiver.receivedAt("/cb/rejected").isEmpty());
    assertThat(sim.inbox(deNumber)).isEmpty();
  }

  @Test
  void anUndeliveredMessageReportsItsErrorCodeAndNeverReachesTheHandset() {
    sim.put("/sim/providers/twilio/countries/DE", "{\"deliveryRate\": 0, \"deliveryErrorCode\": 30005}");
    String callback = receiver.url("/cb/undelivered");
    String sid = json(sim.postTwilio(sim.twilioMessagesUrl(),
        params("To", deNumber, "From", FROM, "Body", BODY, "StatusCallback", callback))).get("sid").asText();

    await().atMost(Duration.ofSeconds(5)).until(() -> callbacksFor(sid).size() == 2);
    List<Received> callbacks = callbacksFor(sid);
    assertThat(callbacks.get(0).params()).containsEntry("MessageStatus", "sent").doesNotContainKey("ErrorCode");
    assertThat(callbacks.get(1).params()).containsEntry("MessageStatus", "undelivered")
        .containsEntry("SmsStatus", "undelivered").containsEntry("ErrorCode", "30005");
    assertSignedAsTwilio(callbacks.get(1), callback);
    JsonNode fetched = json(sim.getTwilio(messageUrl(sid)));
    assertThat(fetched.get("status").asText()).isEqualTo("undelivered");
    assertThat(fetched.get("error_code").asInt()).isEqualTo(30005);
    assertThat(fetched.get("error_message").asText()).isEqualTo("Unknown destination handset");
    assertThat(sim.inbox(deNumber)).isEmpty();
  }

  @Test
  void aQueueOverflowFailsRatherThanGoesUndelivered() {
    sim.put("/sim/providers/twilio/countries/DE", "{\"deliveryRate\": 0, \"deliveryErrorCode\": 30001}");
    String sid = json(sim.postTwilio(sim.twilioMessagesUrl(),
        params("To", deNumber, "From", FROM, "Body", BODY, "StatusCallback", receiver.url("/cb/failed"))))
        .get("sid").asText();

    await().atMost(Duration.ofSeconds(5)).until(() -> callbacksFor(sid).size() == 2);
    assertThat(callbacksFor(sid).get(1).params()).containsEntry("MessageStatus", "failed").containsEntry("ErrorCode", "30001");
  }

  @Test
  void aSilentDropIsAcceptedButNeverDeliveredNorReported() {
    sim.put("/sim/providers/twilio/countries/DE", "{\"silentDropRate\": 1.0}");
    HttpResponse<String> response = sim.postTwilio(sim.twilioMessagesUrl(),
        params("To", deNumber, "From", FROM, "Body", BODY, "StatusCallback", receiver.url("/cb/dropped")));
    assertThat(response.statusCode()).isEqualTo(201);
    String sid = json(response).get("sid").asText();

    // "sent" is set when the fate unfolds: from then on the message is gone for good.
    await().atMost(Duration.ofSeconds(5)).until(() -> "sent".equals(json(sim.getTwilio(messageUrl(sid))).get("status").asText()));
    await().during(QUIET_PERIOD).atMost(QUIET_PERIOD.multipliedBy(3)).until(() -> callbacksFor(sid).isEmpty());
    assertThat(sim.inbox(deNumber)).isEmpty();
    assertThat(json(sim.getTwilio(messageUrl(sid))).get("status").asText()).isEqualTo("sent");
  }

  @Test
  void aLostReceiptStillDeliversButReportsNothing() {
    sim.put("/sim/providers/twilio/countries/DE", "{\"receiptLossRate\": 1.0}");
    String sid = json(sim.postTwilio(sim.twilioMessagesUrl(),
        params("To", deNumber, "From", FROM, "Body", BODY, "StatusCallback", receiver.url("/cb/lost"))))
        .get("sid").asText();

    await().atMost(Duration.ofSeconds(5)).until(() -> sim.inbox(deNumber).size() == 1);
    await().during(QUIET_PERIOD).atMost(QUIET_PERIOD.multipliedBy(3)).until(() -> callbacksFor(sid).isEmpty());
    // Polling is how Relay learns of it.
    assertThat(json(sim.getTwilio(messageUrl(sid))).get("status").asText()).isEqualTo("delivered");
  }

  @Test
  void anOutageAnswers503UntilItEnds() {
    sim.put("/sim/providers/twilio/outage", "{\"down\": true}");
    HttpResponse<String> down = sim.postTwilio(sim.twilioMessagesUrl(), params("To", deNumber, "From", FROM, "Body", BODY));
    assertTwilioError(down, 20503, 503);
    // An outage takes the whole API down, credentials or not.
    assertThat(sim.postForm(sim.twilioMessagesUrl(), null, params()).statusCode()).isEqualTo(503);

    sim.put("/sim/providers/twilio/outage", "{\"down\": false}");
    assertThat(sim.postTwilio(sim.twilioMessagesUrl(), params("To", deNumber, "From", FROM, "Body", BODY)).statusCode())
        .isEqualTo(201);
  }

  @Test
  void answersAfterTheRoutesLatency() {
    sim.put("/sim/providers/twilio/countries/DE", "{\"latency\": \"PT0.3S\"}");
    long started = System.nanoTime();
    HttpResponse<String> response = sim.postTwilio(sim.twilioMessagesUrl(), params("To", deNumber, "From", FROM, "Body", BODY));

    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    long fast = System.nanoTime();
    sim.postTwilio(sim.twilioMessagesUrl(), params("To", frNumber, "From", FROM, "Body", BODY));
    assertThat(Duration.ofNanos(System.nanoTime() - fast)).isLessThan(Duration.ofMillis(300));
  }

  @Test
  void aReceiverThatFailsGetsTheReceiptAgainWhenRetriesAreConfigured() throws Exception {
    try (ReceiptReceiver flaky = new ReceiptReceiver();
         SimFixture retrying = SimFixture.start(Map.of(SimConfig.CALLBACK_ATTEMPTS.name(), "4"))) {
      flaky.failNext(2, 503);
      String sid = json(retrying.postTwilio(retrying.twilioMessagesUrl(),
          params("To", deNumber, "From", FROM, "Body", BODY, "StatusCallback", flaky.url("/dlr/twilio"))))
          .get("sid").asText();

      await().atMost(Duration.ofSeconds(5)).until(() -> flaky.received().stream()
          .filter(received -> "delivered".equals(received.params().get("MessageStatus"))).count() == 1);
      // The first two tries of "sent" were refused with 503 and retried; "delivered" followed once.
      assertThat(flaky.received()).extracting(received -> received.params().get("MessageStatus"))
          .containsExactly("sent", "sent", "sent", "delivered");
      assertThat(flaky.received()).allSatisfy(received -> assertThat(received.params()).containsEntry("MessageSid", sid));
    }
  }

  @Test
  void theSignatureIsTheOneTwilioWouldSendAndATamperedRequestFailsIt() {
    Map<String, String> params = params("MessageSid", "SM1", "MessageStatus", "delivered", "To", deNumber);
    String url = "https://relay.example.com/dlr/twilio?x=1";
    String signature = TwilioSignature.sign(AUTH_TOKEN, url, params);

    assertThat(signature).isEqualTo(independentSignature(AUTH_TOKEN, url, params));
    RequestValidator validator = new RequestValidator(AUTH_TOKEN);
    assertThat(validator.validate(url, params, signature)).isTrue();
    Map<String, String> tampered = new TreeMap<>(params);
    tampered.put("MessageStatus", "undelivered");
    assertThat(validator.validate(url, tampered, signature)).isFalse();
    assertThat(new RequestValidator("another-token").validate(url, params, signature)).isFalse();
  }

  private static List<Received> callbacksFor(String sid) {
    return receiver.received().stream().filter(received -> sid.equals(received.params().get("MessageSid"))).toList();
  }

  private String messageUrl(String sid) {
    return sim.url("/2010-04-01/Accounts/" + ACCOUNT_SID + "/Messages/" + sid + ".json");
  }

  static void assertTwilioError(HttpResponse<String> response, int code, int status) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    JsonNode error = json(response);
    List<String> keys = new ArrayList<>();
    error.fieldNames().forEachRemaining(keys::add);
    assertThat(keys).containsExactly("code", "message", "more_info", "status");
    assertThat(error.get("code").isInt()).isTrue();
    assertThat(error.get("code").asInt()).isEqualTo(code);
    assertThat(error.get("status").asInt()).isEqualTo(status);
    assertThat(error.get("more_info").asText()).isEqualTo("https://www.twilio.com/docs/errors/" + code);
    assertThat(error.get("message").asText()).isNotBlank();
  }

  /** Checked twice: by twilio-java's own validator, and by a computation written from Twilio's spec. */
  static void assertSignedAsTwilio(Received received, String url) {
    String signature = received.header(TwilioSignature.HEADER);
    assertThat(signature).isNotBlank();
    assertThat(new RequestValidator(AUTH_TOKEN).validate(url, received.params(), signature)).isTrue();
    assertThat(signature).isEqualTo(independentSignature(AUTH_TOKEN, url, received.params()));
  }

  static String independentSignature(String token, String url, Map<String, String> params) {
    StringBuilder data = new StringBuilder(url);
    params.keySet().stream().sorted().forEach(name -> data.append(name).append(params.get(name)));
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
