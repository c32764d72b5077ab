package dev.relay.sim.vonage;

import static dev.relay.sim.SimFixture.API_KEY;
import static dev.relay.sim.SimFixture.API_SECRET;
import static dev.relay.sim.SimFixture.SIGNATURE_SECRET;
import static dev.relay.sim.SimFixture.json;
import static dev.relay.sim.SimFixture.params;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.sim.ReceiptReceiver;
import dev.relay.sim.ReceiptReceiver.Received;
import dev.relay.sim.SimFixture;
import dev.relay.sim.TestNumbers;
import dev.relay.sim.config.SimConfig;
import dev.relay.support.http.Json;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Vonage's SMS API as the simulator speaks it, checked from the adapter's side of the wire. */
class VonageSmsApiTest {

  private static final String FROM = "Relay";
  private static final String TEXT = "Your Relay code is 482913";
  private static final Duration QUIET_PERIOD = Duration.ofMillis(400);

  private static SimFixture sim;
  private static ReceiptReceiver receiver;
  private String number;
  private String digits;

  @BeforeAll
  static void start() throws Exception {
    receiver = new ReceiptReceiver();
    sim = SimFixture.start(Map.of(
        SimConfig.DLR_URL.name(), receiver.baseUrl(),
        SimConfig.VONAGE_SIGNATURE_SECRET.name(), SIGNATURE_SECRET,
        SimConfig.VONAGE_SIGNATURE_METHOD.name(), "sha256"));
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
  void answersVonagesJsonForAnAcceptedMessage() {
    HttpResponse<String> response = send(params("api_key", API_KEY, "api_secret", API_SECRET, "from", FROM,
        "to", digits, "text", TEXT, "client-ref", "VEabc-1"));

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = json(response);
    assertThat(body.get("message-count").asText()).isEqualTo("1");
    assertThat(body.get("message-count").isTextual()).isTrue();
    JsonNode message = body.get("messages").get(0);
    List<String> keys = new ArrayList<>();
    message.fieldNames().forEachRemaining(keys::add);
    assertThat(keys).containsExactly("to", "message-id", "status", "remaining-balance", "message-price", "network",
        "client-ref");
    message.elements().forEachRemaining(value -> assertThat(value.isTextual()).isTrue());
    assertThat(message.get("to").asText()).isEqualTo(digits);
    assertThat(message.get("message-id").asText()).matches("[0-9A-F]{16}");
    assertThat(message.get("status").asText()).isEqualTo("0");
    assertThat(message.get("message-price").asText()).isEqualTo("0.03330000");
    assertThat(message.get("remaining-balance").asText()).matches("\\d+\\.\\d{8}");
    assertThat(message.get("network").asText()).isEqualTo("26201");
    assertThat(message.get("client-ref").asText()).isEqualTo("VEabc-1");
  }

  @Test
  void acceptsJsonBodiesAndAPlusInTheNumber() {
    HttpResponse<String> response = sim.postJson(sim.url("/sms/json"), "{\"api_key\": \"" + API_KEY
        + "\", \"api_secret\": \"" + API_SECRET + "\", \"from\": \"" + FROM + "\", \"to\": \"" + number
        + "\", \"text\": \"" + TEXT + "\", \"status-report-req\": false}");

    assertThat(json(response).get("messages").get(0).get("status").asText()).isEqualTo("0");
    assertThat(json(response).get("messages").get(0).get("to").asText()).isEqualTo(digits);
  }

  @Test
  void acceptsTheParametersInTheQueryOfAGet() {
    HttpResponse<String> response = sim.get("/sms/json?" + SimFixture.form(params("api_key", API_KEY,
        "api_secret", API_SECRET, "from", FROM, "to", digits, "text", TEXT)));

    assertThat(json(response).get("messages").get(0).get("status").asText()).isEqualTo("0");
  }

  @Test
  void deliversToTheHandsetAndPostsASignedReceiptInVonagesFormat() {
    String callback = receiver.url("/cb/vonage");
    String messageId = accepted(params("api_key", API_KEY, "api_secret", API_SECRET, "from", FROM, "to", digits,
        "text", TEXT, "client-ref", "VEabc-1", "callback", callback));

    await().atMost(Duration.ofSeconds(5)).until(() -> receiptsFor(messageId).size() == 1);
    Received receipt = receiptsFor(messageId).get(0);
    assertThat(receipt.method()).isEqualTo("POST");
    assertThat(receipt.path()).isEqualTo("/cb/vonage");
    assertThat(receipt.header("Content-Type")).startsWith("application/json");
    Map<String, String> dlr = jsonParams(receipt);
    assertThat(new ArrayList<>(dlr.keySet())).containsExactly("msisdn", "to", "network-code", "messageId", "price",
        "status", "scts", "err-code", "api-key", "client-ref", "message-timestamp", "timestamp", "nonce", "sig");
    assertThat(dlr).containsEntry("msisdn", digits).containsEntry("to", FROM).containsEntry("network-code", "26201")
        .containsEntry("messageId", messageId).containsEntry("price", "0.03330000").containsEntry("status", "delivered")
        .containsEntry("err-code", "0").containsEntry("api-key", API_KEY).containsEntry("client-ref", "VEabc-1");
    assertThat(dlr.get("scts")).matches("\\d{10}");
    assertThat(dlr.get("message-timestamp")).matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}");
    assertThat(Long.parseLong(dlr.get("timestamp"))).isCloseTo(Instant.now().getEpochSecond(),
        within(60L));
    assertThat(dlr.get("sig")).isEqualTo(independentHmacSha256(dlr, SIGNATURE_SECRET)).matches("[0-9A-F]{64}");

    JsonNode inbox = sim.inbox(number);
    assertThat(inbox).hasSize(1);
    assertThat(inbox.get(0).get("provider").asText()).isEqualTo("vonage");
    assertThat(inbox.get(0).get("code").asText()).isEqualTo("482913");
    assertThat(inbox.get(0).get("from").asText()).isEqualTo(FROM);
    assertThat(inbox.get(0).get("messageId").asText()).isEqualTo(messageId);
  }

