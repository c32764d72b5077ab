package dev.relay.dispatcher.topology;

import static dev.relay.dispatcher.topology.DispatcherTestBed.NUMBER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.dispatcher.routing.RouteStanding;
import dev.relay.schemas.Attempt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.Route;
import dev.relay.schemas.SendCommand;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.VerificationRequest;
import dev.relay.schemas.topics.ProviderScoreKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scores from {@code provider-scores} ordering the routes of each send, through the whole topology:
 * the global standings (demotion as scoring-stream publishes it), exploration from seeded randomness, pins, and the
 * routing reason in the command and the attempt history. The bed's DE SMS table is twilio, vonage.
 */
class ScoredRoutingTopologyTest {

  @TempDir
  Path stateDir;

  private int verifications;
  private String lastNumber;

  @Test
  void withoutScoresTheTableDecides() {
    try (DispatcherTestBed bed = new DispatcherTestBed(stateDir)) {
      SendCommand command = startFresh(bed);

      assertThat(command.getRoutes()).extracting(Route::getProvider, Route::getRoutingReason)
          .containsExactly(tuple("twilio", "table"), tuple("vonage", "table"));
      assertThat(attempts(bed)).extracting(Attempt::getRoutingReason).containsExactly("table");
    }
  }

  @Test
  void scoresArrivingReorderTheRoutesAndTheReasonLandsInTheAttemptHistory() {
    try (DispatcherTestBed bed = new DispatcherTestBed(stateDir)) {
      TestInputTopic<String, ProviderScore> scores = scores(bed);
      scores.pipeInput(key("twilio"), score("twilio", 0.62, 100));
      scores.pipeInput(key("vonage"), score("vonage", 0.90, 100));

      SendCommand command = startFresh(bed);

      assertThat(command.getRoutes()).extracting(Route::getProvider, Route::getRoutingReason)
          .containsExactly(tuple("vonage", "score"), tuple("twilio", "score"));
      assertThat(attempts(bed)).extracting(Attempt::getProvider, Attempt::getRoutingReason)
          .containsExactly(tuple(null, "score"));
      VerificationEvent created = bed.events.readValue();
      assertThat(created.getAttempts()).extracting(Attempt::getRoutingReason).containsExactly("score");
      assertThat(bed.events.isEmpty()).isTrue();
    }
  }

  @Test
  void scoresOfAnotherCountryOrChannelOrWithTooFewSamplesChangeNothing() {
    try (DispatcherTestBed bed = new DispatcherTestBed(stateDir)) {
      TestInputTopic<String, ProviderScore> scores = scores(bed);
      scores.pipeInput(ProviderScoreKeys.key("twilio", "FR", Channel.SMS), score("twilio", "FR", Channel.SMS, 0.1, 100));
      scores.pipeInput(ProviderScoreKeys.key("twilio", "DE", Channel.VOICE), score("twilio", "DE", Channel.VOICE, 0.1, 100));
      scores.pipeInput(key("twilio"), score("twilio", 0.10, 19));
      scores.pipeInput(key("vonage"), score("vonage", 0.99, 19));

      assertThat(startFresh(bed).getRoutes()).extracting(Route::getProvider, Route::getRoutingReason)
          .containsExactly(tuple("twilio", "table"), tuple("vonage", "table"));
    }
  }

  @Test
  void aRouteIsDemotedWhileItsPublishedScoreSaysSo() {
    try (DispatcherTestBed bed = new DispatcherTestBed(stateDir, Map.of(
        DispatcherConfig.EXPLORATION_SHARE.name(), "0"))) {
      TestInputTopic<String, ProviderScore> scores = scores(bed);
      scores.pipeInput(key("twilio"), score("twilio", 0.80, 100));
      scores.pipeInput(key("twilio"), demoted("twilio", 0.50, 100));

      assertThat(startFresh(bed).getRoutes()).extracting(Route::getProvider, Route::getRoutingReason)
          .containsExactly(tuple("vonage", "table"), tuple("twilio", "demotion"));
      assertThat(attempts(bed)).extracting(Attempt::getRoutingReason).containsExactly("table");

      // Scoring's hysteresis holds it demoted at a middling score: so does routing.
      scores.pipeInput(key("twilio"), demoted("twilio", 0.60, 100));
      assertThat(startFresh(bed).getRoutes()).extracting(Route::getProvider).containsExactly("vonage", "twilio");
      assertThat(standing(bed, "twilio").demoted()).isTrue();

      scores.pipeInput(key("twilio"), score("twilio", 0.70, 100));
      assertThat(startFresh(bed).getRoutes()).extracting(Route::getProvider, Route::getRoutingReason)
          .containsExactly(tuple("twilio", "score"), tuple("vonage", "table"));
      assertThat(standing(bed, "twilio").demoted()).isFalse();
    }
  }

