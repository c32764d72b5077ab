package dev.relay.sim.plivo;

import static dev.relay.sim.SimFixture.PLIVO_AUTH_ID;
import static dev.relay.sim.SimFixture.PLIVO_AUTH_TOKEN;
import static dev.relay.sim.SimFixture.basic;
import static dev.relay.sim.SimFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.sim.ReceiptReceiver;
import dev.relay.sim.ReceiptReceiver.Received;
import dev.relay.sim.SimFixture;
import dev.relay.sim.TestNumbers;
import dev.relay.sim.config.SimConfig;
import dev.relay.support.http.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Plivo's Message API as the simulator speaks it, checked from the adapter's side of the wire. */
class PlivoMessageApiTest {

  private static final String FROM = "14155550100";
  private static final String TEXT = "Your Relay code is 482913";
  private static final String UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
  private static final Duration QUIET_PERIOD = Duration.ofMillis(400);

  private static SimFixture sim;
  private static ReceiptReceiver receiver;
  private String number;
  private String digits;

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

  @BeforeEach
  void healthyRoutes() {
    sim.service.routes().resetAll();
    number = TestNumbers.german();
    digits = number.substring(1);
  }

  @Test
  void answersPlivosJsonForAnAcceptedMessage() {
    HttpResponse<String> response = send(body(digits, receiver.url("/cb/plivo?ref=a")));

    assertThat(response.statusCode()).isEqualTo(202);
    JsonNode answer = json(response);
    List<String> keys = new ArrayList<>();
    answer.fieldNames().forEachRemaining(keys::add);
    assertThat(keys).containsExactly("api_id", "message", "message_uuid");
    assertThat(answer.get("api_id").asText()).matches(UUID_PATTERN);
    assertThat(answer.get("message").asText()).isEqualTo("message(s) queued");
    assertThat(answer.get("message_uuid").isArray()).isTrue();
    assertThat(answer.get("message_uuid")).hasSize(1);
    assertThat(answer.get("message_uuid").get(0).asText()).matches(UUID_PATTERN)
        .isNotEqualTo(answer.get("api_id").asText());
  }

  @Test
  void deliversToTheHandsetAndPostsASignedStatusCallbackToTheUrl() {
    String url = receiver.url("/cb/plivo?ref=VEabc-1");
    String uuid = accepted(body(digits, url));

    await().atMost(Duration.ofSeconds(5)).until(() -> callbacksFor(uuid).size() == 1);
    Received callback = callbacksFor(uuid).get(0);
    assertThat(callback.method()).isEqualTo("POST");
    assertThat(callback.path()).isEqualTo("/cb/plivo");
    assertThat(callback.rawQuery()).isEqualTo("ref=VEabc-1");
    assertThat(callback.header("Content-Type")).startsWith("application/x-www-form-urlencoded");
    Map<String, String> params = callback.params();
    assertThat(new ArrayList<>(params.keySet())).containsExactly("From", "To", "Status", "MessageUUID",
        "ParentMessageUUID", "PartInfo", "Units", "TotalRate", "TotalAmount", "ErrorCode");
    assertThat(params).containsEntry("From", FROM).containsEntry("To", digits).containsEntry("Status", "delivered")
        .containsEntry("MessageUUID", uuid).containsEntry("ParentMessageUUID", uuid).containsEntry("PartInfo", "1 of 1")
        .containsEntry("Units", "1").containsEntry("TotalRate", "0.00500").containsEntry("ErrorCode", "000");
    String nonce = callback.header("X-Plivo-Signature-V3-Nonce");
    assertThat(nonce).isNotBlank();
    // V3 over a POST: the URL, its query, a dot, then the body's parameters sorted as namevalue.
    StringBuilder signed = new StringBuilder(receiver.url("/cb/plivo") + "?ref=VEabc-1.");
    new TreeMap<>(params).forEach((name, value) -> signed.append(name).append(value));
    assertThat(callback.header("X-Plivo-Signature-V3")).isEqualTo(independentSignature(signed.toString(), nonce, PLIVO_AUTH_TOKEN));

    JsonNode inbox = sim.inbox(number);
    assertThat(inbox).hasSize(1);
    assertThat(inbox.get(0).get("provider").asText()).isEqualTo("plivo");
    assertThat(inbox.get(0).get("channel").asText()).isEqualTo("sms");
    assertThat(inbox.get(0).get("code").asText()).isEqualTo("482913");
    assertThat(inbox.get(0).get("from").asText()).isEqualTo(FROM);
    assertThat(inbox.get(0).get("messageId").asText()).isEqualTo(uuid);
  }