  @Test
  void aTamperedReceiptNoLongerMatchesItsSignature() {
    Map<String, String> dlr = params("msisdn", digits, "messageId", "0A00", "status", "delivered", "err-code", "0",
        "timestamp", "1700000000", "nonce", "n-1");
    String sig = VonageSignature.sign(dlr, SIGNATURE_SECRET, SimConfig.VonageSignatureMethod.SHA256);
    dlr.put("sig", sig);
    assertThat(VonageSignature.verify(dlr, SIGNATURE_SECRET, SimConfig.VonageSignatureMethod.SHA256)).isTrue();

    Map<String, String> tampered = new LinkedHashMap<>(dlr);
    tampered.put("status", "failed");
    assertThat(VonageSignature.verify(tampered, SIGNATURE_SECRET, SimConfig.VonageSignatureMethod.SHA256)).isFalse();
    assertThat(VonageSignature.verify(dlr, "another-secret", SimConfig.VonageSignatureMethod.SHA256)).isFalse();
  }

  @Test
  void theLegacyMd5HashAndTheOtherHmacsSignAsVonageSpecifies() {
    // A value holding & and = is cleaned to _ before hashing; blank values are left out.
    Map<String, String> dlr = params("status", "delivered", "messageId", "0A00", "client-ref", "a=b&c", "blank", " ",
        "timestamp", "1700000000");
    String canonical = "&client-ref=a_b_c&messageId=0A00&status=delivered&timestamp=1700000000";

    assertThat(VonageSignature.sign(dlr, "s3cret", SimConfig.VonageSignatureMethod.MD5HASH))
        .isEqualTo(HexFormat.of().formatHex(md5((canonical + "s3cret").getBytes(StandardCharsets.UTF_8))));
    assertThat(VonageSignature.sign(dlr, "s3cret", SimConfig.VonageSignatureMethod.SHA512))
        .isEqualTo(hmac("HmacSHA512", "s3cret", canonical));
    assertThat(VonageSignature.sign(dlr, "s3cret", SimConfig.VonageSignatureMethod.SHA1))
        .isEqualTo(hmac("HmacSHA1", "s3cret", canonical));
    assertThat(VonageSignature.sign(dlr, "s3cret", SimConfig.VonageSignatureMethod.MD5))
        .isEqualTo(hmac("HmacMD5", "s3cret", canonical));
  }

