package dev.relay.support.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RelayHttpTest {

  record Body(String to) {}

  private final AtomicBoolean ready = new AtomicBoolean(true);
  private final HttpClient client = HttpClient.newHttpClient();
  private Javalin app;

  @BeforeEach
  void start() {
    app = RelayHttp.create("test", ready::get, null);
    app.post("/echo", ctx -> ctx.json(Map.of("to", ctx.bodyAsClass(Body.class).to())));
    app.get("/boom", ctx -> {
      throw new IllegalStateException("secret detail 123456");
    });
    app.get("/limited", ctx -> {
      throw new ApiError(429, "rate_limited", "slow down", java.time.Duration.ofSeconds(30));
    });
    app.start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    app.stop();
  }

  @Test
  void aMalformedBodyIsA400WithAJsonError() throws Exception {
    HttpResponse<String> response = post("/echo", "{\"to\": ");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("\"error\":\"malformed_body\"");
  }

  @Test
  void wrongTypesAndUnknownFieldsAre400() throws Exception {
    assertThat(post("/echo", "{\"to\": 4915}").statusCode()).isEqualTo(400);
    assertThat(post("/echo", "{\"to\": \"+49\", \"extra\": 1}").statusCode()).isEqualTo(400);
    assertThat(post("/echo", "{\"to\": \"+49\"}").statusCode()).isEqualTo(200);
  }

  @Test
  void unknownRoutesAndWrongMethodsAnswerJson() throws Exception {
    HttpResponse<String> missing = get("/nowhere");
    HttpResponse<String> wrongMethod = get("/echo");

    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).contains("\"error\":\"not_found\"");
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(wrongMethod.body()).contains("\"error\":\"method_not_allowed\"");
  }

  @Test
  void anUnexpectedFailureIsA500WithoutItsDetail() throws Exception {
    HttpResponse<String> response = get("/boom");

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body()).contains("\"error\":\"internal\"").doesNotContain("123456").doesNotContain("Exception");
  }

  @Test
  void limitErrorsCarryRetryAfter() throws Exception {
    HttpResponse<String> response = get("/limited");

    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.headers().firstValue("Retry-After")).contains("30");
  }

  @Test
  void healthFollowsReadiness() throws Exception {
    assertThat(get("/health").statusCode()).isEqualTo(200);
    ready.set(false);
    assertThat(get("/health").statusCode()).isEqualTo(503);
    assertThat(get("/health/live").statusCode()).isEqualTo(200);
  }

  @Test
  void hugeBodiesAreRefused() throws Exception {
    HttpResponse<String> response = post("/echo", "{\"to\": \"" + "9".repeat(100_000) + "\"}");

    assertThat(response.statusCode()).isEqualTo(413);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return client.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + app.port() + path);
  }
}