  @Test
  void eachCallbackHasItsOwnNonceAndAnotherTokenWouldNotMatch() {
    String first = accepted(body(digits, receiver.url("/cb/nonce")));
    String second = accepted(body(digits, receiver.url("/cb/nonce")));

    await().atMost(Duration.ofSeconds(5)).until(() -> callbacksFor(first).size() == 1 && callbacksFor(second).size() == 1);
    Received one = callbacksFor(first).get(0);
    Received two = callbacksFor(second).get(0);
    assertThat(one.header("X-Plivo-Signature-V3-Nonce")).isNotEqualTo(two.header("X-Plivo-Signature-V3-Nonce"));
    StringBuilder signed = new StringBuilder(receiver.url("/cb/nonce") + "?");
    new TreeMap<>(one.params()).forEach((name, value) -> signed.append(name).append(value));
    assertThat(one.header("X-Plivo-Signature-V3"))
        .isEqualTo(independentSignature(signed.toString(), one.header("X-Plivo-Signature-V3-Nonce"), PLIVO_AUTH_TOKEN))
        .isNotEqualTo(two.header("X-Plivo-Signature-V3"))
        .isNotEqualTo(independentSignature(signed.toString(), one.header("X-Plivo-Signature-V3-Nonce"), "another-token"));
  }

  @Test
  void theStatusFetchShowsTheMessageAsPlivoDoes() {
    String uuid = accepted(body(digits, null));
    await().atMost(Duration.ofSeconds(5)).until(() -> sim.inbox(number).size() == 1);

    HttpResponse<String> response = get(sim.plivoMessagesUrl() + uuid + "/");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode message = json(response);
    assertThat(message.get("message_uuid").asText()).isEqualTo(uuid);
    assertThat(message.get("message_state").asText()).isEqualTo("delivered");
    assertThat(message.get("error_code").asText()).isEqualTo("000");
    assertThat(message.get("to_number").asText()).isEqualTo(digits);
    assertThat(message.get("from_number").asText()).isEqualTo(FROM);
    assertThat(message.get("message_direction").asText()).isEqualTo("outbound");
    assertThat(message.get("message_type").asText()).isEqualTo("sms");
    assertThat(message.get("units").asInt()).isEqualTo(1);
    assertThat(message.get("message_time").asText()).matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\+00:00");
    assertThat(message.get("resource_uri").asText()).isEqualTo("/v1/Account/" + PLIVO_AUTH_ID + "/Message/" + uuid + "/");
    assertThat(response.body()).doesNotContain("482913");

    // The trailing slash is Plivo's spelling; without it the same message is found.
    assertThat(get(sim.plivoMessagesUrl() + uuid).statusCode()).isEqualTo(200);
    HttpResponse<String> unknown = get(sim.plivoMessagesUrl() + "00000000-0000-0000-0000-000000000000/");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(json(unknown).get("error").asText()).isEqualTo("not found");
  }