  @Test
  void sendsWithoutACallbackReportToDlrIngestUnlessNoReceiptIsWanted() {
    String withDefault = accepted(params("api_key", API_KEY, "api_secret", API_SECRET, "from", FROM, "to", digits,
        "text", TEXT));
    String noReceipt = accepted(params("api_key", API_KEY, "api_secret", API_SECRET, "from", FROM, "to", digits,
        "text", TEXT, "status-report-req", "0"));

    await().atMost(Duration.ofSeconds(5)).until(() -> receiptsFor(withDefault).size() == 1);
    assertThat(receiptsFor(withDefault).get(0).path()).isEqualTo("/dlr/vonage");
    await().atMost(Duration.ofSeconds(5)).until(() -> sim.inbox(number).size() == 2);
    await().during(QUIET_PERIOD).atMost(QUIET_PERIOD.multipliedBy(3)).until(() -> receiptsFor(noReceipt).isEmpty());
  }

  @Test
  void refusesMissingOrWrongCredentialsWithVonageStatuses() {
    assertRefused(send(params("api_secret", API_SECRET, "from", FROM, "to", digits, "text", TEXT)), "2", "Missing api_key");
    assertRefused(send(params("api_key", API_KEY, "from", FROM, "to", digits, "text", TEXT)), "2", "Missing api_secret");
    assertRefused(send(params("api_key", API_KEY, "api_secret", "wrong", "from", FROM, "to", digits, "text", TEXT)),
        "4", "Bad Credentials");
    assertRefused(send(params("api_key", "other", "api_secret", API_SECRET, "from", FROM, "to", digits, "text", TEXT)),
        "4", "Bad Credentials");
    assertThat(sim.inbox(number)).isEmpty();
  }

  @Test
  void acceptsASignedRequestAndRefusesABadOrStaleSignature() {
    Map<String, String> request = params("api_key", API_KEY, "from", FROM, "to", digits, "text", TEXT,
        "timestamp", Long.toString(Instant.now().getEpochSecond()));
    request.put("sig", independentHmacSha256(request, SIGNATURE_SECRET));
    assertThat(json(send(request)).get("messages").get(0).get("status").asText()).isEqualTo("0");

    Map<String, String> tampered = new LinkedHashMap<>(request);
    tampered.put("text", "Your Relay code is 000000");
    assertRefused(send(tampered), "14", "Invalid Signature");

    Map<String, String> stale = params("api_key", API_KEY, "from", FROM, "to", digits, "text", TEXT,
        "timestamp", Long.toString(Instant.now().minusSeconds(3600).getEpochSecond()));
    stale.put("sig", independentHmacSha256(stale, SIGNATURE_SECRET));
    assertRefused(send(stale), "14", "Invalid Signature");

    Map<String, String> both = new LinkedHashMap<>(request);
    both.put("api_secret", API_SECRET);
    assertRefused(send(both), "32", "Signature And API Secret Disallowed");
  }

  @Test
  void refusesBadInputWithVonageStatuses() {
    assertRefused(send(params("api_key", API_KEY, "api_secret", API_SECRET, "to", digits, "text", TEXT)),
        "2", "Missing from param");
    assertRefused(send(params("api_key", API_KEY, "api_secret", API_SECRET, "from", FROM, "text", TEXT)),
        "2", "Missing to param");
    assertRefused(send(params("api_key", API_KEY, "api_secret", API_SECRET, "from", FROM, "to", digits)),
        "2", "Missing text param");
    assertRefused(send(params("api_key", API_KEY, "api_secret", API_SECRET, "from", FROM, "to", "49abc", "text", TEXT)),
        "3", "Invalid to address");
    assertRefused(send(params("api_key", API_KEY, "api_secret", API_SECRET, "from", FROM, "to", "49123", "text", TEXT)),
        "3", "Invalid to address");
    assertRefused(send(params("api_key", API_KEY, "api_secret", API_SECRET, "from", FROM, "to", digits, "text", TEXT,
        "callback", "not a url")), "23", "Invalid Callback Url");
    assertRefused(sim.postJson(sim.url("/sms/json"), "[1, 2]"), "3", "Invalid JSON body");
    assertRefused(sim.postJson(sim.url("/sms/json"), "{not json"), "3", "Invalid JSON body");
  }

