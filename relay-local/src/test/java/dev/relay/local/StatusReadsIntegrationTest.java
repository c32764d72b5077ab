package dev.relay.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.api.VerificationApiService;
import dev.relay.api.config.ApiConfig;
import dev.relay.api.http.ApiKeys;
import dev.relay.dispatcher.DispatcherService;
import dev.relay.kafka.embedded.FreePorts;
import dev.relay.local.LocalStack.LocalStackSettings;
import dev.relay.support.http.VerificationQueries;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Status reads and the operator's lookup against the real dispatcher, as the embedded run wires
 * them: read from its verifications store through its query endpoint, never through Kafka, with the
 * ownership rules and errors the public API promises; and a clear 503 with Retry-After once the
 * dispatcher is gone.
 */
@Tag("integration")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StatusReadsIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Duration STACK_WAIT = Duration.ofSeconds(90);
  private static final ApiKeys.GeneratedKey OTHER_KEY = ApiKeys.generate("other-shop");
  private static final String NUMBER = "+4915112345670";

  @TempDir static Path dataDir;
  private static LocalStack stack;
  private static String id;

  @BeforeAll
  static void start() {
    LocalSecrets secrets = LocalSecrets.loadOrCreate(dataDir);
    // A second caller beside the local one, to read what the local key started.
    String keys = ApiKeys.settingEntry(LocalSecrets.API_KEY_NAME, secrets.get(LocalSecrets.API_KEY)) + ","
        + OTHER_KEY.settingEntry();
    stack = new LocalStack(new LocalStackSettings(dataDir, FreePorts.pick(), FreePorts.pick(), FreePorts.pick(),
        FreePorts.pick(), FreePorts.pick(), FreePorts.pick()),
        Map.of(VerificationApiService.NAME, Map.of(ApiConfig.API_KEYS.name(), keys)));
    stack.start();
    await().atMost(STACK_WAIT).until(stack::isReady);
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  @Order(1)
  void theStatusOfAVerificationIsReadFromTheDispatchersStateThroughItsLife() throws Exception {
    HttpResponse<String> started = send("POST", "/v1/verifications", "{\"to\": \"" + NUMBER + "\"}", stack.apiKey());
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    id = JSON.readTree(started.body()).get("id").asText();

    HttpResponse<String> pending = send("GET", "/v1/verifications/" + id, null, stack.apiKey());
    assertThat(pending.statusCode()).as(pending.body()).isEqualTo(200);
    JsonNode body = JSON.readTree(pending.body());
    assertThat(body.get("id").asText()).isEqualTo(id);
    assertThat(body.get("to").asText()).isEqualTo(NUMBER);
    assertThat(body.get("status").asText()).isEqualTo("pending");
    assertThat(body.get("channel").asText()).isEqualTo("sms");
    assertThat(body.fieldNames()).toIterable()
        .containsExactly("id", "to", "status", "channel", "createdAt", "expiresAt", "attempts");

    String code = awaitCode(NUMBER);
    HttpResponse<String> checked = send("POST", "/v1/verifications/" + id + "/check", "{\"code\": \"" + code + "\"}",
        stack.apiKey());
    assertThat(checked.statusCode()).as(checked.body()).isEqualTo(200);

    // The approval's reply came after the store was written: the very next read sees it.
    JsonNode approved = JSON.readTree(send("GET", "/v1/verifications/" + id, null, stack.apiKey()).body());
    assertThat(approved.get("status").asText()).isEqualTo("approved");
    assertThat(approved.get("attempts")).hasSize(1);
    assertThat(approved.get("attempts").get(0).get("provider").asText()).isNotBlank();
    assertThat(approved.toString()).doesNotContain(code);
  }

  @Test
  @Order(2)
  void anotherKeyAndAnIdThatNeverExistedGetTheSame404() throws Exception {
    HttpResponse<String> foreign = send("GET", "/v1/verifications/" + id, null, OTHER_KEY.key());
    HttpResponse<String> never = send("GET", "/v1/verifications/VEnotours", null, stack.apiKey());

    assertThat(foreign.statusCode()).isEqualTo(404);
    assertThat(foreign.body()).isEqualTo(never.body());
  }

  @Test
  @Order(3)
  void theOperatorLooksItUpByNumberOrIdWithTheAdminKeyOnly() throws Exception {
    HttpResponse<String> byNumber = send("GET", "/v1/admin/verifications?number=%2B4915112345670", null, stack.adminKey());
    HttpResponse<String> byId = send("GET", "/v1/admin/verifications/" + id, null, stack.adminKey());

    assertThat(byNumber.statusCode()).as(byNumber.body()).isEqualTo(200);
    JsonNode body = JSON.readTree(byNumber.body());
    assertThat(body.get("id").asText()).isEqualTo(id);
    assertThat(body.get("to").asText()).isEqualTo("+49151******70");
    assertThat(body.get("status").asText()).isEqualTo("approved");
    assertThat(body.get("apiKey").asText()).isEqualTo(LocalSecrets.API_KEY_NAME);
    JsonNode attempt = body.get("attempts").get(0);
    assertThat(attempt.get("provider").asText()).isNotBlank();
    assertThat(attempt.get("routingReason").asText()).isNotBlank();
    assertThat(attempt.get("outcome").asText()).isEqualTo("accepted");
    assertThat(attempt.get("verifiedAt").asText()).isNotBlank();
    assertThat(byNumber.body()).doesNotContain(NUMBER);
    assertThat(byId.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(byId.body()).get("id").asText()).isEqualTo(id);

    assertThat(send("GET", "/v1/admin/verifications?number=%2B4915112345670", null, null).statusCode()).isEqualTo(401);
    assertThat(send("GET", "/v1/admin/verifications?number=%2B4915112345670", null, stack.apiKey()).statusCode())
        .isEqualTo(401);
    assertThat(send("GET", "/v1/admin/verifications?number=%2B4915112345699", null, stack.adminKey()).statusCode())
        .isEqualTo(404);
    HttpResponse<String> bad = send("GET", "/v1/admin/verifications?number=12345", null, stack.adminKey());
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(bad.body()).get("message").asText()).isNotBlank();
  }

  @Test
  @Order(4)
  void theDispatchersQueryEndpointAnswersNobodyWithoutTheToken() throws Exception {
    int port = dispatcher().queryPort().orElseThrow();
    String url = "http://localhost:" + port + VerificationQueries.pathOf(NUMBER);

    HttpResponse<String> anonymous = HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> withApiKey = HTTP.send(HttpRequest.newBuilder(URI.create(url))
        .header("Authorization", "Bearer " + stack.apiKey()).GET().build(), HttpResponse.BodyHandlers.ofString());

    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(withApiKey.statusCode()).isEqualTo(401);
  }

  @Test
  @Order(5)
  void withTheDispatcherGoneAReadIsA503WithRetryAfterNeverAnOldAnswer() throws Exception {
    dispatcher().close();

    HttpResponse<String> status = send("GET", "/v1/verifications/" + id, null, stack.apiKey());

    assertThat(status.statusCode()).as(status.body()).isEqualTo(503);
    assertThat(status.headers().firstValue("Retry-After")).isPresent();
    assertThat(JSON.readTree(status.body()).get("error").asText()).isEqualTo("unavailable");
  }

  private static DispatcherService dispatcher() {
    return stack.services().stream().filter(DispatcherService.class::isInstance).map(DispatcherService.class::cast)
        .findFirst().orElseThrow();
  }

  private static HttpResponse<String> send(String method, String path, String body, String key) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.apiUrl() + path)).timeout(Duration.ofSeconds(15))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json");
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String awaitCode(String number) throws Exception {
    String url = stack.simUrl() + "/sim/handsets/" + number + "/messages";
    await().atMost(Duration.ofSeconds(30)).until(() -> JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET()
        .build(), HttpResponse.BodyHandlers.ofString()).body()).size() >= 1);
    return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString())
        .body()).get(0).get("code").asText();
  }
}
