package dev.relay.failure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.kafka.embedded.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** HTTP helpers for the tests that drive a whole stack through its public endpoints. */
final class StackFixture {

  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** The stack's API key, sent with every request once a test has set it (the simulator ignores it). */
  static volatile String apiKey;

  private StackFixture() {}

  static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
    if (apiKey != null) {
      request.header("Authorization", "Bearer " + apiKey);
    }
    return HTTP.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(String url, String body) throws IOException, InterruptedException {
    return post(url, body, Duration.ofSeconds(20));
  }

  /** With a test's own bound on the answer, where the API may take longer than the usual 20 s. */
  static HttpResponse<String> post(String url, String body, Duration timeout) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
        .header("Content-Type", "application/json");
    if (apiKey != null) {
      request.header("Authorization", "Bearer " + apiKey);
    }
    return HTTP.send(request.POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> postForm(String url, String form, String headerName, String headerValue)
      throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
        .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        .header(headerName, headerValue)
        .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> response) throws IOException {
    return JSON.readTree(response.body());
  }

  /** The code in the newest message of a simulated handset's inbox, or null when it has none. */
  static JsonNode inbox(String simUrl, String number) throws IOException, InterruptedException {
    return json(get(simUrl + "/sim/handsets/" + number + "/messages"));
  }

  static int freePort() throws IOException {
    return FreePorts.pick();
  }
}
