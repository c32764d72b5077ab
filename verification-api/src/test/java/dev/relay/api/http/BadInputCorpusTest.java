package dev.relay.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.api.FakeDispatcherLink;
import dev.relay.api.HttpCalls;
import dev.relay.api.TestSettings;
import dev.relay.api.VerificationApiService;
import dev.relay.support.secrets.Keyring;
import dev.relay.support.secrets.VerificationIds;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests an attacker or a careless client sends. Every one must get a 4xx with a JSON error code
 * and a message, none a 5xx, and none may put anything on Kafka.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputCorpusTest {

  private static final String NUMBER = "+4915112345678";
  private static final String START = "/v1/verifications";
  private static final String BY_NUMBER = "/v1/verification-checks";
  private static final VerificationIds IDS = new VerificationIds(Keyring.parse("test", TestSettings.ID_KEYS));
  private static final String VALID_ID = IDS.mint(NUMBER);
  private static final String BY_ID = "/v1/verifications/" + VALID_ID + "/check";
  private static final String RESEND = "/v1/verifications/" + VALID_ID + "/resend";

  private final FakeDispatcherLink dispatcher = new FakeDispatcherLink();
  private VerificationApiService service;
  private HttpCalls http;

  /** One bad request: how it is sent, and the status and error code it must get. */
  record BadRequest(String method, String path, byte[] body, boolean chunked, int status, String error) {

    @Override
    public String toString() {
      String shown = new String(body, 0, Math.min(body.length, 60), StandardCharsets.UTF_8).replaceAll("\\p{Cntrl}", "?");
      return method + " " + (path.length() > 60 ? path.substring(0, 60) + "..." : path) + " " + shown
          + (body.length > 60 ? "...(" + body.length + " bytes)" : "");
    }
  }

  @BeforeAll
  void start() {
    service = new VerificationApiService(TestSettings.config(), c -> dispatcher, Clock.systemUTC());
    service.start();
    http = new HttpCalls(service.port());
  }

  @AfterAll
  void stop() {
    service.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void isRefusedWithA4xxJsonErrorAndNothingProduced(BadRequest bad) {
    HttpRequest.BodyPublisher body = bad.chunked()
        ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bad.body()))
        : HttpRequest.BodyPublishers.ofByteArray(bad.body());

    HttpResponse<String> response = http.send(bad.method(), bad.path(), body);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(bad.status());
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    JsonNode error = HttpCalls.json(response);
    assertThat(error.get("error").asText()).isEqualTo(bad.error());
    assertThat(error.get("message").asText()).isNotBlank();
    assertThat(response.body()).doesNotContain("Exception").doesNotContain("at dev.").doesNotContain("at io.");
    assertThat(dispatcher.produced()).isZero();
  }

  Stream<Arguments> corpus() {
    List<BadRequest> cases = new ArrayList<>();

    // Malformed JSON.
    for (String body : List.of("{\"to\": ", "not json", "", "[]", "\"" + NUMBER + "\"", "null", "42",
        "{\"to\": \"" + NUMBER + "\"} {\"to\": \"" + NUMBER + "\"}",
        "{\"to\": \"" + NUMBER + "\"} trailing",
        "{\"to\": \"" + NUMBER + "\", \"to\": \"+33612345678\"}",
        "{'to': '" + NUMBER + "'}",
        "{\"to\": \"" + NUMBER + "\",}",
        "{to: \"" + NUMBER + "\"}",
        "to=%2B4915112345678",
        "{\"to\": \"+49151\u000112345678\"}")) {
      cases.add(post(START, body, 400, "malformed_body"));
    }
    cases.add(new BadRequest("POST", START, bytes("{\"to\": \"", new byte[] {(byte) 0xff, (byte) 0xfe}, "\"}"), false,
        400, "malformed_body"));
    cases.add(post(BY_ID, "{\"code\": ", 400, "malformed_body"));
    cases.add(post(BY_ID, "[\"123456\"]", 400, "malformed_body"));
    cases.add(post(BY_NUMBER, "", 400, "malformed_body"));
    cases.add(post(BY_NUMBER, "{\"to\": \"" + NUMBER + "\", \"code\": \"123456\", \"code\": \"654321\"}", 400, "malformed_body"));

    // Wrong types.
    for (String body : List.of("{\"to\": 4915}", "{\"to\": 4.9e15}", "{\"to\": true}", "{\"to\": [\"" + NUMBER + "\"]}",
        "{\"to\": {\"number\": \"" + NUMBER + "\"}}",
        "{\"to\": \"" + NUMBER + "\", \"channel\": 1}",
        "{\"to\": \"" + NUMBER + "\", \"channel\": [\"sms\"]}",
        "{\"to\": \"" + NUMBER + "\", \"locale\": {\"lang\": \"de\"}}",
        "{\"to\": \"" + NUMBER + "\", \"requestId\": 7}")) {
      cases.add(post(START, body, 400, "invalid_field"));
    }
    cases.add(post(BY_ID, "{\"code\": 123456}", 400, "invalid_field"));
    cases.add(post(BY_ID, "{\"code\": [1,2,3,4]}", 400, "invalid_field"));
    cases.add(post(BY_NUMBER, "{\"to\": 4915112345678, \"code\": \"123456\"}", 400, "invalid_field"));
    cases.add(post(BY_NUMBER, "{\"to\": \"" + NUMBER + "\", \"code\": false}", 400, "invalid_field"));

    // Missing fields.
    cases.add(post(START, "{}", 400, "missing_field"));
    cases.add(post(START, "{\"channel\": \"sms\"}", 400, "missing_field"));
    cases.add(post(START, "{\"to\": null}", 400, "missing_field"));
    cases.add(post(BY_ID, "{}", 400, "missing_field"));
    cases.add(post(BY_ID, "{\"code\": null}", 400, "missing_field"));
    cases.add(post(BY_NUMBER, "{\"code\": \"123456\"}", 400, "missing_field"));
    cases.add(post(BY_NUMBER, "{\"to\": \"" + NUMBER + "\"}", 400, "missing_field"));

    // Fields the endpoint does not take.
    cases.add(post(START, "{\"to\": \"" + NUMBER + "\", \"code\": \"123456\"}", 400, "unknown_field"));
    cases.add(post(START, "{\"to\": \"" + NUMBER + "\", \"\\u0000\": 1}", 400, "unknown_field"));
    cases.add(post(BY_ID, "{\"code\": \"123456\", \"to\": \"" + NUMBER + "\"}", 400, "unknown_field"));
    cases.add(post(BY_NUMBER, "{\"to\": \"" + NUMBER + "\", \"code\": \"123456\", \"verificationId\": \"" + VALID_ID + "\"}",
        400, "unknown_field"));

    // Huge bodies, with a length and streamed without one.
    String hugeNumber = "{\"to\": \"" + "9".repeat(100_000) + "\"}";
    cases.add(post(START, hugeNumber, 413, "body_too_large"));
    cases.add(post(START, " ".repeat(17 * 1024) + "{\"to\": \"" + NUMBER + "\"}", 413, "body_too_large"));
    cases.add(post(BY_ID, "{\"code\": \"" + "1".repeat(50_000) + "\"}", 413, "body_too_large"));
    cases.add(new BadRequest("POST", START, hugeNumber.getBytes(StandardCharsets.UTF_8), true, 413, "body_too_large"));

    // Unknown channels.
    for (String channel : List.of("fax", "", "sms ", "whatsapp ", "telegram", "call", "SMS\\u0000", "email")) {
      cases.add(post(START, "{\"to\": \"" + NUMBER + "\", \"channel\": \"" + channel + "\"}", 400, "invalid_channel"));
    }
    // A known channel the deployment does not offer in the number's country (WhatsApp is off by default).
    cases.add(post(START, "{\"to\": \"" + NUMBER + "\", \"channel\": \"whatsapp\"}", 400, "channel_not_allowed"));

    // Numbers that are not E.164, not valid, not numbers.
    for (String number : List.of("015112345678", "4915112345678", "0049 151 12345678", "(0151) 12345678")) {
      cases.add(post(START, "{\"to\": \"" + number + "\"}", 400, "number_not_e164"));
      cases.add(post(BY_NUMBER, "{\"to\": \"" + number + "\", \"code\": \"123456\"}", 400, "number_not_e164"));
    }
    for (String number : List.of("+49", "+999123456789", "+", "+abc", "+4915112345678901234567890123456789",
        "tel:+4915112345678", "+4915112345678x")) {
      cases.add(post(START, "{\"to\": \"" + number + "\"}", 400, "number_malformed"));
    }
    for (String number : List.of("+4915", "+491511234567890", "+12025550", "+44 20 7946 095")) {
      cases.add(post(START, "{\"to\": \"" + number + "\"}", 400, "number_invalid"));
    }
    cases.add(post(START, "{\"to\": \"\"}", 400, "number_missing"));
    cases.add(post(START, "{\"to\": \"   \"}", 400, "number_missing"));

    // Control characters, escaped inside valid JSON.
    for (String number : List.of(NUMBER + "\\u0000", "\\u0007" + NUMBER, "+49151\\n12345678", "+49151\\u001b[2J12345678")) {
      cases.add(post(START, "{\"to\": \"" + number + "\"}", 400, "number_malformed"));
      cases.add(post(BY_NUMBER, "{\"to\": \"" + number + "\", \"code\": \"123456\"}", 400, "number_malformed"));
    }
    cases.add(post(START, "{\"to\": \"" + NUMBER + "\", \"locale\": \"de\\u0000\"}", 400, "invalid_field"));
    cases.add(post(START, "{\"to\": \"" + NUMBER + "\", \"locale\": \"de\\r\\nX-Injected: 1\"}", 400, "invalid_field"));
    cases.add(post(START, "{\"to\": \"" + NUMBER + "\", \"locale\": \"" + "a".repeat(40) + "\"}", 400, "invalid_field"));
    for (String requestId : List.of("a b", "req\\n", "r".repeat(65), "caf\u00e9", "", "../../etc", "x;y")) {
      cases.add(post(START, "{\"to\": \"" + NUMBER + "\", \"requestId\": \"" + requestId + "\"}", 400, "invalid_field"));
    }

    // Codes that cannot be right.
    for (String code : List.of("12a456", "123", "12345678901", "\uff11\uff12\uff13\uff14\uff15\uff16", " 123456", "-1234",
        "", "12345\\u0000", "\u0661\u0662\u0663\u0664", "1e5", "0x1234")) {
      cases.add(post(BY_ID, "{\"code\": \"" + code + "\"}", 400, "invalid_code"));
      cases.add(post(BY_NUMBER, "{\"to\": \"" + NUMBER + "\", \"code\": \"" + code + "\"}", 400, "invalid_code"));
    }

    // Ids that are not ours: unknown, tampered, minted under another key, absurd.
    String foreign = new VerificationIds(Keyring.parse("test", TestSettings.foreignKeys("i1"))).mint(NUMBER);
    for (String id : List.of("nope", "VE", "VEAAAA", "VE" + "A".repeat(300), tamper(VALID_ID), foreign,
        VALID_ID.substring(0, VALID_ID.length() - 3), "%2e%2e", "VE%E2%80%8B", VALID_ID.toLowerCase())) {
      cases.add(post("/v1/verifications/" + id + "/check", "{\"code\": \"123456\"}", 404, "not_found"));
    }
    // The id decides first: a bad id with a bad body is still a 404.
    cases.add(post("/v1/verifications/nope/check", "not json", 404, "not_found"));

    // Wrong methods and unknown resources.
    cases.add(request("GET", START, 405, "method_not_allowed"));
    cases.add(request("PUT", START, 405, "method_not_allowed"));
    cases.add(request("DELETE", START, 405, "method_not_allowed"));
    cases.add(request("GET", BY_ID, 405, "method_not_allowed"));
    cases.add(request("PATCH", BY_ID, 405, "method_not_allowed"));
    cases.add(request("DELETE", BY_ID, 405, "method_not_allowed"));
    cases.add(request("GET", BY_NUMBER, 405, "method_not_allowed"));
    cases.add(request("PUT", BY_NUMBER, 405, "method_not_allowed"));
    cases.add(request("POST", "/openapi.json", 405, "method_not_allowed"));
    cases.add(request("POST", "/v1/nothing", 404, "not_found"));
    cases.add(request("GET", "/v2/verifications", 404, "not_found"));
    cases.add(request("PUT", "/v1/verifications/" + VALID_ID, 405, "method_not_allowed"));
    cases.add(request("PATCH", "/v1/verifications/" + VALID_ID, 405, "method_not_allowed"));
    cases.add(request("GET", RESEND, 405, "method_not_allowed"));
    cases.add(request("DELETE", RESEND, 405, "method_not_allowed"));

    // Resend, status and cancel: bad bodies and ids that are not ours.
    cases.add(post(RESEND, "{\"channel\": ", 400, "malformed_body"));
    cases.add(post(RESEND, "[]", 400, "malformed_body"));
    cases.add(post(RESEND, "{\"channel\": \"fax\"}", 400, "invalid_channel"));
    cases.add(post(RESEND, "{\"channel\": 2}", 400, "invalid_field"));
    cases.add(post(RESEND, "{\"channel\": \"sms\", \"code\": \"123456\"}", 400, "unknown_field"));
    cases.add(post(RESEND, "{\"requestId\": \"a b\"}", 400, "invalid_field"));
    cases.add(post(RESEND, "{\"channel\": \"" + "v".repeat(20_000) + "\"}", 413, "body_too_large"));
    for (String id : List.of("nope", "VEAAAA", tamper(VALID_ID), foreign, VALID_ID.toLowerCase())) {
      cases.add(post("/v1/verifications/" + id + "/resend", "{}", 404, "not_found"));
      cases.add(request("GET", "/v1/verifications/" + id, 404, "not_found"));
      cases.add(request("DELETE", "/v1/verifications/" + id, 404, "not_found"));
    }
    cases.add(post("/v1/verifications/nope/resend", "not json", 404, "not_found"));
    // Refused by Jetty before any route: still a JSON error.
    cases.add(post("/v1/verifications/VE%00/check", "{\"code\": \"123456\"}", 400, "bad_request"));

    return cases.stream().map(Arguments::of);
  }

  private static BadRequest post(String path, String body, int status, String error) {
    return new BadRequest("POST", path, body.getBytes(StandardCharsets.UTF_8), false, status, error);
  }

  private static BadRequest request(String method, String path, int status, String error) {
    return new BadRequest(method, path, "{\"to\": \"+4915112345678\", \"code\": \"123456\"}".getBytes(StandardCharsets.UTF_8),
        false, status, error);
  }

  private static byte[] bytes(String before, byte[] middle, String after) {
    byte[] head = before.getBytes(StandardCharsets.UTF_8);
    byte[] tail = after.getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[head.length + middle.length + tail.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(middle, 0, all, head.length, middle.length);
    System.arraycopy(tail, 0, all, head.length + middle.length, tail.length);
    return all;
  }

  /** The id with one character in its sealed part changed. */
  private static String tamper(String id) {
    int at = id.length() / 2;
    char replacement = id.charAt(at) == 'A' ? 'B' : 'A';
    return id.substring(0, at) + replacement + id.substring(at + 1);
  }
}
