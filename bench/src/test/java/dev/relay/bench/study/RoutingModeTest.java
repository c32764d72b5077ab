package dev.relay.bench.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.dispatcher.routing.RouteChooser;
import dev.relay.dispatcher.routing.RouteStanding;
import dev.relay.dispatcher.routing.RoutingTable;
import dev.relay.dispatcher.routing.ScoredRouting;
import dev.relay.schemas.Channel;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.Route;
import dev.relay.schemas.topics.ProviderScoreKeys;
import dev.relay.support.config.ConfigSchema;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.routing.RoutingTableFile;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each mode's dispatcher settings route the way the study says, through the dispatcher's own routing classes. */
class RoutingModeTest {

  @Test
  void theStaticListPutsTheSameProviderFirstEverywhereAndIgnoresScores() {
    RouteChooser chooser = chooser(RoutingMode.STATIC, Map.of("twilio", 0.10, "vonage", 0.95));

    assertThat(chooser.routes("DE", Channel.SMS)).extracting(Route::getProvider, Route::getRoutingReason)
        .containsExactly(tuple("twilio", "table"), tuple("vonage", "table"));
    assertThat(chooser.routes("ES", Channel.SMS)).extracting(Route::getProvider).containsExactly("twilio", "vonage");
  }

  @Test
  void theTableFollowsEachCountrysOwnOrderAndIgnoresScores() {
    RouteChooser chooser = chooser(RoutingMode.TABLE, Map.of("twilio", 0.10, "vonage", 0.95));

    assertThat(chooser.routes("DE", Channel.SMS)).extracting(Route::getProvider, Route::getRoutingReason)
        .containsExactly(tuple("twilio", "table"), tuple("vonage", "table"));
    assertThat(chooser.routes("ES", Channel.SMS)).extracting(Route::getProvider).containsExactly("vonage", "twilio");
    assertThat(chooser.routes("IT", Channel.SMS)).extracting(Route::getProvider).containsExactly("twilio", "vonage");
  }

  @Test
  void scoringDemotesABadRouteWithinTheTable() {
    RouteChooser chooser = chooser(RoutingMode.SCORED, Map.of("twilio", 0.10, "vonage", 0.95));

    // Twilio is demoted: last, unless this send happens to explore it.
    assertThat(chooser.routes("DE", Channel.SMS)).extracting(Route::getProvider, Route::getRoutingReason)
        .containsAnyOf(tuple("twilio", "demotion"), tuple("twilio", "exploration"));
  }

  @Test
  void theTableModesGiveTheOperatorsPricesInATableFileInTheTablesOrder() {
    assertThat(RoutingMode.STATIC.dispatcherSettings()).doesNotContainKey(DispatcherConfig.TABLE_FILE.name());
    assertThat(RoutingMode.SCORED.dispatcherSettings()).containsKey(DispatcherConfig.TABLE_FILE.name());
    RoutingTable table = RoutingTable.fromVersion(RoutingTableFile.parse(RoutingMode.pricedTable(), 1, Instant.EPOCH, null));

    // ES: vonage first and cheaper before its price change; twilio's price is what lets exploration try it after.
    assertThat(table.routes("ES", Channel.SMS)).extracting(Route::getProvider, Route::getPriceMicros)
        .containsExactly(tuple("vonage", 35_000L), tuple("twilio", 60_000L));
    assertThat(table.routes("DE", Channel.SMS)).extracting(Route::getProvider, Route::getPriceMicros)
        .containsExactly(tuple("twilio", 40_000L), tuple("vonage", 65_000L));
    assertThat(table.routes("NL", Channel.SMS)).extracting(Route::getProvider).containsExactly("twilio", "vonage");
    assertThat(table.routes("DE", Channel.VOICE)).isEmpty();
  }

  @Test
  void everyModeIsSmsOnly() {
    for (RoutingMode mode : RoutingMode.values()) {
      assertThat(chooser(mode, Map.of()).routes("DE", Channel.VOICE)).as(mode.name()).isEmpty();
    }
  }

  /** The dispatcher's chooser under a mode's settings, over standings folded from these scores (1,000 tries each, in DE). */
  private static RouteChooser chooser(RoutingMode mode, Map<String, Double> scores) {
    RelayConfig config = RelayConfig.of(ConfigSchema.of(DispatcherConfig.KEYS), mode.dispatcherSettings());
    Map<String, RouteStanding> standings = new HashMap<>();
    scores.forEach((provider, score) -> standings.put(ProviderScoreKeys.key(provider, "DE", Channel.SMS),
        RouteStanding.of(ProviderScore.newBuilder()
            .setProvider(provider)
            .setCountry("DE")
            .setChannel(Channel.SMS)
            .setTried(1_000)
            .setScore(score)
            // As scoring-stream publishes it with its default thresholds.
            .setDemoted(score < 0.55)
            .setUpdatedAt(Instant.parse("2026-01-05T10:00:00Z"))
            .build())));
    return ScoredRouting.fromConfig(config, RoutingTable.fromConfig(config)).over(standings::get);
  }
}