  @Test
  void aLowScoreScoringDidNotDemoteReordersTheRoutesAndTheRouteItHoldsBackIsStillExplored() {
    try (DispatcherTestBed bed = new DispatcherTestBed(stateDir, Map.of(
        DispatcherConfig.EXPLORATION_SHARE.name(), "0"))) {
      TestInputTopic<String, ProviderScore> scores = scores(bed);
      scores.pipeInput(key("twilio"), score("twilio", 0.20, 100));
      scores.pipeInput(key("vonage"), score("vonage", 0.90, 100));

      assertThat(startFresh(bed).getRoutes()).extracting(Route::getProvider, Route::getRoutingReason)
          .containsExactly(tuple("vonage", "score"), tuple("twilio", "score"));
      assertThat(standing(bed, "twilio").demoted()).isFalse();
    }
  }

  @Test
  void aRouteTheScoresHoldBackBehindOneTheTablePutsAfterItGetsTheExplorationShare() {
    try (DispatcherTestBed bed = new DispatcherTestBed(stateDir, Map.of(
        DispatcherConfig.EXPLORATION_SHARE.name(), "1"))) {
      TestInputTopic<String, ProviderScore> scores = scores(bed);
      scores.pipeInput(key("twilio"), score("twilio", 0.20, 100));
      scores.pipeInput(key("vonage"), score("vonage", 0.90, 100));

      // Without first sends twilio's score would stay what it was when vonage passed it, whatever happens since.
      assertThat(startFresh(bed).getRoutes()).extracting(Route::getProvider, Route::getRoutingReason)
          .containsExactly(tuple("twilio", "exploration"), tuple("vonage", "score"));
      assertThat(attempts(bed)).extracting(Attempt::getRoutingReason).containsExactly("exploration");
    }
  }

  @Test
  void aFailoverAfterADemotedRouteGoesOnThroughTheRest() {
    try (DispatcherTestBed bed = new DispatcherTestBed(stateDir, Map.of(
        DispatcherConfig.EXPLORATION_SHARE.name(), "1", DispatcherConfig.VOICE_FALLBACK_COUNTRIES.name(), "DE"))) {
      scores(bed).pipeInput(key("twilio"), demoted("twilio", 0.30, 100));

      SendCommand first = startFresh(bed);
      assertThat(first.getRoutes()).extracting(Route::getProvider, Route::getRoutingReason)
          .containsExactly(tuple("twilio", "exploration"), tuple("vonage", "table"));
      bed.rejected(first, 0, false, ErrorCategory.PROVIDER_ERROR);
      bed.rejected(first, 1, true, ErrorCategory.PROVIDER_ERROR);

      SendCommand voice = bed.commands.readValue();
      assertThat(voice.getChannel()).isEqualTo(Channel.VOICE);
      assertThat(attempts(bed)).extracting(Attempt::getRoutingReason).containsExactly("exploration", "table");
    }
  }

  @Test
  void explorationSendsASeededShareOfVerificationsFirstToTheDemotedRoute() {
    try (DispatcherTestBed bed = new DispatcherTestBed(stateDir, Map.of(
        DispatcherConfig.EXPLORATION_SHARE.name(), "0.1"))) {
      scores(bed).pipeInput(key("twilio"), demoted("twilio", 0.30, 100));

      int explored = 0;
      int sends = 200;
      for (int i = 0; i < sends; i++) {
        Route first = startFresh(bed).getRoutes().get(0);
        if (first.getProvider().equals("twilio")) {
          assertThat(first.getRoutingReason()).isEqualTo("exploration");
          explored++;
        } else {
          assertThat(first.getRoutingReason()).isEqualTo("table");
        }
      }
      // The generator is seeded: the same count every run, and about a tenth of the sends.
      assertThat(explored).isBetween(10, 30);
      assertThat(explored).isEqualTo(exploredWithSeed(sends, 0.1));
    }
  }