  @Test
  void sendsWithoutAUrlReportToDlrIngestAndAGetMethodPutsTheParametersInTheQuery() {
    String withDefault = accepted(body(digits, null));
    ObjectNode get = body(digits, receiver.url("/cb/get?ref=r-2"));
    get.put("method", "GET");
    String viaGet = accepted(get);

    await().atMost(Duration.ofSeconds(5)).until(() -> callbacksFor(withDefault).size() == 1
        && callbacksFor(viaGet).size() == 1);
    assertThat(callbacksFor(withDefault).get(0).path()).isEqualTo("/dlr/plivo");
    Received received = callbacksFor(viaGet).get(0);
    assertThat(received.method()).isEqualTo("GET");
    assertThat(received.path()).isEqualTo("/cb/get");
    assertThat(received.rawQuery()).startsWith("ref=r-2&");
    assertThat(received.params()).containsEntry("ref", "r-2").containsEntry("Status", "delivered");
    // V3 over a GET: the URL and every query parameter sorted as name=value.
    StringJoiner query = new StringJoiner("&");
    new TreeMap<>(received.params()).forEach((name, value) -> query.add(name + "=" + value));
    assertThat(received.header("X-Plivo-Signature-V3")).isEqualTo(independentSignature(receiver.url("/cb/get") + "?" + query,
        received.header("X-Plivo-Signature-V3-Nonce"), PLIVO_AUTH_TOKEN));
  }

  @Test
  void acceptsAFormBodyAndAPlusInTheNumber() {
    HttpResponse<String> response = sim.postForm(sim.plivoMessagesUrl(), basic(PLIVO_AUTH_ID, PLIVO_AUTH_TOKEN),
        SimFixture.params("src", FROM, "dst", number, "text", TEXT));

    assertThat(response.statusCode()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(5)).until(() -> sim.inbox(number).size() == 1);
  }

  @Test
  void refusesMissingOrWrongCredentialsWith401() {
    String body = body(digits, null).toString();
    assertUnauthenticated(post(sim.plivoMessagesUrl(), null, body));
    assertUnauthenticated(post(sim.plivoMessagesUrl(), basic(PLIVO_AUTH_ID, "wrong"), body));
    assertUnauthenticated(post(sim.plivoMessagesUrl(), basic("MAOTHER", PLIVO_AUTH_TOKEN), body));
    assertUnauthenticated(post(sim.plivoMessagesUrl(), "Basic !!not-base64", body));
    // Right credentials, but the path names another account.
    assertUnauthenticated(post(sim.url("/v1/Account/MAOTHER/Message/"), basic(PLIVO_AUTH_ID, PLIVO_AUTH_TOKEN), body));
    assertUnauthenticated(sim.send(HttpRequest.newBuilder(URI.create(sim.plivoMessagesUrl() + "x/")).GET().build()));
    await().during(QUIET_PERIOD).atMost(QUIET_PERIOD.multipliedBy(3)).until(() -> sim.inbox(number).isEmpty());
  }

  @Test
  void refusesBadInputWith400AndPlivosErrorBody() {
    assertBadRequest(send(without(body(digits, null), "src")), "src parameter is required");
    assertBadRequest(send(without(body(digits, null), "dst")), "dst parameter is required");
    assertBadRequest(send(without(body(digits, null), "text")), "text parameter is required");
    assertBadRequest(send(body("49abc", null)), "invalid dst parameter");
    assertBadRequest(send(body("49123", null)), "invalid dst parameter");
    assertBadRequest(send(body(digits + "<" + TestNumbers.german().substring(1), null)), "invalid dst parameter");
    assertBadRequest(send(body(digits, "not a url")), "invalid url parameter");
    ObjectNode put = body(digits, null);
    put.put("method", "PUT");
    assertBadRequest(send(put), "method parameter must be GET or POST");
    ObjectNode nested = body(digits, null);
    nested.putArray("text").add(TEXT);
    assertBadRequest(send(nested), "invalid text parameter");
    assertBadRequest(post(sim.plivoMessagesUrl(), basic(PLIVO_AUTH_ID, PLIVO_AUTH_TOKEN), "[1, 2]"), "invalid JSON body");
    assertBadRequest(post(sim.plivoMessagesUrl(), basic(PLIVO_AUTH_ID, PLIVO_AUTH_TOKEN), "{not json"),
        "invalid JSON body");
  }

