package dev.relay.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.support.http.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain HTTP calls against a running service, bodies sent exactly as given. */
public final class HttpCalls {

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private volatile String apiKey;
  private volatile String forwardedFor;

  public HttpCalls(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  public HttpCalls withApiKey(String key) {
    this.apiKey = key;
    return this;
  }

  /** Sends {@code X-Forwarded-For} with every request from now on, as a proxy (or a liar) would. */
  public HttpCalls withForwardedFor(String value) {
    this.forwardedFor = value;
    return this;
  }

  public HttpResponse<String> delete(String path) {
    return send("DELETE", path, HttpRequest.BodyPublishers.noBody());
  }

  public HttpResponse<String> post(String path, String body) {
    return send("POST", path, HttpRequest.BodyPublishers.ofString(body));
  }

  public HttpResponse<String> postBytes(String path, byte[] body) {
    return send("POST", path, HttpRequest.BodyPublishers.ofByteArray(body));
  }

  public HttpResponse<String> get(String path) {
    return send("GET", path, HttpRequest.BodyPublishers.noBody());
  }

  public HttpResponse<String> send(String method, String path, HttpRequest.BodyPublisher body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .method(method, body);
    if (apiKey != null) {
      request.header("Authorization", "Bearer " + apiKey);
    }
    if (forwardedFor != null) {
      request.header("X-Forwarded-For", forwardedFor);
    }
    try {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static JsonNode json(HttpResponse<String> response) {
    try {
      return Json.MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + response.body(), e);
    }
  }
}
