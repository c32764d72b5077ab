package dev.relay.dispatcher.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.schemas.Channel;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.Route;
import dev.relay.schemas.SendCommand;
import dev.relay.schemas.VerificationRequest;
import dev.relay.schemas.WindowStats;
import dev.relay.schemas.topics.Topics;
import dev.relay.support.routing.RoutingTableFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Price in the dispatcher's order, through the whole topology, with the operator's table and its
 * prices published on routing-table (the routing study's Spain: vonage 0.035 first, twilio 0.060):
 * of routes whose scores are within the margin the cheaper goes first, by the vendor's reported price
 * on recent sends, else the table's; so a threefold price rise moves the first sends, and a cheaper
 * route never tried is explored, so it can take the lead once it has its samples.
 */
class PriceOrderTopologyTest {

  private static final String TABLE = """
      {"countries": {
        "*":  {"sms": [{"provider": "twilio", "priceMicros": 40000}]},
        "DE": {"sms": [{"provider": "vonage", "priceMicros": 35000}, {"provider": "twilio", "priceMicros": 60000}]}}}
      """;
  private static final Map<String, String> NO_EXPLORATION = Map.of(
      DispatcherConfig.EXPLORATION_SHARE.name(), "0", DispatcherConfig.EXPLORATION_CAP.name(), "0");

  @TempDir
  Path stateDir;
  private int starts;

  @Test
  void aThreefoldPriceRiseOfTheFirstRouteMovesTheFirstSendsWhenQualityIsEqual() {
    try (DispatcherTestBed bed = new DispatcherTestBed(stateDir, NO_EXPLORATION)) {
      publishTable(bed);
      TestInputTopic<String, ProviderScore> scores = scores(bed);
      scores.pipeInput("vonage|DE|SMS", score("vonage", 0.86, 35_000L));
      scores.pipeInput("twilio|DE|SMS", score("twilio", 0.84, 60_000L));
      assertThat(startFresh(bed).getRoutes()).extracting(Route::getProvider, Route::getRoutingReason)
          .containsExactly(tuple("vonage", "score"), tuple("twilio", "score"));

      // Vonage now charges three times as much on its recent sends; its quality is what it was.
      scores.pipeInput("vonage|DE|SMS", score("vonage", 0.86, 105_000L));

      assertThat(startFresh(bed).getRoutes()).extracting(Route::getProvider, Route::getRoutingReason)
          .containsExactly(tuple("twilio", "score"), tuple("vonage", "score"));
    }
  }

  @Test
  void aCheaperRouteNeverTriedIsExploredAndTakesTheLeadOnItsTablePriceOnceScored() {
    try (DispatcherTestBed bed = new DispatcherTestBed(stateDir, Map.of(
        DispatcherConfig.EXPLORATION_SHARE.name(), "1"))) {
      publishTable(bed);
      TestInputTopic<String, ProviderScore> scores = scores(bed);
      // Vonage is first and never fails, at three times its old price; twilio was never tried.
      scores.pipeInput("vonage|DE|SMS", score("vonage", 0.86, 105_000L));

      assertThat(startFresh(bed).getRoutes()).extracting(Route::getProvider, Route::getRoutingReason)
          .as("twilio's table price (0.060) is below vonage's reported one (0.105): it is tried")
          .containsExactly(tuple("twilio", "exploration"), tuple("vonage", "score"));
    }
    try (DispatcherTestBed bed = new DispatcherTestBed(stateDir.resolve("scored"), NO_EXPLORATION)) {
      publishTable(bed);
      TestInputTopic<String, ProviderScore> scores = scores(bed);
      scores.pipeInput("vonage|DE|SMS", score("vonage", 0.86, 105_000L));
      // Its exploration sends gave it a score (its vendor reports no price: the table's stands in).
      scores.pipeInput("twilio|DE|SMS", score("twilio", 0.85, null));

      assertThat(startFresh(bed).getRoutes()).extracting(Route::getProvider, Route::getRoutingReason)
          .containsExactly(tuple("twilio", "score"), tuple("vonage", "score"));
    }
  }

  private static void publishTable(DispatcherTestBed bed) {
    bed.driver.createInputTopic(bed.topics.routingTable.name(), new StringSerializer(),
            bed.topics.routingTable.valueSerde().serializer())
        .pipeInput(Topics.ROUTING_TABLE_KEY, RoutingTableFile.parse(TABLE, 10, bed.now(), "test"));
  }

  private static TestInputTopic<String, ProviderScore> scores(DispatcherTestBed bed) {
    return bed.driver.createInputTopic(bed.topics.providerScores.name(), new StringSerializer(),
        bed.topics.providerScores.valueSerde().serializer());
  }

  /** A score over 100 tries, 100 of them first sends in the short window, at the vendor's price per message (or none). */
  private static ProviderScore score(String provider, double score, Long pricePerMessage) {
    return ProviderScore.newBuilder()
        .setProvider(provider).setCountry("DE").setChannel(Channel.SMS)
        .setTried(100).setScore(score).setCostPerMessageMicros(pricePerMessage)
        .setShortWindow(WindowStats.newBuilder()
            .setStart(DispatcherTestBed.T0.minusSeconds(300)).setEnd(DispatcherTestBed.T0)
            .setTried(100).setAccepted(100).setFirstSends(100).setFirstCompleted(90)
            .setCostPerMessageMicros(pricePerMessage).build())
        .setUpdatedAt(DispatcherTestBed.T0).build();
  }

  private SendCommand startFresh(DispatcherTestBed bed) {
    String number = "+49151" + (40000000 + starts++);
    bed.requests.pipeInput(number, VerificationRequest.newBuilder()
        .setRequestId("req-" + starts)
        .setVerificationId(bed.secrets.ids().mint(number))
        .setTo(number)
        .setCountry("DE")
        .setChannel(Channel.SMS)
        .setRequestedAt(bed.now())
        .build(), bed.now());
    bed.advance(Duration.ofMillis(1));
    SendCommand command = bed.commands.readValue();
    assertThat(bed.commands.isEmpty()).isTrue();
    return command;
  }
}
