package dev.relay.scoring.topology;

import static dev.relay.scoring.testing.Events.accepted;
import static dev.relay.scoring.testing.Events.attempt;
import static dev.relay.scoring.testing.Events.event;
import static dev.relay.scoring.testing.Events.receipt;
import static dev.relay.scoring.testing.Events.rejected;
import static dev.relay.scoring.testing.Events.verified;
import static dev.relay.scoring.testing.ExpectedScore.facts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.relay.schemas.Attempt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.DeadLetter;
import dev.relay.schemas.DeliveryReceipt;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.RouteFact;
import dev.relay.schemas.RouteFactKind;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.VerificationStatus;
import dev.relay.scoring.config.ScoringSettings;
import dev.relay.scoring.model.LatencySketch;
import dev.relay.scoring.testing.ExpectedScore;
import dev.relay.scoring.testing.ScoringDriver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scoring topology on synthetic streams: for each publication the exact records on
 * provider-scores, for each window that closes the exact records on provider-score-history, and
 * then nothing else on either.
 */
class ScoringTopologyTest {

  private static final Instant T0 = at("10:00:00");
  /** Every first send judged at once, so the expected figures are exactly the facts sent (settling: ScoringSettleTopologyTest). */
  private static final ScoringSettings SETTINGS = ScoringSettings.defaults().withCompletionSettle(Duration.ZERO);
  private static final ExpectedScore EXPECTED = new ExpectedScore(SETTINGS);
  private static final String TWILIO_SMS = "twilio|DE|SMS";
  private static final String TWILIO_VOICE = "twilio|DE|VOICE";
  private static final String VONAGE_SMS = "vonage|DE|SMS";

  @TempDir
  Path stateDir;
  private ScoringDriver driver;

