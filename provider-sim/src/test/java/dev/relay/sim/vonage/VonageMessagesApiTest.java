package dev.relay.sim.vonage;

import static dev.relay.sim.SimFixture.API_KEY;
import static dev.relay.sim.SimFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.sim.ReceiptReceiver;
import dev.relay.sim.SimFixture;
import dev.relay.sim.TestNumbers;
import dev.relay.sim.config.SimConfig;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Vonage's Messages API (WhatsApp) as the simulator speaks it, checked from the adapter's side of the wire. */
class VonageMessagesApiTest {

  private static final String APPLICATION_ID = "aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab";
  private static final String SECRET = "vonage-signature-secret-of-at-least-32-bytes";
  private static final KeyPair APPLICATION = keyPair();

  private static SimFixture sim;
  private static ReceiptReceiver receiver;

  @BeforeAll
  static void start() throws Exception {
    receiver = new ReceiptReceiver();
    sim = SimFixture.start(Map.of(
        SimConfig.DLR_URL.name(), receiver.baseUrl(),
        SimConfig.VONAGE_SIGNATURE_SECRET.name(), SECRET,
        SimConfig.VONAGE_APPLICATION_ID.name(), APPLICATION_ID,
        SimConfig.VONAGE_APPLICATION_PUBLIC_KEY.name(), "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder().encodeToString(APPLICATION.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n"));
  }

  @AfterAll
  static void stop() {
    sim.close();
    receiver.close();
  }

  @AfterEach
  void reset() {
    sim.post("/sim/reset");
  }

  private static KeyPair keyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String token(KeyPair keys, String applicationId) {
    return JWT.create().withClaim("application_id", applicationId).withIssuedAt(new Date())
        .withExpiresAt(Date.from(Instant.now().plusSeconds(300))).withJWTId(UUID.randomUUID().toString())
        .sign(Algorithm.RSA256(null, (RSAPrivateKey) keys.getPrivate()));
  }

