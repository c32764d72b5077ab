package dev.relay.sim.user;

import static dev.relay.sim.SimFixture.json;
import static dev.relay.sim.SimFixture.params;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.sim.ReceiptReceiver;
import dev.relay.sim.SimFixture;
import dev.relay.sim.TestNumbers;
import dev.relay.sim.config.SimConfig;
import dev.relay.sim.handset.HandsetMessage;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The simulated users: off unless config or the admin API switches them on; then each received code
 * is entered through Relay's check endpoint after a delay within the configured bounds, with the API
 * key when one is configured.
 */
class AutoVerifyTest {

  private static final String FROM = "+14155552345";
  private static final String CHECKS = "/v1/verification-checks";

  private ReceiptReceiver api;
  private SimFixture sim;

  @BeforeEach
  void start() throws Exception {
    api = new ReceiptReceiver();
    sim = SimFixture.start(Map.of(
        SimConfig.AUTO_VERIFY_API_URL.name(), api.baseUrl() + "/",
        SimConfig.AUTO_VERIFY_API_KEY.name(), "relay-dev-key",
        SimConfig.AUTO_VERIFY_MIN_DELAY.name(), "PT0.3S",
        SimConfig.AUTO_VERIFY_MAX_DELAY.name(), "PT0.5S"));
  }

  @AfterEach
  void stop() {
    sim.close();
    api.close();
  }

  private HandsetMessage sendSms(String to, String body) {
    HttpResponse<String> sent = sim.postTwilio(sim.twilioMessagesUrl(), params("To", to, "From", FROM, "Body", body));
    assertThat(sent.statusCode()).isEqualTo(201);
    return await().atMost(Duration.ofSeconds(10)).until(() -> sim.service.handsets().messages(to), inbox -> !inbox.isEmpty())
        .get(0);
  }

  @Test
  void offByDefaultThenSwitchedOnPerRunTheUserEntersTheCodeAfterAHumanDelay() throws Exception {
    assertThat(json(sim.get("/sim/auto-verify"))).hasToString("{\"enabled\":false,\"minDelay\":\"PT0.3S\",\"maxDelay\":\"PT0.5S\"}");
    String quiet = TestNumbers.german();
    sendSms(quiet, "Your Relay code is 111222");
    await().during(Duration.ofMillis(900)).atMost(Duration.ofSeconds(3)).until(() -> api.receivedAt(CHECKS).isEmpty());

    HttpResponse<String> switched = sim.put("/sim/auto-verify", "{\"enabled\": true, \"minDelay\": \"PT0.4S\", \"maxDelay\": \"PT0.6S\"}");
    assertThat(switched.statusCode()).isEqualTo(200);
    assertThat(json(switched)).hasToString("{\"enabled\":true,\"minDelay\":\"PT0.4S\",\"maxDelay\":\"PT0.6S\"}");

    String to = TestNumbers.german();
    HandsetMessage received = sendSms(to, "Your Relay code is 482913");
    ReceiptReceiver.Received check = await().atMost(Duration.ofSeconds(10))
        .until(() -> api.receivedAt(CHECKS), list -> !list.isEmpty()).get(0);
    Instant entered = Instant.now();

    assertThat(check.method()).isEqualTo("POST");
    assertThat(check.header("Authorization")).isEqualTo("Bearer relay-dev-key");
    assertThat(check.header("Content-Type")).isEqualTo("application/json");
    JsonNode body = dev.relay.support.http.Json.MAPPER.readTree(check.body());
    assertThat(body).hasToString("{\"to\":\"" + to + "\",\"code\":\"482913\"}");
    assertThat(Duration.between(received.receivedAt(), entered)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
    // The first number's code was never entered, even after the switch.
    assertThat(api.receivedAt(CHECKS)).hasSize(1);
  }

  @Test
  void switchedOffAgainTheUsersStopEntering() {
    assertThat(sim.put("/sim/auto-verify", "{\"enabled\": true}").statusCode()).isEqualTo(200);
    assertThat(sim.put("/sim/auto-verify", "{\"enabled\": false}").statusCode()).isEqualTo(200);

    sendSms(TestNumbers.german(), "Your Relay code is 909090");

    await().during(Duration.ofMillis(900)).atMost(Duration.ofSeconds(3)).until(() -> api.receivedAt(CHECKS).isEmpty());
  }

  @Test
  void enabledByConfigWithoutAKeyTheCheckCarriesNoAuthorization() throws Exception {
    try (ReceiptReceiver open = new ReceiptReceiver();
         SimFixture users = SimFixture.start(Map.of(
             SimConfig.AUTO_VERIFY.name(), "true",
             SimConfig.AUTO_VERIFY_API_URL.name(), open.baseUrl(),
             SimConfig.AUTO_VERIFY_MIN_DELAY.name(), "PT0S",
             SimConfig.AUTO_VERIFY_MAX_DELAY.name(), "PT0.1S"))) {
      String to = TestNumbers.french();
      HttpResponse<String> sent = users.postTwilio(users.twilioMessagesUrl(), params("To", to, "From", FROM, "Body", "Code: 5566"));
      assertThat(sent.statusCode()).isEqualTo(201);

      List<ReceiptReceiver.Received> checks = await().atMost(Duration.ofSeconds(10))
          .until(() -> open.receivedAt(CHECKS), list -> !list.isEmpty());
      assertThat(checks).singleElement().satisfies(check -> {
        assertThat(check.header("Authorization")).isNull();
        assertThat(check.body()).isEqualTo("{\"to\":\"" + to + "\",\"code\":\"5566\"}");
      });
    }
  }

  @Test
  void badSwitchesAreClear400s() {
    assertThat(sim.put("/sim/auto-verify", "{\"enabled\": \"yes\"}").statusCode()).isEqualTo(400);
    assertThat(sim.put("/sim/auto-verify", "{\"enabled\": true, \"minDelay\": \"PT5S\", \"maxDelay\": \"PT1S\"}").statusCode()).isEqualTo(400);
    assertThat(sim.put("/sim/auto-verify", "{\"enabled\": true, \"minDelay\": \"soon\"}").body()).contains("minDelay");
    HttpResponse<String> unknown = sim.put("/sim/auto-verify", "{\"enabled\": true, \"speed\": 3}");
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.body()).contains("\"error\":\"unknown_field\"");
    assertThat(json(sim.get("/sim/auto-verify")).get("enabled").asBoolean()).isFalse();
  }
}