  @Test
  void aRouteThatRejectsAnswersTheConfiguredStatus() {
    sim.put("/sim/providers/plivo/countries/DE", "{\"acceptRate\": 0, \"errorCode\": 429}");
    assertError(send(body(digits, receiver.url("/cb/rejected"))), 429, "too many requests");

    sim.put("/sim/providers/plivo/countries/DE", "{\"acceptRate\": 0}");
    assertError(send(body(digits, receiver.url("/cb/rejected"))), 403,
        "messages to the destination country are not enabled for this account");

    sim.put("/sim/providers/plivo/countries/DE", "{\"acceptRate\": 0, \"errorCode\": 400}");
    assertError(send(body(digits, receiver.url("/cb/rejected"))), 400,
        "invalid dst parameter: the destination number is not a valid phone number");

    assertThat(send(body(TestNumbers.french().substring(1), null)).statusCode()).isEqualTo(202);
    await().during(QUIET_PERIOD).atMost(QUIET_PERIOD.multipliedBy(3))
        .until(() -> receiver.receivedAt("/cb/rejected").isEmpty() && sim.inbox(number).isEmpty());
  }

  @Test
  void theAdminApiTakesOnlyPlivosCodes() {
    HttpResponse<String> twilioCode = sim.put("/sim/providers/plivo/countries/DE", "{\"errorCode\": 21408}");
    assertThat(twilioCode.statusCode()).isEqualTo(400);
    HttpResponse<String> badDeliveryCode = sim.put("/sim/providers/plivo/countries/DE", "{\"deliveryErrorCode\": 30003}");
    assertThat(badDeliveryCode.statusCode()).isEqualTo(400);
    HttpResponse<String> voice = sim.put("/sim/providers/plivo/countries/DE?channel=voice", "{}");
    assertThat(voice.statusCode()).isEqualTo(400);

    HttpResponse<String> healthy = sim.get("/sim/providers/plivo/countries/DE");
    assertThat(healthy.statusCode()).isEqualTo(200);
    assertThat(json(healthy).get("errorCode").asInt()).isEqualTo(403);
    assertThat(json(healthy).get("deliveryErrorCode").asInt()).isEqualTo(80);
  }

  @Test
  void aFailedDeliveryReportsItsErrorCodeAndState() {
    sim.put("/sim/providers/plivo/countries/DE", "{\"deliveryRate\": 0, \"deliveryErrorCode\": 90}");
    String failed = accepted(body(digits, receiver.url("/cb/failed")));
    sim.put("/sim/providers/plivo/countries/DE", "{\"deliveryRate\": 0}");
    String undelivered = accepted(body(digits, receiver.url("/cb/failed")));

    await().atMost(Duration.ofSeconds(5)).until(() -> callbacksFor(failed).size() == 1
        && callbacksFor(undelivered).size() == 1);
    assertThat(callbacksFor(failed).get(0).params()).containsEntry("Status", "failed").containsEntry("ErrorCode", "90");
    assertThat(callbacksFor(undelivered).get(0).params()).containsEntry("Status", "undelivered")
        .containsEntry("ErrorCode", "80");
    JsonNode fetched = json(get(sim.plivoMessagesUrl() + failed + "/"));
    assertThat(fetched.get("message_state").asText()).isEqualTo("failed");
    assertThat(fetched.get("error_code").asText()).isEqualTo("90");
    assertThat(sim.inbox(number)).isEmpty();
  }

