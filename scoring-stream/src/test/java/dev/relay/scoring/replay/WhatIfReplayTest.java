package dev.relay.scoring.replay;

import static dev.relay.scoring.replay.RecordedWorld.START;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.relay.schemas.Channel;
import dev.relay.scoring.model.RouteKey;
import dev.relay.scoring.replay.RouteEstimate.Level;
import dev.relay.support.config.ConfigException;
import dev.relay.support.routing.CountryChannels;
import dev.relay.support.routing.RouteOrder;
import dev.relay.support.routing.RoutingTableFile;
import dev.relay.support.routing.TableRoutes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WhatIfReplayTest {

  /** Three hours of recorded DE traffic, one verification every 10 s; twilio drops half in the middle hour. */
  private static final Instant END = START.plus(Duration.ofHours(3));
  private static final RouteKey TWILIO = new RouteKey("twilio", "DE", Channel.SMS);
  private static final RouteKey VONAGE = new RouteKey("vonage", "DE", Channel.SMS);

  /**
   * How close a replay of the recorded table comes to the recorded figures: 1080 verifications, so a
   * completion rate's standard error is about 1 point, and the replay draws afresh from the same rates:
   * three of them.
   */
  private static final double COMPLETION_TOLERANCE = 0.03;
  private static final double FAILOVER_TOLERANCE = 0.05;
  private static final double COST_TOLERANCE = 0.05;

  private final Recording recording = new RecordedWorld(7).record(START, 3, Duration.ofSeconds(10)).recording(START, END);

  @Test
  void theRecordedTableReplayedReproducesTheRecordedFigures() {
    WhatIfReplay.Result result = replay(recording, table("twilio", "vonage"), settings(false, 1));

    Figures recorded = result.recordedOverall();
    Figures replayed = result.replayedOverall();
    assertThat(recorded.verifications()).isEqualTo(1080);
    assertThat(replayed.completion()).isCloseTo(recorded.completion(), within(COMPLETION_TOLERANCE));
    assertThat(replayed.failoversPerVerification()).isCloseTo(recorded.failoversPerVerification(), within(FAILOVER_TOLERANCE));
    assertThat((double) replayed.costPerSuccessMicros().orElseThrow())
        .isCloseTo(recorded.costPerSuccessMicros().orElseThrow(), within(COST_TOLERANCE * recorded.costPerSuccessMicros().orElseThrow()));
    // The recorded p95 is a failover's: window, delivery and the person's check; the replay draws the same parts.
    assertThat(replayed.p95TimeToVerify().orElseThrow().toMillis())
        .isCloseTo(recorded.p95TimeToVerify().orElseThrow().toMillis(), within(10_000L));
  }

  @Test
  void puttingTheHealthyRouteFirstCompletesMoreWithFewerFailovers() {
    WhatIfReplay.Result asRecorded = replay(recording, table("twilio", "vonage"), settings(false, 1));
    WhatIfReplay.Result healthyFirst = replay(recording, table("vonage", "twilio"), settings(false, 1));

    // The recorded figures do not depend on the table replayed.
    assertThat(healthyFirst.recordedOverall().completion()).isEqualTo(asRecorded.recordedOverall().completion());
    assertThat(healthyFirst.replayedOverall().completion()).isGreaterThan(asRecorded.recordedOverall().completion() + 0.02);
    assertThat(healthyFirst.replayedOverall().failoversPerVerification())
        .isLessThan(asRecorded.recordedOverall().failoversPerVerification() / 2);
    assertThat(healthyFirst.countries()).extracting(WhatIfReplay.CountryResult::country).containsExactly("DE");
  }

  @Test
  void followingTheRecordedScoresRoutesAroundADemotedRoute() {
    RecordedWorld world = new RecordedWorld(7).record(START, 3, Duration.ofSeconds(10));
    // Scoring demoted twilio five minutes into its bad hour and promoted it when the hour was over.
    world.scores.add(RecordedWorld.score("twilio", START.minusSeconds(60), 0.95, false));
    world.scores.add(RecordedWorld.score("vonage", START.minusSeconds(60), 0.94, false));
    world.scores.add(RecordedWorld.score("twilio", START.plus(Duration.ofMinutes(65)), 0.40, true));
    world.scores.add(RecordedWorld.score("twilio", START.plus(Duration.ofMinutes(120)), 0.95, false));
    Recording withScores = world.recording(START, END);

    WhatIfReplay.Result staticTable = replay(withScores, table("twilio", "vonage"), settings(false, 1));
    WhatIfReplay.Result byScores = replay(withScores, table("twilio", "vonage"), settings(true, 1));

    assertThat(byScores.replayedOverall().completion()).isGreaterThan(staticTable.replayedOverall().completion());
    assertThat(byScores.replayedOverall().failoversPerVerification())
        .isLessThan(staticTable.replayedOverall().failoversPerVerification());
  }

  @Test
  void aRouteThatRejectsEverythingCostsAFastFailoverAndNoCompletion() {
    Recording withRejections = new RecordedWorld(7).record(START, 3, Duration.ofSeconds(10))
        .rejecting("sinch", START, 300, Duration.ofSeconds(30)).recording(START, END);

    WhatIfReplay.Result twilioFirst = replay(withRejections, table("twilio", "vonage"), settings(false, 1));
    WhatIfReplay.Result sinchFirst = replay(withRejections, table("sinch", "twilio", "vonage"), settings(false, 1));

    // Every verification tries sinch first, is rejected and moves on at once: one failover more, the same completion.
    assertThat(sinchFirst.triesByLevel().get(new RouteKey("sinch", "DE", Channel.SMS)).values().stream()
        .mapToLong(Long::longValue).sum()).isEqualTo(1080);
    assertThat(sinchFirst.replayedOverall().failoversPerVerification())
        .isCloseTo(twilioFirst.replayedOverall().failoversPerVerification() + 1, within(FAILOVER_TOLERANCE));
    assertThat(sinchFirst.replayedOverall().completion())
        .isCloseTo(twilioFirst.replayedOverall().completion(), within(COMPLETION_TOLERANCE));
  }

  @Test
  void aChannelWithoutRoutesLeftFallsBackToTheNextOfTheTablesOrder() {
    String smsThenVoice = """
        {"countries": {"*": {"sms": [{"provider": "twilio"}], "voice": [{"provider": "vonage", "priceMicros": 20000}],
                             "channelOrder": ["sms", "voice"]}}}""";

    WhatIfReplay.Result withVoice = replay(recording, smsThenVoice, settings(false, 1));
    WhatIfReplay.Result smsOnly = replay(recording, table("twilio"), settings(false, 1));

    // Vonage never carried a DE voice call in the range: the prior stands in, and the report says so.
    Map<Level, Long> voice = withVoice.triesByLevel().get(new RouteKey("vonage", "DE", Channel.VOICE));
    assertThat(voice).containsOnlyKeys(Level.PRIOR);
    assertThat(voice.get(Level.PRIOR)).isGreaterThan(50);
    assertThat(withVoice.replayedOverall().completion()).isGreaterThan(smsOnly.replayedOverall().completion());
    assertThat(withVoice.replayedOverall().failoversPerVerification())
        .isGreaterThan(smsOnly.replayedOverall().failoversPerVerification());
    assertThat(smsOnly.replayedOverall().failoversPerVerification()).isZero();
  }

  @Test
  void theSameSeedGivesTheSameReport() {
    String first = ReplayReport.format(replay(recording, table("vonage", "twilio"), settings(true, 42)), "t.json");
    String again = ReplayReport.format(replay(recording, table("vonage", "twilio"), settings(true, 42)), "t.json");

    assertThat(again).isEqualTo(first);
  }

  @Test
  void anHourWithTooFewTriesFallsBackToTheRangeThenToThePrior() {
    RecordedWorld world = new RecordedWorld(7).record(START, 3, Duration.ofSeconds(10)).fewSends("sinch", "DE", 3, START);
    RecordedFacts facts = RecordedFacts.of(world.recording(START, END));
    RouteEstimates estimates = new RouteEstimates(facts.sends(), 20, Priors.DEFAULT);

    // Twilio has 360 first sends in every hour; vonage only the failovers, about 180 in the bad hour and 11 in the others.
    assertThat(estimates.estimate(TWILIO, 10).level()).isEqualTo(Level.HOUR);
    RouteEstimate badHour = estimates.estimate(TWILIO, RecordedWorld.DROP_HOUR);
    assertThat(badHour.level()).isEqualTo(Level.HOUR);
    // Half its codes arrive; nine in ten people check one that does.
    assertThat(badHour.reach()).isCloseTo(0.5, within(0.1));
    assertThat(estimates.engagement("DE")).isCloseTo(0.9, within(0.05));
    assertThat(estimates.estimate(VONAGE, RecordedWorld.DROP_HOUR).level()).isEqualTo(Level.HOUR);
    RouteEstimate quietHour = estimates.estimate(VONAGE, 10);
    assertThat(quietHour.level()).isEqualTo(Level.RANGE);
    assertThat(quietHour.tries()).isGreaterThanOrEqualTo(20);
    // A failover's completion is judged at the late presence: vonage delivers 97 %, 60 % still wait.
    assertThat(quietHour.reach()).isCloseTo(0.97, within(0.1));
    RouteEstimate unseen = estimates.estimate(new RouteKey("sinch", "DE", Channel.SMS), 10);
    assertThat(unseen.level()).isEqualTo(Level.PRIOR);
    assertThat(unseen.reach()).isEqualTo(Priors.DEFAULT.reach());
    assertThat(unseen.acceptance()).isEqualTo(Priors.DEFAULT.acceptance());
  }

  @Test
  void theReportSaysWhichEvidenceEachRouteRestsOnAndStatesTheAssumptions() {
    WhatIfReplay.Result result = replay(recording, table("vonage", "twilio"), settings(false, 1));

    assertThat(result.triesByLevel().get(VONAGE)).containsKeys(Level.HOUR, Level.RANGE);
    String report = ReplayReport.format(result, "healthy-first.json");
    assertThat(report).contains("What-if replay of 2026-11-30T10:00:00Z .. 2026-11-30T13:00:00Z: 1080 verifications")
        .contains("table healthy-first.json; scores off (the table's order); failover window 30s")
        .containsPattern("DE\\s+1080\\s+")
        .containsPattern("all\\s+1080\\s+")
        .containsPattern("vonage\\|DE\\|SMS\\s+hour\\s+\\d+\\s+range\\s+[1-9]\\d*\\s+prior\\s+0")
        .containsPattern("DE\\s+engagement 0\\.\\d\\d \\(estimated\\)  late presence 0.60 \\(prior\\)")
        .endsWith(ReplayReport.ASSUMPTIONS);
  }

  @Test
  void aTableNamingAProviderNeverRecordedIsRefused() {
    assertThatThrownBy(() -> replay(recording, table("sinch", "twilio"), settings(false, 1)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("names [sinch], with no recorded try between 2026-11-30T10:00:00Z and 2026-11-30T13:00:00Z")
        .hasMessageContaining("recorded providers: [twilio, vonage]");
  }

  @Test
  void aRangeWithoutVerificationsIsRefused() {
    Recording later = new Recording(END.plusSeconds(3600), END.plusSeconds(7200), recording.events(), recording.sends(),
        recording.receipts(), List.of());

    assertThatThrownBy(() -> replay(later, table("twilio"), settings(false, 1)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("no verification started between 2026-11-30T14:00:00Z and 2026-11-30T15:00:00Z");
  }

  @Test
  void aBackwardRangeIsRefused() {
    Recording backwards = new Recording(END, START, recording.events(), recording.sends(), recording.receipts(), List.of());

    assertThatThrownBy(() -> replay(backwards, table("twilio"), settings(false, 1)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("must be before --to");
  }

  @Test
  void onlyTheVerificationsStartedInTheRangeAreReplayed() {
    Recording firstHour = new Recording(START, START.plus(Duration.ofHours(1)), recording.events(), recording.sends(),
        recording.receipts(), List.of());

    WhatIfReplay.Result result = replay(firstHour, table("twilio", "vonage"), settings(false, 1));

    assertThat(result.recordedOverall().verifications()).isEqualTo(360);
    assertThat(result.triesByLevel().get(TWILIO).get(Level.HOUR)).isEqualTo(360);
  }

  static WhatIfReplay.Result replay(Recording recording, String tableJson, ReplaySettings settings) {
    TableRoutes table = TableRoutes.of(RoutingTableFile.parse(tableJson, 0, Instant.EPOCH, "test"));
    return new WhatIfReplay(settings).run(recording, table);
  }

  static String table(String... providers) {
    return RecordedWorld.table(providers);
  }

  static ReplaySettings settings(boolean useScores, long seed) {
    return new ReplaySettings(useScores, RecordedWorld.WINDOW, RecordedWorld.EXPIRY, 5,
        CountryChannels.parse("test", "*:sms"), new RouteOrder.Policy(20, 0.0, 0.05, 0.0), 20, seed, Priors.DEFAULT);
  }
}
