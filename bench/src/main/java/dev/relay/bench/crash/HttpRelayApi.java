package dev.relay.bench.crash;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/** {@link RelayApi} over HTTP: the API with the run's key, the handsets through the simulator's inbox. */
final class HttpRelayApi implements RelayApi {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Longer than the API's own reply timeout (5 s), so its 504 would show rather than the bench's give-up. */
  private static final Duration CALL_LIMIT = Duration.ofSeconds(15);

  // The stack runs in its own process here: no thread of this client is counted in its CPU.
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final String apiUrl;
  private final String simUrl;
  private final String apiKey;

  HttpRelayApi(String apiUrl, String simUrl, String apiKey) {
    this.apiUrl = apiUrl;
    this.simUrl = simUrl;
    this.apiKey = apiKey;
  }

  @Override
  public Answer start(String number) {
    return post("/v1/verifications", JSON.createObjectNode().put("to", number));
  }

  @Override
  public Answer check(String verificationId, String code) {
    return post("/v1/verifications/" + verificationId + "/check", JSON.createObjectNode().put("code", code));
  }

  @Override
  public Answer resend(String verificationId) {
    return post("/v1/verifications/" + verificationId + "/resend", JSON.createObjectNode());
  }

  @Override
  public Answer status(String verificationId) {
    return send(api("/v1/verifications/" + verificationId).GET().build());
  }

  @Override
  public Optional<String> latestCode(String number) {
    Answer inbox = send(HttpRequest.newBuilder(URI.create(
        simUrl + "/sim/handsets/" + URLEncoder.encode(number, StandardCharsets.UTF_8) + "/messages"))
        .timeout(CALL_LIMIT).GET().build());
    JsonNode messages = inbox.body();
    if (inbox.status() != 200 || !messages.isArray() || messages.isEmpty()) {
      return Optional.empty();
    }
    String code = messages.get(messages.size() - 1).path("code").asText("");
    return code.isEmpty() ? Optional.empty() : Optional.of(code);
  }

  private Answer post(String path, JsonNode body) {
    return send(api(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
  }

  private HttpRequest.Builder api(String path) {
    return HttpRequest.newBuilder(URI.create(apiUrl + path)).timeout(CALL_LIMIT).header("Authorization", "Bearer " + apiKey);
  }

  private Answer send(HttpRequest request) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return Answer.of(response.statusCode(), parsed(response.body()), response.headers().firstValue("Retry-After").orElse(null));
    } catch (IOException e) {
      return Answer.none(e.getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Answer.none("interrupted");
    }
  }

  private static JsonNode parsed(String body) {
    try {
      return body.isEmpty() ? null : JSON.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }
}
