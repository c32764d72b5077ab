package dev.relay.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.api.VerificationApiService;
import dev.relay.dispatcher.DispatcherService;
import dev.relay.kafka.embedded.FreePorts;
import dev.relay.local.LocalStack.LocalStackSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The abuse limits on the real path, sharing one stack: the per-IP limit (HTTP behind a trusted
 * proxy, the request limiter's side branch and its blocks on the embedded broker, the refusal back as 429 with
 * {@code Retry-After}, while another client address is still served), and anti-pumping (many starts
 * to one destination prefix that nobody completes: the prefix is blocked, shown to the operator and
 * released by them, while other prefixes are served throughout).
 */
@Tag("integration")
class RateLimitIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final int PER_MINUTE = 3;
  /** Starts to one prefix, none completed, that block it (the detector's floor; no baseline yet). */
  private static final int PUMPING_FLOOR = 6;
  private static final String PUMPED_PREFIX = "49160";

  @TempDir static Path dataDir;
  private static LocalStack stack;

  @BeforeAll
  static void start() throws IOException {
    LocalStackSettings settings = new LocalStackSettings(dataDir, freePort(), freePort(), freePort(), freePort(),
        freePort(), freePort());
    stack = new LocalStack(settings, Map.of(
        // The test client plays the proxy: loopback is trusted to name the client in X-Forwarded-For.
        VerificationApiService.NAME, Map.of("relay.api.trusted-proxies", "127.0.0.0/8,::1", "relay.api.reply-timeout", "20s"),
        DispatcherService.NAME, Map.of("relay.limits.per-ip", PER_MINUTE + "/1m", "relay.limits.per-network", "", "relay.limits.per-number", "",
            // Judged at once: a test cannot wait the production two minutes for codes nobody will type.
            "relay.pumping.min-starts", Integer.toString(PUMPING_FLOOR), "relay.pumping.completion-delay", "0s")));
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

    // The block is published beside the hot path and reaches the lifecycle one commit of the limiter
    // later: a start in that gap is still admitted (and not counted). The flood is refused soon after,
    // and the gap lets through fewer starts than the limit itself.
    List<HttpResponse<String>> gap = new ArrayList<>();
    HttpResponse<String> flooded = start("+4915112345699", "203.0.113.7");
    while (flooded.statusCode() == 201 && gap.size() < PER_MINUTE) {
      gap.add(flooded);
      flooded = start("+49151123456" + (10 + gap.size()), "203.0.113.7");
    }

    assertThat(gap).as("starts admitted after the limit was full").hasSizeLessThan(PER_MINUTE);
    assertThat(flooded.statusCode()).as(flooded.body()).isEqualTo(429);
    JsonNode error = JSON.readTree(flooded.body());
    assertThat(error.get("error").asText()).isEqualTo("rate_limited_ip");
    assertThat(flooded.headers().firstValue("Retry-After")).hasValueSatisfying(seconds ->
        assertThat(Integer.parseInt(seconds)).isBetween(1, 60));

    HttpResponse<String> other = start("+4915112345698", "198.51.100.20");
    assertThat(other.statusCode()).as(other.body()).isEqualTo(201);
  }

  @Test
  void aPumpedPrefixIsBlockedShownToTheOperatorAndReleasedWhileOtherPrefixesWork() throws Exception {
    // Each start from its own address: the per-IP limit is not what stops this.
    for (int i = 0; i < PUMPING_FLOOR; i++) {
      HttpResponse<String> pumped = start("+4916012345" + (100 + i), "192.0.2." + (10 + i));
      assertThat(pumped.statusCode()).as(pumped.body()).isEqualTo(201);
    }

    // The detector runs behind the lifecycle (events, a repartition, the blocks topic, every
    // instance's global store): the block shows up for the operator, and then to callers.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(blockedPrefixes()).contains(PUMPED_PREFIX));
    JsonNode block = blockedPrefixList().get(0);
    assertThat(block.get("startedInWindow").asLong()).isEqualTo(PUMPING_FLOOR);
    assertThat(block.get("completionRate").asDouble()).isZero();
    int[] address = {100};
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      HttpResponse<String> refused = start("+4916012345" + (200 + address[0]), "192.0.2." + address[0]++);
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
      assertThat(JSON.readTree(refused.body()).get("error").asText()).isEqualTo("prefix_blocked");
      assertThat(refused.headers().firstValue("Retry-After")).hasValueSatisfying(seconds ->
          assertThat(Integer.parseInt(seconds)).isBetween(3000, 3600));
    });

    HttpResponse<String> otherPrefix = start("+4917612345678", "198.51.100.30");
    assertThat(otherPrefix.statusCode()).as(otherPrefix.body()).isEqualTo(201);

    // Admin only: the callers' key does not open the list.
    assertThat(admin("GET", "/v1/admin/blocked-prefixes", stack.apiKey()).statusCode()).isEqualTo(401);
    HttpResponse<String> released = admin("DELETE", "/v1/admin/blocked-prefixes/" + PUMPED_PREFIX, stack.adminKey());
    assertThat(released.statusCode()).as(released.body()).isEqualTo(200);
    assertThat(JSON.readTree(released.body()).get("state").asText()).isEqualTo("released");
    assertThat(blockedPrefixes()).doesNotContain(PUMPED_PREFIX);

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      HttpResponse<String> served = start("+4916012345" + (300 + address[0]), "192.0.2." + address[0]++);
      assertThat(served.statusCode()).as(served.body()).isEqualTo(201);
    });
  }

  private static java.util.List<String> blockedPrefixes() throws Exception {
    java.util.List<String> prefixes = new java.util.ArrayList<>();
    blockedPrefixList().forEach(block -> prefixes.add(block.get("prefix").asText()));
    return prefixes;
  }

  private static JsonNode blockedPrefixList() throws Exception {
    HttpResponse<String> list = admin("GET", "/v1/admin/blocked-prefixes", stack.adminKey());
    assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
    return JSON.readTree(list.body()).get("blockedPrefixes");
  }

  private static HttpResponse<String> admin(String method, String path, String key) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(stack.apiUrl() + path))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + key)
        .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
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
    return FreePorts.pick();
  }
}
