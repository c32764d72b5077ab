package dev.relay.providers.vonage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.providers.OutboundMessage;
import dev.relay.providers.ProviderResponse;
import dev.relay.providers.StubVendor;
import dev.relay.providers.TestHttp;
import dev.relay.schemas.Channel;
import dev.relay.schemas.ErrorCategory;
import dev.relay.support.http.Json;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.Jwts;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VonageMessagesClientTest {

  private static final String APPLICATION_ID = "aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab";
  private static final OutboundMessage WHATSAPP =
      new OutboundMessage("+447700900000", "GB", Channel.WHATSAPP, "Your code is 123456", "123456", "VEwa-1");

  private final StubVendor vendor = new StubVendor();

  @AfterEach
  void close() {
    vendor.close();
  }

  private VonageMessagesClient client(String template) {
    return new VonageMessagesClient(new VonageMessagesClient.Settings(vendor.baseUrl(), "+447700900001", template, "en_GB",
        "https://relay.example.com/"), new VonageApplicationJwt(APPLICATION_ID, VonageKeys.privatePem(), Clock.systemUTC()),
        TestHttp.http("vonage"));
  }

  @Test
  void sendsTheTemplateWithTheCodeAsItsParameterSignedWithTheApplicationKey() throws Exception {
    vendor.answer(202, "{\"message_uuid\": \"AAAAAAAA-bbbb-4ccc-8ddd-0123456789ab\"}");

    ProviderResponse response = client("relay_code").send(WHATSAPP).get(5, TimeUnit.SECONDS);

    assertThat(response).isEqualTo(ProviderResponse.accepted("aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab", null));
    StubVendor.Request request = vendor.onlyRequest();
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/v1/messages");
    assertThat(request.header("Content-Type")).isEqualTo("application/json");
    JsonNode body = Json.MAPPER.readTree(request.body());
    assertThat(body.path("channel").asText()).isEqualTo("whatsapp");
    assertThat(body.path("message_type").asText()).isEqualTo("template");
    assertThat(body.path("to").asText()).isEqualTo("447700900000");
    assertThat(body.path("from").asText()).isEqualTo("447700900001");
    assertThat(body.path("template").path("name").asText()).isEqualTo("relay_code");
    assertThat(body.path("template").path("parameters").get(0).asText()).isEqualTo("123456");
    assertThat(body.path("whatsapp").path("policy").asText()).isEqualTo("deterministic");
    assertThat(body.path("whatsapp").path("locale").asText()).isEqualTo("en_GB");
    assertThat(body.path("client_ref").asText()).isEqualTo("VEwa-1");
    assertThat(body.path("webhook_url").asText()).isEqualTo("https://relay.example.com/dlr/vonage-messages");

    String authorization = request.header("Authorization");
    assertThat(authorization).startsWith("Bearer ");
    Claims claims = Jwts.parser().verifyWith(VonageKeys.APPLICATION.getPublic()).build()
        .parseSignedClaims(authorization.substring(7)).getPayload();
    assertThat(claims.get("application_id", String.class)).isEqualTo(APPLICATION_ID);
    assertThat(claims.getId()).isNotBlank();
    assertThat(claims.getExpiration()).isAfter(claims.getIssuedAt());
  }

  @Test
  void eachRequestCarriesItsOwnToken() throws Exception {
    vendor.answer(202, "{\"message_uuid\": \"aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab\"}");
    VonageMessagesClient client = client("relay_code");

    client.send(WHATSAPP).get(5, TimeUnit.SECONDS);
    client.send(WHATSAPP).get(5, TimeUnit.SECONDS);

    assertThat(vendor.requests()).extracting(request -> request.header("Authorization")).doesNotHaveDuplicates();
  }

  @Test
  void aTokenSignedWithAnotherKeyDoesNotVerify() throws Exception {
    vendor.answer(202, "{\"message_uuid\": \"aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab\"}");
    client("relay_code").send(WHATSAPP).get(5, TimeUnit.SECONDS);
    java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    java.security.PublicKey other = generator.generateKeyPair().getPublic();

    assertThatThrownBy(() -> Jwts.parser().verifyWith(other).build()
        .parseSignedClaims(vendor.onlyRequest().header("Authorization").substring(7)))
        .isInstanceOf(JwtException.class);
  }

  @Test
  void withoutATemplateSendsTheRenderedText() throws Exception {
    vendor.answer(202, "{\"message_uuid\": \"aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab\"}");

    client("").send(WHATSAPP).get(5, TimeUnit.SECONDS);

    JsonNode body = Json.MAPPER.readTree(vendor.onlyRequest().body());
    assertThat(body.path("message_type").asText()).isEqualTo("text");
    assertThat(body.path("text").asText()).isEqualTo("Your code is 123456");
    assertThat(body.has("template")).isFalse();
  }

  @Test
  void refusesOtherChannelsAndATemplateWithoutTheCodeWithoutCallingVonage() throws Exception {
    ProviderResponse sms = client("relay_code").send(new OutboundMessage("+447700900000", "GB", Channel.SMS, "code", "VE-1"))
        .get(5, TimeUnit.SECONDS);
    ProviderResponse noCode = client("relay_code").send(new OutboundMessage("+447700900000", "GB", Channel.WHATSAPP,
        "Your code is 123456", "VE-1")).get(5, TimeUnit.SECONDS);

    assertThat(sms.category()).isEqualTo(ErrorCategory.NO_ROUTE);
    assertThat(noCode.category()).isEqualTo(ErrorCategory.AUTH_CONFIG);
    assertThat(vendor.requests()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "422|{\"type\": \"https://developer.vonage.com/api-errors/messages#1020\", \"title\": \"Invalid params\", \"detail\": \"The value of one or more parameters is invalid.\", \"instance\": \"i1\"}|AUTH_CONFIG|1020",
      "422|{\"type\": \"https://developer.vonage.com/api-errors/messages#1430\", \"title\": \"Invalid recipient\", \"detail\": \"The `to` parameter is invalid for the given channel.\"}|NO_ROUTE|1430",
      "429|{\"type\": \"https://developer.vonage.com/api-errors/messages#1000\", \"title\": \"Throttled\"}|THROTTLED|1000",
      "401|{\"type\": \"https://developer.vonage.com/api-errors#unauthorized\", \"title\": \"Unauthorized\", \"detail\": \"You did not provide correct credentials.\"}|AUTH_CONFIG|401",
      "503|<html>busy</html>|PROVIDER_ERROR|503"})
  void readsVonagesProblemAnswers(int status, String body, ErrorCategory category, String code) throws Exception {
    vendor.answer(status, body);

    ProviderResponse response = client("relay_code").send(WHATSAPP).get(5, TimeUnit.SECONDS);

    assertThat(response.accepted()).isFalse();
    assertThat(response.category()).isEqualTo(category);
    assertThat(response.vendorCode()).isEqualTo(code);
  }

  @Test
  void refusesAKeyThatIsNotPkcs8() {
    assertThatThrownBy(() -> new VonageApplicationJwt(APPLICATION_ID, "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
        Clock.fixed(Instant.EPOCH, ZoneOffset.UTC))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PKCS#8");
    assertThatThrownBy(() -> new VonageApplicationJwt(APPLICATION_ID, "not a key", Clock.systemUTC()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
