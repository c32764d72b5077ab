package dev.relay.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.sim.config.SimConfig;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.http.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A started simulator on a free port with test credentials, and a JDK HTTP client to talk to it the
 * way an adapter would.
 */
public final class SimFixture implements AutoCloseable {

  public static final String ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
  public static final String AUTH_TOKEN = "twilio-test-token";
  public static final String API_KEY = "vonage-key";
  public static final String API_SECRET = "vonage-secret";
  public static final String SIGNATURE_SECRET = "vonage-signature-secret";
  public static final String PLIVO_AUTH_ID = "MAZDQ1ZJIYMDZKMMZKYM";
  public static final String PLIVO_AUTH_TOKEN = "plivo-test-token";

  public final SimService service;
  public final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private SimFixture(SimService service) {
    this.service = service;
  }

  /** Receipts 50 ms after acceptance, one try, no default callback, unless {@code overrides} say otherwise. */
  public static SimFixture start(Map<String, String> overrides) {
    Map<String, String> settings = new HashMap<>();
    settings.put(SimConfig.ENABLED.name(), "true");
    settings.put(SimConfig.HTTP_PORT.name(), "0");
    settings.put(SimConfig.HTTP_HOST.name(), "127.0.0.1");
    settings.put(SimConfig.DLR_URL.name(), "");
    settings.put(SimConfig.TWILIO_ACCOUNT_SID.name(), ACCOUNT_SID);
    settings.put(SimConfig.TWILIO_AUTH_TOKEN.name(), AUTH_TOKEN);
    settings.put(SimConfig.VONAGE_API_KEY.name(), API_KEY);
    settings.put(SimConfig.VONAGE_API_SECRET.name(), API_SECRET);
    settings.put(SimConfig.PLIVO_AUTH_ID.name(), PLIVO_AUTH_ID);
    settings.put(SimConfig.PLIVO_AUTH_TOKEN.name(), PLIVO_AUTH_TOKEN);
    settings.put(SimConfig.RECEIPT_DELAY.name(), "PT0.05S");
    settings.put(SimConfig.CALLBACK_ATTEMPTS.name(), "1");
    settings.put(SimConfig.CALLBACK_BACKOFF.name(), "PT0.05S");
    settings.put(SimConfig.CALLBACK_TIMEOUT.name(), "PT2S");
    settings.putAll(overrides);
    SimService service = new SimService(SimConfig.from(RelayConfig.of(SimConfig.SCHEMA, settings)), Clock.systemUTC());
    service.start();
    return new SimFixture(service);
  }

  public static SimFixture start() {
    return start(Map.of());
  }

  public String url(String path) {
    return "http://127.0.0.1:" + service.port() + path;
  }

  public String twilioMessagesUrl() {
    return url("/2010-04-01/Accounts/" + ACCOUNT_SID + "/Messages.json");
  }

  public String twilioCallsUrl() {
    return url("/2010-04-01/Accounts/" + ACCOUNT_SID + "/Calls.json");
  }

  public String plivoMessagesUrl() {
    return url("/v1/Account/" + PLIVO_AUTH_ID + "/Message/");
  }

  public static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  public static String form(Map<String, String> params) {
    StringJoiner joined = new StringJoiner("&");
    params.forEach((name, value) -> joined.add(URLEncoder.encode(name, StandardCharsets.UTF_8) + "="
        + URLEncoder.encode(value, StandardCharsets.UTF_8)));
    return joined.toString();
  }

  /** Ordered parameters: {@code params("To", "+49...", "Body", "...")}. */
  public static Map<String, String> params(String... namesAndValues) {
    Map<String, String> params = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      params.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return params;
  }

  public HttpResponse<String> postForm(String url, String authorization, Map<String, String> params) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form(params)));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return send(request.build());
  }

  public HttpResponse<String> postTwilio(String url, Map<String, String> params) {
    return postForm(url, basic(ACCOUNT_SID, AUTH_TOKEN), params);
  }

  public HttpResponse<String> getTwilio(String url) {
    return send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", basic(ACCOUNT_SID, AUTH_TOKEN)).GET()
        .build());
  }

  public HttpResponse<String> postJson(String url, String json) {
    return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build());
  }

  public HttpResponse<String> put(String path, String json) {
    return send(HttpRequest.newBuilder(URI.create(url(path))).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(json)).build());
  }

  public HttpResponse<String> post(String path) {
    return send(HttpRequest.newBuilder(URI.create(url(path))).POST(HttpRequest.BodyPublishers.noBody()).build());
  }

  public HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(URI.create(url(path))).GET().build());
  }

  public HttpResponse<String> delete(String path) {
    return send(HttpRequest.newBuilder(URI.create(url(path))).DELETE().build());
  }

  public HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("request to the simulator failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  public static JsonNode json(HttpResponse<String> response) {
    try {
      return Json.MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + response.body(), e);
    }
  }

  /** The JSON of the handset's inbox for {@code e164}. */
  public JsonNode inbox(String e164) {
    return json(get("/sim/handsets/" + e164 + "/messages"));
  }

  @Override
  public void close() {
    service.close();
  }
}
