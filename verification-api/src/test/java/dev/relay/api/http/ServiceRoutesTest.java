package dev.relay.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.api.FakeBlockedPrefixes;
import dev.relay.api.FakeDispatcherLink;
import dev.relay.api.FakeServices;
import dev.relay.api.FakeVerificationReader;
import dev.relay.api.HttpCalls;
import dev.relay.api.TestSettings;
import dev.relay.api.VerificationApiService;
import dev.relay.api.config.ApiConfig;
import dev.relay.schemas.Channel;
import dev.relay.schemas.VerificationService;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The operator's service (tenant) endpoints: create, list, read, update; admin keys only; bad input is a 400 with its reason. */
class ServiceRoutesTest {

  private static final Instant NOW = Instant.parse("2030-01-02T03:04:05Z");
  private static final ApiKeys.GeneratedKey ADMIN = ApiKeys.generate("ops");
  private static final ApiKeys.GeneratedKey CALLER = ApiKeys.generate("shop");
  private static final String SERVICES = "/v1/admin/services";

  private final FakeServices services = new FakeServices();
  private VerificationApiService api;
  private HttpCalls http;

  @BeforeEach
  void start() {
    ApiConfig config = TestSettings.config(Map.of(ApiConfig.API_KEYS.name(), CALLER.settingEntry(),
        ApiConfig.ADMIN_KEYS.name(), ADMIN.settingEntry(), ApiConfig.ALLOW_UNAUTHENTICATED.name(), "false"));
    api = new VerificationApiService(config, c -> new FakeDispatcherLink(), c -> new FakeBlockedPrefixes(),
        c -> new FakeVerificationReader(), c -> services, Clock.fixed(NOW, ZoneOffset.UTC));
    api.start();
    http = new HttpCalls(api.port());
  }

  @AfterEach
  void stop() {
    api.close();
  }

  @Test
  void createsAServiceWithTwilioLikeDefaultsAndStoresIt() {
    HttpResponse<String> created = http.withApiKey(ADMIN.key()).post(SERVICES, "{\"friendlyName\": \"Shop\"}");

    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode body = HttpCalls.json(created);
    String id = body.get("id").asText();
    assertThat(id).matches("svc_[a-z0-9]{16}");
    assertThat(body.get("friendlyName").asText()).isEqualTo("Shop");
    assertThat(body.get("codeLength").asInt()).isEqualTo(6);
    assertThat(body.get("expiry").asText()).isEqualTo("PT10M");
    assertThat(body.get("maxChecks").asInt()).isEqualTo(5);
    assertThat(body.get("maxSends").asInt()).isEqualTo(5);
    assertThat(body.get("channels")).extracting(JsonNode::asText).containsExactly("sms", "voice");
    assertThat(body.get("templates").size()).isZero();
    assertThat(body.get("createdAt").asText()).isEqualTo("2030-01-02T03:04:05Z");
    assertThat(body.get("updatedBy").asText()).isEqualTo("ops");
    assertThat(services.saves).singleElement().satisfies(saved -> {
      assertThat(saved.getServiceId()).isEqualTo(id);
      assertThat(saved.getExpiryMillis()).isEqualTo(600_000);
    });
  }