  @Test
  void aRouteThatRejectsAnswersTheConfiguredStatus() {
    sim.put("/sim/providers/vonage/countries/DE", "{\"acceptRate\": 0, \"errorCode\": 1}");
    assertRefused(send(params("api_key", API_KEY, "api_secret", API_SECRET, "from", FROM, "to", digits, "text", TEXT,
        "callback", receiver.url("/cb/rejected"))), "1", "Throttled");

    sim.put("/sim/providers/vonage/countries/DE", "{\"acceptRate\": 0}");
    assertRefused(send(params("api_key", API_KEY, "api_secret", API_SECRET, "from", FROM, "to", digits, "text", TEXT)),
        "29", "Non-Whitelisted Destination");

    String french = TestNumbers.french().substring(1);
    assertThat(json(send(params("api_key", API_KEY, "api_secret", API_SECRET, "from", FROM, "to", french, "text", TEXT)))
        .get("messages").get(0).get("status").asText()).isEqualTo("0");
    await().during(QUIET_PERIOD).atMost(QUIET_PERIOD.multipliedBy(3))
        .until(() -> receiver.receivedAt("/cb/rejected").isEmpty());
  }

  @Test
  void aFailedDeliveryReportsItsErrCodeAndStatus() {
    sim.put("/sim/providers/vonage/countries/DE", "{\"deliveryRate\": 0, \"deliveryErrorCode\": 6}");
    String messageId = accepted(params("api_key", API_KEY, "api_secret", API_SECRET, "from", FROM, "to", digits,
        "text", TEXT, "callback", receiver.url("/cb/vonage")));

    await().atMost(Duration.ofSeconds(5)).until(() -> receiptsFor(messageId).size() == 1);
    Map<String, String> dlr = jsonParams(receiptsFor(messageId).get(0));
    assertThat(dlr).containsEntry("status", "rejected").containsEntry("err-code", "6");
    assertThat(dlr.get("sig")).isEqualTo(independentHmacSha256(dlr, SIGNATURE_SECRET));
    assertThat(sim.inbox(number)).isEmpty();
  }

  @Test
  void silentDropsAndLostReceiptsSendNoReceipt() {
    sim.put("/sim/providers/vonage/countries/DE", "{\"silentDropRate\": 1}");
    String dropped = accepted(params("api_key", API_KEY, "api_secret", API_SECRET, "from", FROM, "to", digits,
        "text", TEXT, "callback", receiver.url("/cb/vonage")));
    sim.put("/sim/providers/vonage/countries/DE", "{\"receiptLossRate\": 1}");
    String lost = accepted(params("api_key", API_KEY, "api_secret", API_SECRET, "from", FROM, "to", digits,
        "text", TEXT, "callback", receiver.url("/cb/vonage")));

    // The lost receipt's message still reaches the handset; the dropped one never does.
    await().atMost(Duration.ofSeconds(5)).until(() -> sim.inbox(number).size() == 1);
    assertThat(sim.inbox(number).get(0).get("messageId").asText()).isEqualTo(lost);
    await().during(QUIET_PERIOD).atMost(QUIET_PERIOD.multipliedBy(3))
        .until(() -> receiptsFor(dropped).isEmpty() && receiptsFor(lost).isEmpty() && sim.inbox(number).size() == 1);
  }

  @Test
  void anOutageAnswers503() {
    sim.put("/sim/providers/vonage/outage", "{\"down\": true}");
    try {
      HttpResponse<String> response = send(params("api_key", API_KEY, "api_secret", API_SECRET, "from", FROM,
          "to", digits, "text", TEXT));
      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(json(response).get("title").asText()).isEqualTo("Service Unavailable");
    } finally {
      sim.put("/sim/providers/vonage/outage", "{\"down\": false}");
    }
    assertThat(send(params("api_key", API_KEY, "api_secret", API_SECRET, "from", FROM, "to", digits, "text", TEXT))
        .statusCode()).isEqualTo(200);
  }

