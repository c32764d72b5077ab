package dev.relay.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.api.FakeBlockedPrefixes;
import dev.relay.api.FakeDispatcherLink;
import dev.relay.api.HttpCalls;
import dev.relay.api.TestSettings;
import dev.relay.api.VerificationApiService;
import dev.relay.api.config.ApiConfig;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The operator's endpoints: blocked prefixes listed and released, with admin keys only. */
class AdminRoutesTest {

  private static final Instant NOW = Instant.parse("2030-01-02T03:04:05Z");
  private static final ApiKeys.GeneratedKey ADMIN = ApiKeys.generate("ops");
  private static final ApiKeys.GeneratedKey CALLER = ApiKeys.generate("shop");
  private static final String LIST = "/v1/admin/blocked-prefixes";

  private final FakeDispatcherLink dispatcher = new FakeDispatcherLink();
  private final FakeBlockedPrefixes blocks = new FakeBlockedPrefixes();
  private VerificationApiService service;
  private HttpCalls http;

  private void startService(Map<String, String> settings) {
    ApiConfig config = TestSettings.config(settings);
    service = new VerificationApiService(config, c -> dispatcher, c -> blocks, Clock.fixed(NOW, ZoneOffset.UTC));
    service.start();
    http = new HttpCalls(service.port());
  }

  private void startWithKeys() {
    Map<String, String> settings = new HashMap<>();
    settings.put(ApiConfig.API_KEYS.name(), CALLER.settingEntry());
    settings.put(ApiConfig.ADMIN_KEYS.name(), ADMIN.settingEntry());
    startService(settings);
  }

  @AfterEach
  void stop() {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void listsThePrefixesBlockedNowWithTheirFigures() {
    blocks.latest.put("49151", FakeBlockedPrefixes.block("49151", NOW.minusSeconds(60), NOW.plusSeconds(3540)));
    blocks.latest.put("23480", FakeBlockedPrefixes.block("23480", NOW.minusSeconds(7200), NOW.minusSeconds(3600)));
    startWithKeys();

    HttpResponse<String> response = http.withApiKey(ADMIN.key()).get(LIST);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode list = HttpCalls.json(response).get("blockedPrefixes");
    assertThat(list).hasSize(1);
    JsonNode block = list.get(0);
    assertThat(block.get("prefix").asText()).isEqualTo("49151");
    assertThat(block.get("country").asText()).isEqualTo("DE");
    assertThat(block.get("state").asText()).isEqualTo("blocked");
    assertThat(block.get("startedInWindow").asLong()).isEqualTo(40);
    assertThat(block.get("approvedInWindow").asLong()).isEqualTo(1);
    assertThat(block.get("completionRate").asDouble()).isEqualTo(0.025);
    assertThat(block.get("blockedAt").asText()).isEqualTo("2030-01-02T03:03:05Z");
    assertThat(block.get("blockedUntil").asText()).isEqualTo("2030-01-02T04:03:05Z");
    assertThat(block.get("reason").asText()).contains("40 verifications started");
    assertThat(block.get("releasedAt").isNull()).isTrue();
  }

  @Test
  void anOperatorReleasesABlockedPrefix() {
    blocks.latest.put("49151", FakeBlockedPrefixes.block("49151", NOW.minusSeconds(60), NOW.plusSeconds(3540)));
    startWithKeys();
    http.withApiKey(ADMIN.key());

    HttpResponse<String> released = http.delete(LIST + "/49151");

    assertThat(released.statusCode()).as(released.body()).isEqualTo(200);
    JsonNode body = HttpCalls.json(released);
    assertThat(body.get("state").asText()).isEqualTo("released");
    assertThat(body.get("releasedAt").asText()).isEqualTo("2030-01-02T03:04:05Z");
    assertThat(body.get("releasedBy").asText()).isEqualTo("ops");
    assertThat(blocks.releases).containsExactly("49151 by ops");
    assertThat(HttpCalls.json(http.get(LIST)).get("blockedPrefixes")).isEmpty();

    HttpResponse<String> again = http.delete(LIST + "/49151");
    assertThat(again.statusCode()).isEqualTo(404);
    assertThat(HttpCalls.json(again).get("error").asText()).isEqualTo("not_found");
    assertThat(blocks.releases).hasSize(1);
  }

  @Test
  void aPrefixThatIsNotOneIs400() {
    startWithKeys();
    http.withApiKey(ADMIN.key());

    for (String bad : new String[] {"4", "49x51", "+49151", "1234567890123"}) {
      HttpResponse<String> response = http.delete(LIST + "/" + java.net.URLEncoder.encode(bad, java.nio.charset.StandardCharsets.UTF_8));
      assertThat(response.statusCode()).as(bad).isEqualTo(400);
      assertThat(HttpCalls.json(response).get("error").asText()).isEqualTo("invalid_prefix");
    }
    assertThat(blocks.releases).isEmpty();
  }

  @Test
  void onlyAnAdminKeyOpensThem() {
    blocks.latest.put("49151", FakeBlockedPrefixes.block("49151", NOW.minusSeconds(60), NOW.plusSeconds(3540)));
    startWithKeys();

    HttpResponse<String> none = http.get(LIST);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate")).contains("Bearer");
    assertThat(http.withApiKey(CALLER.key()).get(LIST).statusCode()).isEqualTo(401);
    HttpResponse<String> callerRelease = http.withApiKey(CALLER.key()).delete(LIST + "/49151");
    assertThat(callerRelease.statusCode()).isEqualTo(401);
    assertThat(HttpCalls.json(callerRelease).get("error").asText()).isEqualTo("unauthorized");
    assertThat(blocks.releases).isEmpty();
    // Nor does an admin key open the callers' endpoints.
    assertThat(http.withApiKey(ADMIN.key()).post("/v1/verifications", "{\"to\": \"+4915112345678\"}").statusCode())
        .isEqualTo(401);
    assertThat(dispatcher.starts).isEmpty();
  }

  @Test
  void withoutAdminKeysTheyAreOffEvenWhenTheApiIsOpen() {
    startService(Map.of());

    HttpResponse<String> response = http.get(LIST);

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(HttpCalls.json(response).get("error").asText()).isEqualTo("admin_disabled");
    assertThat(http.delete(LIST + "/49151").statusCode()).isEqualTo(403);
  }

  @Test
  void kafkaOutOfReachIs503WithRetryAfter() {
    startWithKeys();
    blocks.unavailable = true;
    http.withApiKey(ADMIN.key());

    for (HttpResponse<String> response : new HttpResponse[] {http.get(LIST), http.delete(LIST + "/49151")}) {
      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(HttpCalls.json(response).get("error").asText()).isEqualTo("unavailable");
      assertThat(response.headers().firstValue("Retry-After")).isPresent();
    }
  }
}