  @Test
  void silentDropsAndLostReceiptsSendNoCallback() {
    sim.put("/sim/providers/plivo/countries/DE", "{\"silentDropRate\": 1}");
    String dropped = accepted(body(digits, receiver.url("/cb/quiet")));
    sim.put("/sim/providers/plivo/countries/DE", "{\"receiptLossRate\": 1}");
    String lost = accepted(body(digits, receiver.url("/cb/quiet")));

    await().atMost(Duration.ofSeconds(5)).until(() -> sim.inbox(number).size() == 1);
    assertThat(sim.inbox(number).get(0).get("messageId").asText()).isEqualTo(lost);
    await().atMost(Duration.ofSeconds(5)).until(() ->
        "sent".equals(json(get(sim.plivoMessagesUrl() + dropped + "/")).get("message_state").asText()));
    assertThat(json(get(sim.plivoMessagesUrl() + lost + "/")).get("message_state").asText()).isEqualTo("delivered");
    await().during(QUIET_PERIOD).atMost(QUIET_PERIOD.multipliedBy(3))
        .until(() -> receiver.receivedAt("/cb/quiet").isEmpty() && sim.inbox(number).size() == 1);
  }

  @Test
  void anOutageAnswers503ToSendsAndFetches() {
    String uuid = accepted(body(digits, null));
    sim.put("/sim/providers/plivo/outage", "{\"down\": true}");
    try {
      assertError(send(body(digits, null)), 503, "service unavailable");
      assertError(get(sim.plivoMessagesUrl() + uuid + "/"), 503, "service unavailable");
    } finally {
      sim.put("/sim/providers/plivo/outage", "{\"down\": false}");
    }
    assertThat(send(body(digits, null)).statusCode()).isEqualTo(202);
  }

  @Test
  void withoutCredentialsTheSimulatorDoesNotSpeakPlivo() {
    try (SimFixture other = SimFixture.start(Map.of(SimConfig.PLIVO_AUTH_ID.name(), "",
        SimConfig.PLIVO_AUTH_TOKEN.name(), ""))) {
      HttpResponse<String> response = other.send(HttpRequest.newBuilder(URI.create(other.plivoMessagesUrl()))
          .header("Authorization", basic(PLIVO_AUTH_ID, PLIVO_AUTH_TOKEN)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body(digits, null).toString())).build());
      assertThat(response.statusCode()).isEqualTo(404);
    }
  }

  private static ObjectNode body(String dst, String url) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("src", FROM);
    body.put("dst", dst);
    body.put("text", TEXT);
    if (url != null) {
      body.put("url", url);
      body.put("method", "POST");
    }
    return body;
  }

  private static ObjectNode without(ObjectNode body, String field) {
    body.remove(field);
    return body;
  }

  private static HttpResponse<String> send(ObjectNode body) {
    return post(sim.plivoMessagesUrl(), basic(PLIVO_AUTH_ID, PLIVO_AUTH_TOKEN), body.toString());
  }

  private static HttpResponse<String> post(String url, String authorization, String json) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return sim.send(request.build());
  }

  private static HttpResponse<String> get(String url) {
    return sim.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", basic(PLIVO_AUTH_ID, PLIVO_AUTH_TOKEN))
        .GET().build());
  }

  private static String accepted(ObjectNode body) {
    HttpResponse<String> response = send(body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    return json(response).get("message_uuid").get(0).asText();
  }

  private static void assertError(HttpResponse<String> response, int status, String error) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    JsonNode body = json(response);
    assertThat(body.get("api_id").asText()).matches(UUID_PATTERN);
    assertThat(body.get("error").asText()).isEqualTo(error);
    assertThat(body.has("message_uuid")).isFalse();
  }

  private static void assertBadRequest(HttpResponse<String> response, String errorStart) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    assertThat(json(response).get("error").asText()).startsWith(errorStart);
    assertThat(response.body()).doesNotContain("482913");
  }

  private static void assertUnauthenticated(HttpResponse<String> response) {
    assertError(response, 401, "authentication failed");
  }

  private static List<Received> callbacksFor(String uuid) {
    return receiver.received().stream()
        .filter(received -> uuid.equals(received.params().get("MessageUUID")))
        .toList();
  }

  /** Written from Plivo's signature spec, without the simulator's code. */
  private static String independentSignature(String signedUrl, String nonce, String authToken) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return Base64.getEncoder().encodeToString(mac.doFinal((signedUrl + "." + nonce).getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
