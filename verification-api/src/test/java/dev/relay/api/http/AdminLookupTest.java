package dev.relay.api.http;

import static dev.relay.api.HttpCalls.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.api.FakeBlockedPrefixes;
import dev.relay.api.FakeDispatcherLink;
import dev.relay.api.FakeVerificationReader;
import dev.relay.api.HttpCalls;
import dev.relay.api.TestSettings;
import dev.relay.api.VerificationApiService;
import dev.relay.api.config.ApiConfig;
import dev.relay.schemas.Attempt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.ProviderTry;
import dev.relay.schemas.SendOutcome;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.VerificationStatus;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The operator's lookup of a verification by number or id: admin keys only, the whole history, no code. */
class AdminLookupTest {

  private static final Instant NOW = Instant.parse("2030-01-02T03:04:05Z");
  private static final String NUMBER = "+4915112345678";
  private static final ApiKeys.GeneratedKey ADMIN = ApiKeys.generate("ops");
  private static final ApiKeys.GeneratedKey CALLER = ApiKeys.generate("shop");

  private final FakeVerificationReader reader = new FakeVerificationReader();
  private VerificationApiService service;
  private ApiConfig config;
  private HttpCalls http;

  private void startService(Map<String, String> settings) {
    config = TestSettings.config(settings);
    service = new VerificationApiService(config, c -> new FakeDispatcherLink(), c -> new FakeBlockedPrefixes(), c -> reader,
        Clock.fixed(NOW, ZoneOffset.UTC));
    service.start();
    http = new HttpCalls(service.port());
  }

  private void startWithKeys() {
    startService(Map.of(ApiConfig.API_KEYS.name(), CALLER.settingEntry(), ApiConfig.ADMIN_KEYS.name(), ADMIN.settingEntry(),
        "relay.api.allow-unauthenticated", "false"));
  }

  @AfterEach
  void stop() {
    if (service != null) {
      service.close();
    }
  }

  /** A fast failover: the first route refused the send, the second took it and its receipt came back. */
  private String failedOverVerification() {
    String id = config.ids().mint(NUMBER);
    Attempt rejected = Attempt.newBuilder()
        .setAttempt(1).setIdempotencyKey(id + "-1").setChannel(Channel.SMS).setReason(SendReason.INITIAL)
        .setProvider("twilio").setRoutingReason("table").setTries(1).setOutcome(SendOutcome.REJECTED)
        .setErrorCategory(ErrorCategory.PROVIDER_ERROR).setDispatchedAt(NOW).build();
    Attempt accepted = Attempt.newBuilder()
        .setAttempt(2).setIdempotencyKey(id + "-2").setChannel(Channel.SMS).setReason(SendReason.REJECTION)
        .setProvider("vonage").setProviderMessageId("msg-2").setRoutingReason("score").setTries(2)
        .setProviderTries(List.of(
            new ProviderTry(0, "sinch", Channel.SMS, SendReason.REJECTION, "score", SendOutcome.REJECTED,
                ErrorCategory.THROTTLED, "403", null, NOW.plusMillis(200), NOW.plusMillis(300)),
            new ProviderTry(1, "vonage", Channel.SMS, SendReason.REJECTION, "table", SendOutcome.ACCEPTED,
                null, null, 65_000L, NOW.plusMillis(300), NOW.plusMillis(400))))
        .setOutcome(SendOutcome.ACCEPTED).setPriceMicros(65_000L).setDispatchedAt(NOW.plusMillis(200))
        .setSubmittedAt(NOW.plusMillis(400)).setDeliveredAt(NOW.plusSeconds(3)).setDeliveryStatus(DeliveryStatus.DELIVERED)
        .setVerifiedAt(NOW.plusSeconds(20)).build();
    reader.byNumber.put(NUMBER, FakeVerificationReader.pending(id, NUMBER, "shop", NOW)
        .setStatus(VerificationStatus.APPROVED).setFinishedAt(NOW.plusSeconds(20)).setSendsUsed(2)
        .setAttempts(List.of(rejected, accepted)).build());
    return id;
  }

