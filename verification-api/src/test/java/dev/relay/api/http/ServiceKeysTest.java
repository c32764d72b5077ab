package dev.relay.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.api.FakeBlockedPrefixes;
import dev.relay.api.FakeDispatcherLink;
import dev.relay.api.FakeServices;
import dev.relay.api.FakeVerificationReader;
import dev.relay.api.HttpCalls;
import dev.relay.api.TestSettings;
import dev.relay.api.VerificationApiService;
import dev.relay.api.config.ApiConfig;
import dev.relay.schemas.Channel;
import dev.relay.schemas.CodeCheckRequest;
import dev.relay.schemas.ServiceSettings;
import dev.relay.schemas.VerificationService;
import dev.relay.schemas.VerificationRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * API keys that belong to a service: every request carries the service, a status read shows only the
 * service's verifications (another service's is the 404 of an unknown id), a start or resend on a
 * channel the service does not allow is a 400, and a key without a service works as it always did.
 */
class ServiceKeysTest {

  private static final String NUMBER = "+4915112345678";
  private static final Instant NOW = Instant.parse("2030-01-02T03:04:05Z");
  private static final String SHOP = "svc_shop000000000001";
  private static final String BANK = "svc_bank000000000001";
  private static final ApiKeys.GeneratedKey SHOP_WEB = ApiKeys.generate("shop-web");
  private static final ApiKeys.GeneratedKey SHOP_APP = ApiKeys.generate("shop-app");
  private static final ApiKeys.GeneratedKey BANK_KEY = ApiKeys.generate("bank");
  private static final ApiKeys.GeneratedKey LEGACY = ApiKeys.generate("legacy");
  private static final ApiKeys.GeneratedKey ORPHAN = ApiKeys.generate("orphan");

  private final FakeDispatcherLink dispatcher = new FakeDispatcherLink();
  private final FakeVerificationReader reader = new FakeVerificationReader();
  private final FakeServices services = new FakeServices()
      .with(FakeServices.service(SHOP, "Shop", Channel.SMS, Channel.WHATSAPP))
      .with(FakeServices.service(BANK, "Bank", Channel.SMS, Channel.VOICE));
  private ApiConfig config;
  private VerificationApiService api;
  private HttpCalls http;

  @BeforeEach
  void start() {
    String keys = String.join(",", SHOP_WEB.settingEntry() + ":" + SHOP, SHOP_APP.settingEntry() + ":" + SHOP,
        BANK_KEY.settingEntry() + ":" + BANK, LEGACY.settingEntry(), ORPHAN.settingEntry() + ":svc_gone000000000001");
    config = TestSettings.config(Map.of(ApiConfig.API_KEYS.name(), keys, ApiConfig.ALLOW_UNAUTHENTICATED.name(), "false",
        ApiConfig.CHANNELS.name(), "*:sms,whatsapp,voice"));
    api = new VerificationApiService(config, c -> dispatcher, c -> new FakeBlockedPrefixes(), c -> reader, c -> services,
        Clock.fixed(NOW, ZoneOffset.UTC));
    api.start();
    http = new HttpCalls(api.port());
  }

  @AfterEach
  void stop() {
    api.close();
  }

  @Test
  void everyRequestOfAServiceKeyCarriesItsService() {
    http.withApiKey(SHOP_WEB.key());
    String id = config.ids().mint(NUMBER);

    assertThat(http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\"}").statusCode()).isEqualTo(201);
    http.post("/v1/verifications/" + id + "/resend", "{}");
    http.delete("/v1/verifications/" + id);
    http.post("/v1/verifications/" + id + "/check", "{\"code\": \"123456\"}");
    http.post("/v1/verification-checks", "{\"to\": \"" + NUMBER + "\", \"code\": \"123456\"}");

