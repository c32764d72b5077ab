package dev.relay.dispatcher.routing;

import static dev.relay.dispatcher.routing.RoutePlannerTest.score;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.schemas.Channel;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.Route;
import dev.relay.schemas.topics.ProviderScoreKeys;
import dev.relay.support.config.ConfigSchema;
import dev.relay.support.config.RelayConfig;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScoredRoutingTest {

  /** Twilio first in the table, demoted by scoring; vonage healthy. */
  private static final Map<String, RouteStanding> STANDINGS = Map.of(
      ProviderScoreKeys.key("twilio", "DE", Channel.SMS),
      RouteStanding.of(ProviderScore.newBuilder(score("twilio", 0.20, 500)).setDemoted(true).build()),
      ProviderScoreKeys.key("vonage", "DE", Channel.SMS), RouteStanding.of(score("vonage", 0.95, 500)));

  @Test
  void scoresMoveRoutesByDefault() {
    RouteChooser chooser = routing(Map.of()).over(STANDINGS::get);

    for (int i = 0; i < 200; i++) {
      Route first = chooser.routes("DE", Channel.SMS).get(0);
      // Vonage leads unless this send explores the demoted twilio.
      assertThat(first.getProvider() + "/" + first.getRoutingReason()).isIn("vonage/score", "twilio/exploration");
    }
  }

  @Test
  void withScoresSwitchedOffTheTableAloneDecides() {
    RouteChooser chooser = routing(Map.of(DispatcherConfig.USE_SCORES.name(), "false")).over(STANDINGS::get);

    for (int i = 0; i < 200; i++) {
      assertThat(chooser.routes("DE", Channel.SMS)).extracting(Route::getProvider, Route::getRoutingReason)
          .containsExactly(tuple("twilio", "table"), tuple("vonage", "table"));
    }
  }

  private static ScoredRouting routing(Map<String, String> settings) {
    Map<String, String> values = new HashMap<>(settings);
    values.put(DispatcherConfig.SMS_ROUTES.name(), "*:twilio,vonage");
    RelayConfig config = RelayConfig.of(ConfigSchema.of(DispatcherConfig.KEYS), values);
    return ScoredRouting.fromConfig(config, RoutingTable.fromConfig(config));
  }
}