  @Test
  void byNumberShowsEveryTryInOrderAndTheReceiptsWithTheNumberMaskedAndNoCode() {
    startWithKeys();
    String id = failedOverVerification();

    HttpResponse<String> response = http.withApiKey(ADMIN.key()).get("/v1/admin/verifications?number=%2B4915112345678");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(reader.reads).containsExactly(NUMBER);
    JsonNode body = json(response);
    assertThat(body.get("id").asText()).isEqualTo(id);
    assertThat(body.get("to").asText()).isEqualTo("+49151******78").doesNotContain("12345678");
    assertThat(body.get("status").asText()).isEqualTo("approved");
    assertThat(body.get("apiKey").asText()).isEqualTo("shop");
    assertThat(body.get("sendsUsed").asInt()).isEqualTo(2);
    JsonNode attempts = body.get("attempts");
    assertThat(attempts).hasSize(2);
    assertThat(attempts.get(0).get("provider").asText()).isEqualTo("twilio");
    assertThat(attempts.get(0).get("outcome").asText()).isEqualTo("rejected");
    assertThat(attempts.get(0).get("errorCategory").asText()).isEqualTo("provider_error");
    assertThat(attempts.get(0).get("routingReason").asText()).isEqualTo("table");
    assertThat(attempts.get(1).get("provider").asText()).isEqualTo("vonage");
    assertThat(attempts.get(1).get("reason").asText()).isEqualTo("rejection");
    assertThat(attempts.get(1).get("routingReason").asText()).isEqualTo("score");
    assertThat(attempts.get(1).get("priceMicros").asLong()).isEqualTo(65_000L);
    assertThat(attempts.get(1).get("deliveryStatus").asText()).isEqualTo("delivered");
    JsonNode tries = attempts.get(1).get("providerTries");
    assertThat(tries).extracting(one -> one.get("provider").asText() + " " + one.get("outcome").asText() + " "
            + one.get("errorCategory").asText() + " " + one.get("vendorCode").asText() + " " + one.get("priceMicros").asText()
            + " " + one.get("startedAt").asText() + " " + one.get("completedAt").asText())
        .containsExactly(
            "sinch rejected throttled 403 null 2030-01-02T03:04:05.200Z 2030-01-02T03:04:05.300Z",
            "vonage accepted null null 65000 2030-01-02T03:04:05.300Z 2030-01-02T03:04:05.400Z");
    assertThat(body.get("receipts")).hasSize(1);
    JsonNode receipt = body.get("receipts").get(0);
    assertThat(receipt.get("attempt").asInt()).isEqualTo(2);
    assertThat(receipt.get("providerMessageId").asText()).isEqualTo("msg-2");
    assertThat(receipt.get("status").asText()).isEqualTo("delivered");
    assertThat(receipt.get("at").asText()).isEqualTo("2030-01-02T03:04:08Z");
    assertThat(response.body()).doesNotContain("code").doesNotContain(NUMBER);
  }

  @Test
  void byIdShowsTheSameVerificationAndAnotherIdOfTheNumberIs404() {
    startWithKeys();
    String id = failedOverVerification();
    http.withApiKey(ADMIN.key());

    HttpResponse<String> byId = http.get("/v1/admin/verifications/" + id);
    HttpResponse<String> byNumber = http.get("/v1/admin/verifications?number=%2B4915112345678");
    HttpResponse<String> superseded = http.get("/v1/admin/verifications/" + config.ids().mint(NUMBER));
    HttpResponse<String> neverMinted = http.get("/v1/admin/verifications/VEnotours");

    assertThat(byId.statusCode()).isEqualTo(200);
    assertThat(byId.body()).isEqualTo(byNumber.body());
    assertThat(superseded.statusCode()).isEqualTo(404);
    assertThat(neverMinted.statusCode()).isEqualTo(404);
  }

  @Test
  void anUnknownNumberIs404() {
    startWithKeys();

    HttpResponse<String> response = http.withApiKey(ADMIN.key()).get("/v1/admin/verifications?number=%2B4915112345679");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(json(response).get("error").asText()).isEqualTo("not_found");
  }

  @Test
  void aBadNumberIs400WithTheReasonAndNothingIsRead() {
    startWithKeys();
    http.withApiKey(ADMIN.key());

    HttpResponse<String> missing = http.get("/v1/admin/verifications");
    HttpResponse<String> letters = http.get("/v1/admin/verifications?number=call-me");
    // An unencoded '+' arrives as a space.
    HttpResponse<String> plusAsSpace = http.get("/v1/admin/verifications?number=+4915112345678");

    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(json(missing).get("error").asText()).isEqualTo("invalid_number");
    assertThat(letters.statusCode()).isEqualTo(400);
    assertThat(json(letters).get("error").asText()).isEqualTo("invalid_number_malformed");
    assertThat(plusAsSpace.statusCode()).isEqualTo(400);
    assertThat(json(plusAsSpace).get("error").asText()).isEqualTo("invalid_number_not_e164");
    assertThat(json(plusAsSpace).get("message").asText()).contains("%2B");
    assertThat(reader.reads).isEmpty();
  }

  @Test
  void withoutAnAdminKeyItIs401AndWithoutAnyConfiguredItIs403() {
    startWithKeys();
    failedOverVerification();
    String path = "/v1/admin/verifications?number=%2B4915112345678";

    HttpResponse<String> none = http.get(path);
    HttpResponse<String> caller = http.withApiKey(CALLER.key()).get(path);
    HttpResponse<String> callerById = http.get("/v1/admin/verifications/" + reader.byNumber.get(NUMBER).getVerificationId());

    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(caller.statusCode()).isEqualTo(401);
    assertThat(callerById.statusCode()).isEqualTo(401);
    assertThat(reader.reads).isEmpty();
    service.close();

    startService(Map.of());
    failedOverVerification();
    assertThat(http.get(path).statusCode()).isEqualTo(403);
    assertThat(reader.reads).isEmpty();
  }

  @Test
  void aDispatcherThatCannotAnswerNowIs503WithRetryAfter() {
    startWithKeys();
    reader.unavailable(Duration.ofSeconds(2));

    HttpResponse<String> response = http.withApiKey(ADMIN.key()).get("/v1/admin/verifications?number=%2B4915112345678");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("Retry-After")).contains("2");
  }
}