    assertThat(dispatcher.starts).hasSize(3).extracting(VerificationRequest::getServiceId).containsOnly(SHOP);
    assertThat(dispatcher.starts).extracting(VerificationRequest::getApiKeyName).containsOnly("shop-web");
    assertThat(dispatcher.checks).hasSize(2).extracting(CodeCheckRequest::getServiceId).containsOnly(SHOP);
  }

  @Test
  void aStartCarriesTheServicesSettingsForTheVerificationItCreates() {
    services.with(VerificationService.newBuilder(services.stored.get(SHOP)).setCodeLength(8).setExpiryMillis(300_000)
        .setMaxChecks(3).setMaxSends(2).setTemplates(Map.of("de", "{1} ist Ihr {0}-Code")).build());

    http.withApiKey(SHOP_APP.key()).post("/v1/verifications", "{\"to\": \"" + NUMBER + "\"}");
    http.withApiKey(LEGACY.key()).post("/v1/verifications", "{\"to\": \"" + NUMBER + "\"}");

    assertThat(dispatcher.starts).hasSize(2);
    ServiceSettings settings = dispatcher.starts.get(0).getServiceSettings();
    assertThat(settings.getFriendlyName()).isEqualTo("Shop");
    assertThat(settings.getCodeLength()).isEqualTo(8);
    assertThat(settings.getExpiryMillis()).isEqualTo(300_000);
    assertThat(settings.getMaxChecks()).isEqualTo(3);
    assertThat(settings.getMaxSends()).isEqualTo(2);
    assertThat(settings.getTemplates()).containsExactly(Map.entry("de", "{1} ist Ihr {0}-Code"));
    assertThat(dispatcher.starts.get(1).getServiceSettings()).as("a key without a service").isNull();
  }

  @Test
  void aKeyWithoutAServiceSendsNoneAndMayUseEveryChannelTheDeploymentOffers() {
    http.withApiKey(LEGACY.key());

    HttpResponse<String> response = http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\", \"channel\": \"voice\"}");

    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(dispatcher.starts).singleElement().satisfies(request -> {
      assertThat(request.getServiceId()).isNull();
      assertThat(request.getApiKeyName()).isEqualTo("legacy");
    });
  }

  @Test
  void aChannelTheServiceDoesNotAllowIs400WithItsChannelsAndNothingIsProduced() {
    http.withApiKey(SHOP_WEB.key());

    HttpResponse<String> start = http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\", \"channel\": \"voice\"}");
    HttpResponse<String> resend = http.post("/v1/verifications/" + config.ids().mint(NUMBER) + "/resend",
        "{\"channel\": \"voice\"}");

    for (HttpResponse<String> response : new HttpResponse[] {start, resend}) {
      assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
      assertThat(HttpCalls.json(response).get("error").asText()).isEqualTo("channel_not_allowed");
      assertThat(HttpCalls.json(response).get("message").asText()).contains("voice").contains("sms, whatsapp");
    }
    assertThat(dispatcher.produced()).isZero();
    // The same channel is fine for the service that allows it.
    assertThat(http.withApiKey(BANK_KEY.key()).post("/v1/verifications", "{\"to\": \"" + NUMBER + "\", \"channel\": \"voice\"}")
        .statusCode()).isEqualTo(201);
  }

  @Test
  void everyKeyOfTheServiceSeesItsVerificationAndAnotherServicesKeyGetsTheUnknownIds404() {
    String id = config.ids().mint(NUMBER);
    reader.byNumber.put(NUMBER, FakeVerificationReader.pending(id, NUMBER, "shop-web", NOW).setServiceId(SHOP).build());

    HttpResponse<String> starter = http.withApiKey(SHOP_WEB.key()).get("/v1/verifications/" + id);
    HttpResponse<String> sibling = http.withApiKey(SHOP_APP.key()).get("/v1/verifications/" + id);
    HttpResponse<String> foreign = http.withApiKey(BANK_KEY.key()).get("/v1/verifications/" + id);
    HttpResponse<String> legacy = http.withApiKey(LEGACY.key()).get("/v1/verifications/" + id);
    HttpResponse<String> never = http.withApiKey(BANK_KEY.key()).get("/v1/verifications/" + config.ids().mint("+4915112345679"));

    assertThat(starter.statusCode()).isEqualTo(200);
    assertThat(sibling.statusCode()).isEqualTo(200);
    assertThat(foreign.statusCode()).isEqualTo(404);
    assertThat(foreign.body()).as("the same answer as for a verification that never existed").isEqualTo(never.body());
    assertThat(legacy.statusCode()).isEqualTo(404);
  }

  @Test
  void aKeyWhoseServiceDoesNotExistIs403AndAnUnreachableTopicIs503() {
    HttpResponse<String> orphan = http.withApiKey(ORPHAN.key()).post("/v1/verifications", "{\"to\": \"" + NUMBER + "\"}");
    assertThat(orphan.statusCode()).isEqualTo(403);
    assertThat(HttpCalls.json(orphan).get("error").asText()).isEqualTo("service_unknown");

    services.unavailable = true;
    HttpResponse<String> unreachable = http.withApiKey(SHOP_WEB.key()).post("/v1/verifications", "{\"to\": \"" + NUMBER + "\"}");
    assertThat(unreachable.statusCode()).isEqualTo(503);
    assertThat(dispatcher.produced()).isZero();
  }
}
