package dev.relay.sim;

import static dev.relay.sim.SimFixture.json;
import static dev.relay.sim.SimFixture.params;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.sim.config.SimConfig;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.RelayConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimServiceTest {

  @Test
  void cannotBeBuiltFromAConfigThatDoesNotEnableIt() {
    RelayConfig production = RelayConfig.of(SimConfig.SCHEMA, Map.of(
        SimConfig.TWILIO_ACCOUNT_SID.name(), SimFixture.ACCOUNT_SID,
        SimConfig.TWILIO_AUTH_TOKEN.name(), SimFixture.AUTH_TOKEN,
        SimConfig.VONAGE_API_KEY.name(), SimFixture.API_KEY,
        SimConfig.VONAGE_API_SECRET.name(), SimFixture.API_SECRET));

    assertThatThrownBy(() -> new SimService(production)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("relay.sim.enabled");
  }

  @Test
  void servesHealthAndMetricsAndStopsCleanly() {
    SimFixture sim = SimFixture.start();
    try {
      assertThat(sim.service.isReady()).isTrue();
      assertThat(sim.service.endpoint()).isEqualTo("http://localhost:" + sim.service.port());
      assertThat(sim.get("/health").statusCode()).isEqualTo(200);
      assertThat(json(sim.get("/health/ready")).get("service").asText()).isEqualTo("provider-sim");
      sim.postTwilio(sim.twilioMessagesUrl(), params("To", TestNumbers.german(), "From", "+15017122661", "Body", "1234"));

      assertThat(sim.get("/metrics").body())
          .contains("relay_sim_sends_total{channel=\"sms\",country=\"DE\",outcome=\"accepted\",provider=\"twilio\"} 1.0");
      assertThat(sim.get("/no/such/page").statusCode()).isEqualTo(404);
    } finally {
      sim.close();
    }
    assertThat(sim.service.isReady()).isFalse();
  }
}