  @Test
  void aPinnedRouteIsFirstWhateverTheScoresAndAForbiddenOneIsNeverUsed() {
    try (DispatcherTestBed bed = new DispatcherTestBed(stateDir, Map.of(
        DispatcherConfig.PINS.name(), "DE/sms:twilio",
        DispatcherConfig.FORBIDDEN.name(), "*/voice:twilio"))) {
      TestInputTopic<String, ProviderScore> scores = scores(bed);
      scores.pipeInput(key("twilio"), score("twilio", 0.20, 100));
      scores.pipeInput(key("vonage"), score("vonage", 0.90, 100));

      SendCommand first = startFresh(bed);
      assertThat(first.getRoutes()).extracting(Route::getProvider, Route::getRoutingReason)
          .containsExactly(tuple("twilio", "pin"), tuple("vonage", "score"));

      bed.rejected(first, 0, false, ErrorCategory.PROVIDER_ERROR);
      bed.rejected(first, 1, true, ErrorCategory.PROVIDER_ERROR);
      // The only voice route is forbidden: nothing is left, so the verification fails.
      assertThat(bed.commands.isEmpty()).isTrue();
      assertThat(bed.state().getStatus()).hasToString("FAILED");
    }
  }

  @Test
  void aTombstoneForgetsTheRoutesStanding() {
    try (DispatcherTestBed bed = new DispatcherTestBed(stateDir, Map.of(
        DispatcherConfig.EXPLORATION_SHARE.name(), "0"))) {
      TestInputTopic<String, ProviderScore> scores = scores(bed);
      scores.pipeInput(key("twilio"), demoted("twilio", 0.20, 100));
      assertThat(standing(bed, "twilio").demoted()).isTrue();
      scores.pipeInput(key("twilio"), (ProviderScore) null);

      assertThat(standing(bed, "twilio")).isNull();
      assertThat(startFresh(bed).getRoutes()).extracting(Route::getProvider).containsExactly("twilio", "vonage");
    }
  }

  // ---------------------------------------------------------------- helpers

  /** The exploring draws a SplittableRandom with the bed's seed makes over this many sends. */
  private static int exploredWithSeed(int sends, double share) {
    java.util.SplittableRandom random = new java.util.SplittableRandom(DispatcherTestBed.SEED);
    int explored = 0;
    for (int i = 0; i < sends; i++) {
      if (random.nextDouble() < share) {
        random.nextInt(1);
        explored++;
      }
    }
    return explored;
  }

  /** A new verification on a number of its own (so no earlier one is pending), its only command. */
  private SendCommand startFresh(DispatcherTestBed bed) {
    String number = verifications == 0 ? NUMBER : "+49151" + (20000000 + verifications);
    verifications++;
    bed.requests.pipeInput(number, VerificationRequest.newBuilder()
        .setRequestId("req-" + verifications)
        .setVerificationId(bed.secrets.ids().mint(number))
        .setTo(number)
        .setCountry("DE")
        .setChannel(Channel.SMS)
        .setRequestedAt(bed.now())
        .build(), bed.now());
    bed.advance(Duration.ofMillis(1));
    SendCommand command = bed.commands.readValue();
    assertThat(bed.commands.isEmpty()).as("one command per start").isTrue();
    lastNumber = number;
    return command;
  }

  private java.util.List<Attempt> attempts(DispatcherTestBed bed) {
    KeyValueStore<String, dev.relay.schemas.state.VerificationState> store =
        bed.driver.getKeyValueStore(DispatcherNames.VERIFICATIONS_STORE);
    return store.get(lastNumber).getAttempts();
  }

  private static RouteStanding standing(DispatcherTestBed bed, String provider) {
    KeyValueStore<String, RouteStanding> store = bed.driver.getKeyValueStore(DispatcherNames.ROUTE_STANDINGS_STORE);
    return store.get(key(provider));
  }

  private static TestInputTopic<String, ProviderScore> scores(DispatcherTestBed bed) {
    return bed.driver.createInputTopic(bed.topics.providerScores.name(), new StringSerializer(),
        bed.topics.providerScores.valueSerde().serializer());
  }

  private static String key(String provider) {
    return ProviderScoreKeys.key(provider, "DE", Channel.SMS);
  }

  private static ProviderScore score(String provider, double score, long tried) {
    return score(provider, "DE", Channel.SMS, score, tried);
  }

  /** A score scoring-stream published with the route demoted. */
  private static ProviderScore demoted(String provider, double score, long tried) {
    return ProviderScore.newBuilder(score(provider, score, tried)).setDemoted(true).build();
  }

  private static ProviderScore score(String provider, String country, Channel channel, double score, long tried) {
    return ProviderScore.newBuilder()
        .setProvider(provider)
        .setCountry(country)
        .setChannel(channel)
        .setTried(tried)
        .setScore(score)
        .setUpdatedAt(DispatcherTestBed.T0)
        .build();
  }
}