  @Test
  void receiptsCanComeAsAFormPostOrAGetAsTheDashboardSays() throws Exception {
    for (String method : List.of("POST", "GET")) {
      try (ReceiptReceiver dlrIngest = new ReceiptReceiver();
           SimFixture other = SimFixture.start(Map.of(SimConfig.VONAGE_DLR_METHOD.name(), method,
               SimConfig.VONAGE_SIGNATURE_SECRET.name(), SIGNATURE_SECRET,
               SimConfig.VONAGE_SIGNATURE_METHOD.name(), "md5hash"))) {
        HttpResponse<String> response = other.postForm(other.url("/sms/json"), null, params("api_key", API_KEY,
            "api_secret", API_SECRET, "from", FROM, "to", digits, "text", TEXT, "callback", dlrIngest.url("/dlr/vonage")));
        String messageId = json(response).get("messages").get(0).get("message-id").asText();

        await().atMost(Duration.ofSeconds(5)).until(() -> dlrIngest.received().size() == 1);
        Received receipt = dlrIngest.received().get(0);
        assertThat(receipt.method()).isEqualTo(method);
        Map<String, String> dlr = receipt.params();
        assertThat(dlr).containsEntry("messageId", messageId).containsEntry("status", "delivered");
        String canonical = independentCanonical(dlr);
        assertThat(dlr.get("sig")).isEqualTo(
            HexFormat.of().formatHex(md5((canonical + SIGNATURE_SECRET).getBytes(StandardCharsets.UTF_8))));
      }
    }
  }

  private static HttpResponse<String> send(Map<String, String> params) {
    return sim.postForm(sim.url("/sms/json"), null, params);
  }

  private static String accepted(Map<String, String> params) {
    JsonNode message = json(send(params)).get("messages").get(0);
    assertThat(message.get("status").asText()).as(message.toString()).isEqualTo("0");
    return message.get("message-id").asText();
  }

  private static void assertRefused(HttpResponse<String> response, String status, String errorText) {
    // Vonage answers 200 for a refused send: the status in the body says what happened.
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = json(response);
    assertThat(body.get("message-count").asText()).isEqualTo("1");
    JsonNode message = body.get("messages").get(0);
    assertThat(message.get("status").asText()).as(message.toString()).isEqualTo(status);
    assertThat(message.get("error-text").asText()).isEqualTo(errorText);
    assertThat(message.has("message-id")).isFalse();
  }

  private static List<Received> receiptsFor(String messageId) {
    return receiver.received().stream()
        .filter(received -> received.header("Content-Type") != null && received.header("Content-Type").startsWith("application/json"))
        .filter(received -> messageId.equals(jsonParams(received).get("messageId")))
        .toList();
  }

  private static Map<String, String> jsonParams(Received received) {
    try {
      Map<String, String> params = new LinkedHashMap<>();
      Json.MAPPER.readTree(received.body()).properties()
          .forEach(field -> params.put(field.getKey(), field.getValue().asText()));
      return params;
    } catch (Exception e) {
      throw new AssertionError("not a JSON receipt: " + received.body(), e);
    }
  }

  /** Written from Vonage's signing spec, without the simulator's code. */
  private static String independentCanonical(Map<String, String> params) {
    StringBuilder canonical = new StringBuilder();
    params.keySet().stream().sorted()
        .filter(name -> !name.equals("sig") && !params.get(name).trim().isEmpty())
        .forEach(name -> canonical.append('&').append(name.replaceAll("[&=]", "_")).append('=')
            .append(params.get(name).replaceAll("[&=]", "_")));
    return canonical.toString();
  }

  private static String independentHmacSha256(Map<String, String> params, String secret) {
    return hmac("HmacSHA256", secret, independentCanonical(params));
  }

  private static String hmac(String algorithm, String secret, String data) {
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), algorithm));
      return HexFormat.of().withUpperCase().formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] md5(byte[] data) {
    try {
      return MessageDigest.getInstance("MD5").digest(data);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