  private static HttpResponse<String> send(String authorization, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sim.url("/v1/messages")))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return sim.send(request.build());
  }

  private static String template(String digits) {
    return "{\"channel\": \"whatsapp\", \"message_type\": \"template\", \"to\": \"" + digits + "\", \"from\": \"447700900001\","
        + " \"template\": {\"name\": \"relay_code\", \"parameters\": [\"482913\"]},"
        + " \"whatsapp\": {\"policy\": \"deterministic\", \"locale\": \"en\"}, \"client_ref\": \"VEwa-1\"}";
  }

  private static List<JsonNode> statuses(String uuid, int atLeast) {
    return await().atMost(Duration.ofSeconds(10)).until(() -> receiver.receivedAt("/dlr/vonage-messages").stream()
        .filter(received -> received.body().contains(uuid))
        .map(received -> {
          DecodedJWT jwt = JWT.require(Algorithm.HMAC256(SECRET)).build()
              .verify(received.header("Authorization").substring("Bearer ".length()));
          assertThat(jwt.getClaim("payload_hash").asString()).isEqualTo(VonageMessagesApi.sha256Hex(received.body()));
          assertThat(jwt.getClaim("api_key").asString()).isEqualTo(API_KEY);
          try {
            return dev.relay.support.http.Json.MAPPER.readTree(received.body());
          } catch (java.io.IOException e) {
            throw new AssertionError(e);
          }
        }).toList(), list -> list.size() >= atLeast);
  }

  @Test
  void acceptsATemplateSignedByTheApplicationAndReportsSubmittedDeliveredRead() {
    String number = TestNumbers.german();

    HttpResponse<String> response = send("Bearer " + token(APPLICATION, APPLICATION_ID), template(number.substring(1)));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    String uuid = json(response).path("message_uuid").asText();
    List<JsonNode> statuses = statuses(uuid, 3);
    assertThat(statuses).extracting(status -> status.path("status").asText()).containsExactly("submitted", "delivered", "read");
    assertThat(statuses).allSatisfy(status -> {
      assertThat(status.path("client_ref").asText()).isEqualTo("VEwa-1");
      assertThat(status.path("channel").asText()).isEqualTo("whatsapp");
      assertThat(status.path("to").asText()).isEqualTo(number.substring(1));
    });
    assertThat(sim.inbox(number).get(0).path("code").asText()).isEqualTo("482913");
  }

  @Test
  void aUserWithoutWhatsAppIsAcceptedThenRejectedWith1300() {
    String number = TestNumbers.german();
    assertThat(sim.put("/sim/handsets/" + number + "/whatsapp", "{\"onWhatsApp\": false}").statusCode()).isEqualTo(200);

    HttpResponse<String> response = send("Bearer " + token(APPLICATION, APPLICATION_ID), template(number.substring(1)));

    assertThat(response.statusCode()).isEqualTo(202);
    JsonNode rejected = statuses(json(response).path("message_uuid").asText(), 1).get(0);
    assertThat(rejected.path("status").asText()).isEqualTo("rejected");
    assertThat(rejected.path("error").path("title").asInt()).isEqualTo(1300);
    assertThat(rejected.path("error").path("type").asText()).isEqualTo("https://developer.vonage.com/api-errors/messages#1300");
    assertThat(sim.inbox(number)).isEmpty();
  }

  @Test
  void refusesRequestsWithoutAValidApplicationToken() {
    String digits = TestNumbers.german().substring(1);
    String body = template(digits);

    for (String authorization : new String[] {null, "Basic dm9uYWdlOnNlY3JldA==", "Bearer not-a-jwt",
        "Bearer " + token(keyPair(), APPLICATION_ID), "Bearer " + token(APPLICATION, "another-application")}) {
      HttpResponse<String> response = send(authorization, body);
      assertThat(response.statusCode()).as(String.valueOf(authorization)).isEqualTo(401);
      assertThat(json(response).path("type").asText()).isEqualTo("https://developer.vonage.com/api-errors#unauthorized");
    }
    assertThat(receiver.receivedAt("/dlr/vonage-messages")).noneMatch(received -> received.body().contains(digits));
    assertThat(sim.inbox("+" + digits)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"channel\": \"sms\", \"message_type\": \"text\", \"to\": \"4915112345678\", \"from\": \"x\", \"text\": \"t\"}|1400",
      "{\"channel\": \"whatsapp\", \"message_type\": \"text\", \"from\": \"x\", \"text\": \"t\"}|1010",
      "{\"channel\": \"whatsapp\", \"message_type\": \"video\", \"to\": \"4915112345678\", \"from\": \"x\"}|1440",
      "{\"channel\": \"whatsapp\", \"message_type\": \"template\", \"to\": \"4915112345678\", \"from\": \"x\", \"template\": {}}|1022",
      "{\"channel\": \"whatsapp\", \"message_type\": \"text\", \"to\": \"12\", \"from\": \"x\", \"text\": \"t\"}|1430",
      "[1, 2]|1020"})
  void refusesABadRequestWithVonagesProblemAndCode(String body, int code) {
    HttpResponse<String> response = send("Bearer " + token(APPLICATION, APPLICATION_ID), body);

    assertThat(response.statusCode()).isEqualTo(422);
    assertThat(json(response).path("type").asText()).isEqualTo("https://developer.vonage.com/api-errors/messages#" + code);
  }

  @Test
  void theAdminApiRefusesAWhatsAppSettingItCannotRead() {
    assertThat(sim.put("/sim/handsets/+4915112345678/whatsapp", "{\"onWhatsApp\": \"no\"}").statusCode()).isEqualTo(400);
    assertThat(sim.put("/sim/handsets/+4915112345678/whatsapp", "not json").statusCode()).isEqualTo(400);
    assertThat(json(sim.get("/sim/handsets/+4915112345678/whatsapp")).path("onWhatsApp").asBoolean()).isTrue();
  }
}