  @Test
  void createsWithEverySettingGivenThenListsReadsAndUpdatesIt() {
    http.withApiKey(ADMIN.key());
    HttpResponse<String> created = http.post(SERVICES, "{\"friendlyName\": \"Bank\", \"codeLength\": 8, \"expiry\": \"5m\","
        + " \"maxChecks\": 3, \"maxSends\": 2, \"channels\": [\"whatsapp\", \"SMS\"],"
        + " \"templates\": {\"de\": \"{1} ist Ihr {0}-Code\", \"pt_BR\": \"Seu código {0}: {1}\"}}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String id = HttpCalls.json(created).get("id").asText();

    JsonNode read = HttpCalls.json(http.get(SERVICES + "/" + id));
    assertThat(read.get("codeLength").asInt()).isEqualTo(8);
    assertThat(read.get("expiry").asText()).isEqualTo("PT5M");
    assertThat(read.get("maxChecks").asInt()).isEqualTo(3);
    assertThat(read.get("maxSends").asInt()).isEqualTo(2);
    assertThat(read.get("channels")).extracting(JsonNode::asText).containsExactly("sms", "whatsapp");
    assertThat(read.get("templates").get("de").asText()).isEqualTo("{1} ist Ihr {0}-Code");
    assertThat(read.get("templates").get("pt-BR").asText()).isEqualTo("Seu código {0}: {1}");

    HttpResponse<String> updated = http.post(SERVICES + "/" + id, "{\"friendlyName\": \"Bank Online\", \"channels\": [\"voice\"]}");
    assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
    JsonNode changed = HttpCalls.json(updated);
    assertThat(changed.get("friendlyName").asText()).isEqualTo("Bank Online");
    assertThat(changed.get("channels")).extracting(JsonNode::asText).containsExactly("voice");
    assertThat(changed.get("codeLength").asInt()).as("what the update did not name is kept").isEqualTo(8);
    assertThat(changed.get("id").asText()).isEqualTo(id);
    assertThat(services.stored.get(id).getFriendlyName()).isEqualTo("Bank Online");

    services.with(FakeServices.service("svc_0000000000000001", "Other", Channel.SMS));
    JsonNode list = HttpCalls.json(http.get(SERVICES)).get("services");
    assertThat(list).extracting(service -> service.get("friendlyName").asText()).containsExactly("Other", "Bank Online");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "{}                                                        | missing_field",
      "{\"friendlyName\": \"  \"}                                | invalid_friendly_name",
      "{\"friendlyName\": \"Thirty-one characters, one over!\"}  | invalid_friendly_name",
      "{\"friendlyName\": \"Shop\", \"codeLength\": 3}           | invalid_code_length",
      "{\"friendlyName\": \"Shop\", \"codeLength\": 11}          | invalid_code_length",
      "{\"friendlyName\": \"Shop\", \"codeLength\": 6.5}         | invalid_field",
      "{\"friendlyName\": \"Shop\", \"codeLength\": \"6\"}       | invalid_field",
      "{\"friendlyName\": \"Shop\", \"expiry\": \"30s\"}         | invalid_expiry",
      "{\"friendlyName\": \"Shop\", \"expiry\": \"2d\"}          | invalid_expiry",
      "{\"friendlyName\": \"Shop\", \"expiry\": \"soon\"}        | invalid_expiry",
      "{\"friendlyName\": \"Shop\", \"maxChecks\": 0}            | invalid_max_checks",
      "{\"friendlyName\": \"Shop\", \"maxSends\": 101}           | invalid_max_sends",
      "{\"friendlyName\": \"Shop\", \"channels\": []}            | invalid_channels",
      "{\"friendlyName\": \"Shop\", \"channels\": [\"fax\"]}     | invalid_channels",
      "{\"friendlyName\": \"Shop\", \"channels\": \"sms\"}       | invalid_field",
      "{\"friendlyName\": \"Shop\", \"templates\": {\"de\": \"Ihr Code\"}}       | invalid_templates",
      "{\"friendlyName\": \"Shop\", \"templates\": {\"de\": \"{1} {2}\"}}        | invalid_templates",
      "{\"friendlyName\": \"Shop\", \"templates\": {\"de\": \"Code {1\"}}        | invalid_templates",
      "{\"friendlyName\": \"Shop\", \"templates\": {\"not a tag\": \"{1}\"}}     | invalid_templates",
      "{\"friendlyName\": \"Shop\", \"templates\": {\"de\": 1}}                  | invalid_field",
      "{\"friendlyName\": \"Shop\", \"apiKey\": \"rk_x\"}        | unknown_field",
      "[]                                                        | malformed_body",
  })
  void badInputIs400WithItsReasonAndStoresNothing(String body, String error) {
    HttpResponse<String> response = http.withApiKey(ADMIN.key()).post(SERVICES, body);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    assertThat(HttpCalls.json(response).get("error").asText()).isEqualTo(error);
    assertThat(services.saves).isEmpty();
  }

  @Test
  void anUpdateWithBadInputIs400AndChangesNothing() {
    VerificationService stored = FakeServices.service("svc_0000000000000001", "Shop", Channel.SMS);
    services.with(stored);

    HttpResponse<String> response = http.withApiKey(ADMIN.key()).post(SERVICES + "/svc_0000000000000001",
        "{\"friendlyName\": \"Shop 2\", \"codeLength\": 12}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(HttpCalls.json(response).get("error").asText()).isEqualTo("invalid_code_length");
    assertThat(services.stored.get("svc_0000000000000001")).isEqualTo(stored);
  }

  @Test
  void anUnknownServiceIs404() {
    http.withApiKey(ADMIN.key());

    for (String id : List.of("svc_0000000000000009", "not-an-id")) {
      assertThat(http.get(SERVICES + "/" + id).statusCode()).as(id).isEqualTo(404);
      assertThat(http.post(SERVICES + "/" + id, "{\"maxSends\": 3}").statusCode()).as(id).isEqualTo(404);
    }
    assertThat(services.saves).isEmpty();
  }

  @Test
  void onlyAnAdminKeyOpensThem() {
    assertThat(http.get(SERVICES).statusCode()).isEqualTo(401);
    http.withApiKey(CALLER.key());
    assertThat(http.get(SERVICES).statusCode()).isEqualTo(401);
    assertThat(http.post(SERVICES, "{\"friendlyName\": \"Shop\"}").statusCode()).isEqualTo(401);
    assertThat(services.saves).isEmpty();
  }

  @Test
  void kafkaOutOfReachIs503() {
    services.unavailable = true;
    http.withApiKey(ADMIN.key());

    assertThat(http.get(SERVICES).statusCode()).isEqualTo(503);
    assertThat(http.post(SERVICES, "{\"friendlyName\": \"Shop\"}").statusCode()).isEqualTo(503);
    assertThat(http.get(SERVICES + "/svc_0000000000000001").statusCode()).isEqualTo(503);
  }
}