  @BeforeEach
  void startDriver() {
    driver = new ScoringDriver(SETTINGS, stateDir);
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  @Test
  void countsTriesAcceptancesAndOnlyFinalReceiptsPerRoute() {
    driver.send(accepted("twilio", "m1", T0.plusSeconds(1)));
    driver.send(rejected("vonage", ErrorCategory.THROTTLED, false, T0.plusSeconds(2)));
    driver.send(accepted("twilio", "m2", T0.plusSeconds(3)));
    driver.send(accepted("twilio", "m3", T0.plusSeconds(4)));
    driver.receipt(receipt("twilio", "m1", DeliveryStatus.QUEUED, T0.plusSeconds(5)));
    driver.receipt(receipt("twilio", "m1", DeliveryStatus.DELIVERED, T0.plusSeconds(6)));
    driver.receipt(receipt("twilio", "m2", DeliveryStatus.UNDELIVERED, T0.plusSeconds(7)));
    driver.receipt(receipt("twilio", "m3", DeliveryStatus.SENT, T0.plusSeconds(8)));
    driver.receipt(receipt("twilio", "m3", DeliveryStatus.DELIVERED_TO_OPERATOR, T0.plusSeconds(9)));

    Instant updatedAt = driver.publish();

    Instant windowEnd = at("10:01:00");
    List<KeyValue<String, ProviderScore>> published = driver.publishedScores();
    assertThat(published).containsExactly(
        KeyValue.pair(TWILIO_SMS, EXPECTED.recent("twilio", Channel.SMS, windowEnd,
            facts().accepted(3).delivered(5_000).undelivered(1), updatedAt)),
        KeyValue.pair(VONAGE_SMS, EXPECTED.recent("vonage", Channel.SMS, windowEnd,
            facts().rejected(1).failover(SendReason.REJECTION), updatedAt)));
    ProviderScore twilio = published.get(0).value;
    assertThat(twilio.getSubmissionRate()).isEqualTo(1.0);
    assertThat(twilio.getDeliveryRate()).isEqualTo(1.0 / 3);
    assertThat(twilio.getCompletionRate()).isEqualTo(0.0);
    assertThat(published.get(1).value.getFailovers()).containsExactly(Map.entry("REJECTION", 1L));
    driver.publish();
    assertNothingMore("nothing changed, nothing published");
  }

  @Test
  void intermediateStatusesNeverCountEvenWhenFlaggedFinal() {
    driver.send(accepted("twilio", "m1", T0));
    for (DeliveryStatus status : List.of(DeliveryStatus.QUEUED, DeliveryStatus.SENT, DeliveryStatus.ACCEPTED,
        DeliveryStatus.BUFFERED, DeliveryStatus.DELIVERED_TO_OPERATOR, DeliveryStatus.UNKNOWN_DELIVERY)) {
      driver.receipt(DeliveryReceipt.newBuilder(
          receipt("twilio", "m1", status, T0.plusSeconds(1))).setFinalStatus(true).build());
    }
    Instant updatedAt = driver.publish();
    assertThat(driver.publishedScores()).containsExactly(KeyValue.pair(TWILIO_SMS,
        EXPECTED.recent("twilio", Channel.SMS, at("10:01:00"), facts().accepted(1), updatedAt)));

    driver.receipt(receipt("twilio", "m1", DeliveryStatus.EXPIRED, T0.plusSeconds(2)));
    updatedAt = driver.publish();
    assertThat(driver.publishedScores()).containsExactly(KeyValue.pair(TWILIO_SMS,
        EXPECTED.recent("twilio", Channel.SMS, at("10:01:00"), facts().accepted(1).undelivered(1), updatedAt)));
    assertNothingMore("");
  }

  @Test
  void aMessageCountsOnceWhateverReceiptsFollowItsFirstFinalOne() {
    driver.send(accepted("twilio", "m1", T0));
    driver.receipt(receipt("twilio", "m1", DeliveryStatus.DELIVERED, T0.plusSeconds(2)));
    driver.receipt(receipt("twilio", "m1", DeliveryStatus.DELIVERED, T0.plusSeconds(3)));
    driver.receipt(receipt("twilio", "m1", DeliveryStatus.UNDELIVERED, T0.plusSeconds(4)));

    Instant updatedAt = driver.publish();

    List<KeyValue<String, ProviderScore>> published = driver.publishedScores();
    assertThat(published).containsExactly(KeyValue.pair(TWILIO_SMS,
        EXPECTED.recent("twilio", Channel.SMS, at("10:01:00"), facts().accepted(1).delivered(2_000), updatedAt)));
    assertThat(published.get(0).value.getTimeToDeliveryP50Millis()).isCloseTo(2000L, within(20L));
    assertNothingMore("");
  }

  @Test
  void aReceiptThatOutrunsItsSendIsCountedWhenTheSendLands() {
    // The vendor echoes the id in another case than the sender reported it.
    driver.receipt(receipt("twilio", "SM0A", DeliveryStatus.DELIVERED, T0.plusSeconds(2)), T0.plusSeconds(2));
    driver.receipt(receipt("twilio", "SM0A", DeliveryStatus.DELIVERED, T0.plusSeconds(2)), T0.plusSeconds(2));
    driver.publish();
    assertNothingMore("a receipt alone names no channel: it waits");

    driver.send(accepted("twilio", "sm0a", T0.plusSeconds(1)), T0.plusSeconds(3));
    Instant updatedAt = driver.publish();

    List<KeyValue<String, ProviderScore>> published = driver.publishedScores();
    assertThat(published).containsExactly(KeyValue.pair(TWILIO_SMS,
        EXPECTED.recent("twilio", Channel.SMS, at("10:01:00"), facts().accepted(1).delivered(1_000), updatedAt)));
    assertThat(published.get(0).value.getTimeToDeliveryP95Millis()).isCloseTo(1000L, within(10L));
    assertNothingMore("");
  }

  @Test
  void aReceiptTakesItsChannelFromTheSend() {
    driver.send(accepted("twilio", Channel.VOICE, "ca1", T0, 15_000L));
    driver.receipt(receipt("twilio", "ca1", DeliveryStatus.DELIVERED, T0.plusSeconds(20)));

    Instant updatedAt = driver.publish();

    assertThat(driver.publishedScores()).containsExactly(KeyValue.pair(TWILIO_VOICE, EXPECTED.recent(
        "twilio", Channel.VOICE, at("10:01:00"), facts().acceptedPriced(1, 15_000).delivered(20_000), updatedAt)));
    assertNothingMore("");
  }

  @Test
  void failoversAreChargedToTheRouteThatFailedAndCompletionsToTheRouteThatDelivered() {
    driver.send(rejected("vonage", ErrorCategory.PROVIDER_ERROR, false, T0));
    driver.send(rejected("vonage", ErrorCategory.INVALID_NUMBER, true, T0.plusSeconds(1)));
    Attempt first = attempt(1, SendReason.INITIAL, "twilio", Channel.SMS, T0);
    Attempt second = attempt(2, SendReason.TIMEOUT, "vonage", Channel.SMS, T0.plusSeconds(30));
    driver.event(event("VE1", VerificationStatus.PENDING, null, "created", List.of(first), T0));
    driver.event(event("VE1", VerificationStatus.PENDING, VerificationStatus.PENDING, "failover:timeout",
        List.of(first, second), T0.plusSeconds(30)));
    List<Attempt> approvedHistory = List.of(first, verified(second, T0.plusSeconds(40)));
    driver.event(event("VE1", VerificationStatus.APPROVED, VerificationStatus.PENDING, "code-approved",
        approvedHistory, T0.plusSeconds(40)));
    // Replayed pending history changes nothing. (A final event is its verification's last, written once by
    // the dispatcher and read once: scoring stores nothing to tell a replay of it, see FactProcessorsTest.)
    driver.event(event("VE1", VerificationStatus.PENDING, VerificationStatus.PENDING, "failover:timeout",
        List.of(first, second), T0.plusSeconds(30)));
    // Every SMS route rejected: the voice fallback blames no accepted route, and completes by voice.
    driver.event(event("VE2", VerificationStatus.APPROVED, VerificationStatus.PENDING, "code-approved", List.of(
        attempt(1, SendReason.INITIAL, null, Channel.SMS, T0),
        attempt(2, SendReason.CHANNEL_FALLBACK, "twilio", Channel.VOICE, T0.plusSeconds(1))), T0.plusSeconds(50)));

    Instant updatedAt = driver.publish();

    Instant windowEnd = at("10:01:00");
    assertThat(driver.publishedScores()).containsExactly(
        KeyValue.pair(TWILIO_SMS, EXPECTED.recent("twilio", Channel.SMS, windowEnd,
            facts().failover(SendReason.TIMEOUT), updatedAt)),
        KeyValue.pair(TWILIO_VOICE, EXPECTED.recent("twilio", Channel.VOICE, windowEnd,
            facts().completed(1), updatedAt)),
        KeyValue.pair(VONAGE_SMS, EXPECTED.recent("vonage", Channel.SMS, windowEnd,
            facts().rejected(2).failover(SendReason.REJECTION).completed(1), updatedAt)));
    assertNothingMore("");
  }

  @Test
  void windowsHopWithStreamTimeAndEachPublishedWindowIsWrittenToTheHistoryWhenItCloses() {
    driver.send(accepted("twilio", "a", at("10:00:10")));
    Instant updatedAt = driver.publish();
    assertThat(driver.publishedScores()).containsExactly(KeyValue.pair(TWILIO_SMS,
        EXPECTED.recent("twilio", Channel.SMS, at("10:01:00"), facts().accepted(1), updatedAt)));
    assertThat(driver.noHistoryWritten()).as("the window is still open").isTrue();

    driver.send(accepted("twilio", "b", at("10:59:30")));
    assertThat(driver.history()).as("stream time passed 10:01: that window is closed").containsExactly(
        KeyValue.pair("twilio|DE|SMS|2026-03-02T10:01:00Z",
            EXPECTED.recent("twilio", Channel.SMS, at("10:01:00"), facts().accepted(1), driver.wallClock())));
    updatedAt = driver.publish();
    assertThat(driver.publishedScores()).containsExactly(KeyValue.pair(TWILIO_SMS,
        EXPECTED.of("twilio", Channel.SMS, at("11:00:00"), facts().accepted(1), facts().accepted(1), updatedAt)));

    // Another route moves stream time past a hop: twilio's window closes, and the next one no longer
    // holds its first try.
    driver.send(accepted("vonage", "c", at("11:00:05")));
    assertThat(driver.history()).containsExactly(KeyValue.pair("twilio|DE|SMS|2026-03-02T11:00:00Z",
        EXPECTED.of("twilio", Channel.SMS, at("11:00:00"), facts().accepted(1), facts().accepted(1), driver.wallClock())));
    updatedAt = driver.publish();
    assertThat(driver.publishedScores()).containsExactly(
        KeyValue.pair(TWILIO_SMS, EXPECTED.recent("twilio", Channel.SMS, at("11:01:00"), facts().accepted(1), updatedAt)),
        KeyValue.pair(VONAGE_SMS, EXPECTED.recent("vonage", Channel.SMS, at("11:01:00"), facts().accepted(1), updatedAt)));

    driver.send(accepted("vonage", "d", at("12:00:30")));
    assertThat(driver.history()).containsExactly(
        KeyValue.pair("twilio|DE|SMS|2026-03-02T11:01:00Z",
            EXPECTED.recent("twilio", Channel.SMS, at("11:01:00"), facts().accepted(1), driver.wallClock())),
        KeyValue.pair("vonage|DE|SMS|2026-03-02T11:01:00Z",
            EXPECTED.recent("vonage", Channel.SMS, at("11:01:00"), facts().accepted(1), driver.wallClock())));
    updatedAt = driver.publish();
    assertThat(driver.publishedScores()).as("twilio's last try aged out: published empty once").containsExactly(
        KeyValue.pair(TWILIO_SMS, EXPECTED.recent("twilio", Channel.SMS, at("12:01:00"), facts(), updatedAt)),
        KeyValue.pair(VONAGE_SMS, EXPECTED.recent("vonage", Channel.SMS, at("12:01:00"), facts().accepted(1), updatedAt)));
    assertThat(driver.routeScore(TWILIO_SMS)).as("and no longer served").isNull();

    // A try older than every window still to be published changes nothing.
    driver.send(accepted("twilio", "late", at("10:30:00")));
    driver.publish();
    assertNothingMore("");

    driver.send(accepted("vonage", "e", at("12:01:30")));
    assertThat(driver.history()).as("twilio's empty window closes like any other").containsExactly(
        KeyValue.pair("twilio|DE|SMS|2026-03-02T12:01:00Z",
            EXPECTED.recent("twilio", Channel.SMS, at("12:01:00"), facts(), driver.wallClock())),
        KeyValue.pair("vonage|DE|SMS|2026-03-02T12:01:00Z",
            EXPECTED.recent("vonage", Channel.SMS, at("12:01:00"), facts().accepted(1), driver.wallClock())));
    updatedAt = driver.publish();
    assertThat(driver.publishedScores()).as("then twilio is forgotten").containsExactly(
        KeyValue.pair(VONAGE_SMS, EXPECTED.recent("vonage", Channel.SMS, at("12:02:00"), facts().accepted(2), updatedAt)));
    driver.publish();
    assertNothingMore("");
  }

  @Test
  void aWindowPublishedSeveralTimesIsWrittenToTheHistoryOnceWithEveryFactThatReachedIt() {
    driver.send(accepted("twilio", "m1", T0.plusSeconds(1)));
    Instant updatedAt = driver.publish();
    assertThat(driver.publishedScores()).containsExactly(KeyValue.pair(TWILIO_SMS,
        EXPECTED.recent("twilio", Channel.SMS, at("10:01:00"), facts().accepted(1), updatedAt)));
    driver.receipt(receipt("twilio", "m1", DeliveryStatus.DELIVERED, T0.plusSeconds(5)));
    updatedAt = driver.publish();
    assertThat(driver.publishedScores()).containsExactly(KeyValue.pair(TWILIO_SMS,
        EXPECTED.recent("twilio", Channel.SMS, at("10:01:00"), facts().accepted(1).delivered(4_000), updatedAt)));
    // Reaches the window after its last publication.
    driver.send(accepted("twilio", "m2", T0.plusSeconds(50)));
    assertThat(driver.noHistoryWritten()).isTrue();

    driver.send(accepted("twilio", "m3", at("10:01:10")));

    assertThat(driver.history()).containsExactly(KeyValue.pair("twilio|DE|SMS|2026-03-02T10:01:00Z",
        EXPECTED.recent("twilio", Channel.SMS, at("10:01:00"), facts().accepted(2).delivered(4_000), driver.wallClock())));
    updatedAt = driver.publish();
    assertThat(driver.publishedScores()).containsExactly(KeyValue.pair(TWILIO_SMS,
        EXPECTED.recent("twilio", Channel.SMS, at("10:02:00"), facts().accepted(3).delivered(4_000), updatedAt)));
    driver.publish();
    assertNothingMore("");
  }

  @Test
  void aFactThatJumpsFarAheadClosesTheOpenWindowWithAllItsPanes() {
    driver.send(accepted("twilio", "m1", at("10:00:10")));
    driver.send(accepted("twilio", "m2", at("10:40:10")));
    Instant updatedAt = driver.publish();
    ProviderScore open = EXPECTED.of("twilio", Channel.SMS, at("10:41:00"), facts().accepted(1), facts().accepted(1), updatedAt);
    assertThat(driver.publishedScores()).containsExactly(KeyValue.pair(TWILIO_SMS, open));

    // 49 hops at once: storing this fact first would expire the pane of m1 before the window closes.
    driver.send(accepted("twilio", "m3", at("11:30:00")));

    assertThat(driver.history()).containsExactly(KeyValue.pair("twilio|DE|SMS|2026-03-02T10:41:00Z", open));
    updatedAt = driver.publish();
    assertThat(driver.publishedScores()).containsExactly(KeyValue.pair(TWILIO_SMS,
        EXPECTED.of("twilio", Channel.SMS, at("11:31:00"), facts().accepted(1), facts().accepted(1), updatedAt)));
    driver.publish();
    assertNothingMore("");
  }

  @Test
  void theShortWindowHoldsTheLastMinutesAndTheScoreWeighsThemAgainstTheRest() {
    for (int i = 0; i < 3; i++) {
      driver.send(accepted("twilio", "old" + i, at("10:00:30").plusSeconds(i)));
    }
    driver.send(rejected("twilio", ErrorCategory.THROTTLED, true, at("10:54:00")));
    driver.send(rejected("twilio", ErrorCategory.THROTTLED, true, at("10:54:30")));
    Instant updatedAt = driver.publish();

    List<KeyValue<String, ProviderScore>> published = driver.publishedScores();
    assertThat(published).containsExactly(KeyValue.pair(TWILIO_SMS,
        EXPECTED.of("twilio", Channel.SMS, at("10:55:00"), facts().accepted(3), facts().rejected(2), updatedAt)));
    ProviderScore score = published.get(0).value;
    assertThat(score.getWindowStart()).isEqualTo(at("09:55:00"));
    assertThat(score.getWindowEnd()).isEqualTo(at("10:55:00"));
    assertThat(score.getTried()).isEqualTo(5);
    assertThat(score.getAccepted()).isEqualTo(3);
    assertThat(score.getSubmissionRate()).isEqualTo(0.6);
    assertThat(score.getShortWindow().getStart()).isEqualTo(at("10:50:00"));
    assertThat(score.getShortWindow().getEnd()).isEqualTo(at("10:55:00"));
    assertThat(score.getShortWindow().getTried()).isEqualTo(2);
    assertThat(score.getShortWindow().getAccepted()).isZero();
    assertThat(score.getShortWindow().getSubmissionRate()).isEqualTo(0.0);
    // k = 20 samples of prior 0.95: baseline (3 + 20 · 0.95) / 23 = 22/23; short window (0 + 20 · 22/23) / 22.
    assertThat(score.getScoreParts().getReach()).isCloseTo(20.0 / 23, within(1e-12));
    assertNothingMore("");
  }

  @Test
  void timeToDeliveryQuantilesCostsAndCompletionRateOverAWindow() {
    Instant start = at("10:00:00");
    for (int i = 1; i <= 100; i++) {
      String id = "m" + i;
      Instant sentAt = start.plusSeconds(i);
      driver.send(accepted("twilio", Channel.SMS, id, sentAt, 7_000L));
      driver.receipt(receipt("twilio", id, DeliveryStatus.DELIVERED, sentAt.plusMillis(100L * i)), sentAt.plusSeconds(1));
      if (i % 2 == 0) {
        Attempt sent = attempt(1, SendReason.INITIAL, "twilio", Channel.SMS, sentAt);
        driver.event(event("VE" + i, VerificationStatus.APPROVED, VerificationStatus.PENDING, "code-approved",
            List.of(verified(sent, sentAt.plusSeconds(2))), sentAt.plusSeconds(2)));
      }
    }
    Instant updatedAt = driver.publish();

    List<KeyValue<String, ProviderScore>> published = driver.publishedScores();
    long[] timesToDelivery = LongStream.rangeClosed(1, 100).map(i -> 100 * i).toArray();
    assertThat(published).containsExactly(KeyValue.pair(TWILIO_SMS, EXPECTED.recent("twilio", Channel.SMS,
        at("10:02:00"), facts().acceptedPriced(100, 7_000).delivered(timesToDelivery).completed(50), updatedAt)));
    ProviderScore score = published.get(0).value;
    // Exact lower-rank quantiles of 100, 200, ... 10,000 ms: p50 = 5,000, p95 = 9,500.
    assertThat(score.getTimeToDeliveryP50Millis()).isCloseTo(5_000L, within((long) (5_000 * LatencySketch.RELATIVE_ACCURACY)));
    assertThat(score.getTimeToDeliveryP95Millis()).isCloseTo(9_500L, within((long) (9_500 * LatencySketch.RELATIVE_ACCURACY)));
    assertThat(score.getDeliveryRate()).isEqualTo(1.0);
    assertThat(score.getCompleted()).isEqualTo(50);
    assertThat(score.getCompletionRate()).isEqualTo(0.5);
    assertThat(score.getSpentMicros()).isEqualTo(700_000);
    assertThat(score.getCostPerMessageMicros()).isEqualTo(7_000);
    assertThat(score.getCostPerSuccessMicros()).isEqualTo(14_000);
    assertThat(score.getShortWindow().getCostPerSuccessMicros()).isEqualTo(14_000);
    assertNothingMore("");
  }

  @Test
  void recordsThatCannotBeReadOrScoredGoToDeadLettersAndTheRestIsScored() {
    driver.rawRouteFact(TWILIO_SMS, "not avro".getBytes(StandardCharsets.UTF_8), T0);
    driver.routeFact("bad|provider|DE|SMS", RouteFact.newBuilder().setKind(RouteFactKind.TRIED).setAccepted(true)
        .setVerificationId("VE1").setAttempt(1).build(), T0.plusSeconds(1));
    driver.send(accepted("twilio", "m1", T0.plusSeconds(2)));

    Instant updatedAt = driver.publish();

    List<KeyValue<byte[], DeadLetter>> letters = driver.deadLetters();
    assertThat(letters).hasSize(2);
    DeadLetter undecodable = letters.get(0).value;
    assertThat(new String(letters.get(0).key, StandardCharsets.UTF_8)).isEqualTo(TWILIO_SMS);
    assertThat(undecodable.getSourceTopic()).isEqualTo(driver.topics.routeFacts.name());
    assertThat(undecodable.getOffset()).isZero();
    assertThat(undecodable.getErrorClass()).isEqualTo("org.apache.kafka.common.errors.SerializationException");
    assertThat(undecodable.getApplication()).isEqualTo("scoring-test");
    DeadLetter unscorable = letters.get(1).value;
    assertThat(unscorable.getOffset()).isEqualTo(1);
    assertThat(unscorable.getErrorClass()).isEqualTo(IllegalArgumentException.class.getName());
    assertThat(unscorable.getValue()).isNotNull();
    assertThat(driver.publishedScores()).containsExactly(KeyValue.pair(TWILIO_SMS,
        EXPECTED.recent("twilio", Channel.SMS, at("10:01:00"), facts().accepted(1), updatedAt)));
    assertNothingMore("");
  }

  @Test
  void theRouteMarksAreWrittenAboutOnceASecondNotOncePerFact() {
    // 190 messages on one route, each sent (its result 150 ms after the start) and delivered 200 ms after
    // the start: 380 inputs and as many facts, all within the first 10 s.
    for (int message = 0; message < 190; message++) {
      Instant startedAt = T0.plusMillis(50L * message);
      driver.send(accepted("twilio", "m" + message, startedAt));
      driver.receipt(receipt("twilio", "m" + message, DeliveryStatus.DELIVERED, startedAt.plusMillis(200)));
    }

    // The driver commits after every input, so a store written on every fact shows one record per input.
    assertThat(driver.changelogRecords(ScoringTopology.ROUTE_MARKS_STORE)).isBetween(1, 10);
    driver.publish();
    assertThat(driver.publishedScores()).extracting(entry -> entry.value.getDelivered()).containsExactly(190L);
  }

  private void assertNothingMore(String why) {
    assertThat(driver.noScoresPublished()).as("nothing more on provider-scores. " + why).isTrue();
    assertThat(driver.noHistoryWritten()).as("nothing more on provider-score-history. " + why).isTrue();
  }

  private static Instant at(String timeOfDay) {
    return Instant.parse("2026-03-02T" + timeOfDay + "Z");
  }
}
