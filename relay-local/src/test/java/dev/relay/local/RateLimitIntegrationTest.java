package dev.relay.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.api.VerificationApiService;
import dev.relay.dispatcher.DispatcherService;
import dev.relay.local.LocalStack.LocalStackSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-IP limit on the real path: HTTP behind a trusted proxy, the request limiter's repartition
 * hops on the embedded broker, the refusal back as 429 with {@code Retry-After}, while another
 * client address is still served.
 */
class RateLimitIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final int PER_MINUTE = 3;

  @TempDir static Path dataDir;
  private static LocalStack stack;

  @BeforeAll
  static void start() throws IOException {
    LocalStackSettings settings = new LocalStackSettings(dataDir, freePort(), freePort(), freePort(), freePort(),
        freePort(), freePort());
    stack = new LocalStack(settings, Map.of(
        // The test client plays the proxy: loopback is trusted to name the client in X-Forwarded-For.
        VerificationApiService.NAME, Map.of("relay.api.trusted-proxies", "127.0.0.0/8,::1", "relay.api.reply-timeout", "20s"),
        DispatcherService.NAME, Map.of("relay.limits.per-ip", PER_MINUTE + "/1m", "relay.limits.per-network", "", "relay.limits.per-number", "")));
    stack.start();
    await().atMost(Duration.ofSeconds(60)).until(stack::isReady);
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void aFloodFromOneIpGets429WithRetryAfterWhileAnotherIpGetsThrough() throws Exception {
    for (int i = 0; i < PER_MINUTE; i++) {
      HttpResponse<String> admitted = start("+4915112345" + (600 + i), "203.0.113.7");
      assertThat(admitted.statusCode()).as(admitted.body()).isEqualTo(201);
    }

    HttpResponse<String> flooded = start("+4915112345699", "203.0.113.7");

    assertThat(flooded.statusCode()).as(flooded.body()).isEqualTo(429);
    JsonNode error = JSON.readTree(flooded.body());
    assertThat(error.get("error").asText()).isEqualTo("rate_limited_ip");
    assertThat(flooded.headers().firstValue("Retry-After")).hasValueSatisfying(seconds ->
        assertThat(Integer.parseInt(seconds)).isBetween(1, 60));

    HttpResponse<String> other = start("+4915112345698", "198.51.100.20");
    assertThat(other.statusCode()).as(other.body()).isEqualTo(201);
  }

  private static HttpResponse<String> start(String number, String clientIp) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(stack.apiUrl() + "/v1/verifications"))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + stack.apiKey())
        .header("X-Forwarded-For", clientIp)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"to\": \"" + number + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    return dev.relay.local.FreePorts.pick();
  }
}
