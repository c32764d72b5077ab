package dev.relay.scoring.topology;

import static dev.relay.scoring.testing.Events.accepted;
import static dev.relay.scoring.testing.Events.attempt;
import static dev.relay.scoring.testing.Events.event;
import static dev.relay.scoring.testing.Events.receipt;
import static dev.relay.scoring.testing.Events.rejected;
import static dev.relay.scoring.testing.Events.verified;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.relay.schemas.Attempt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.DeadLetter;
import dev.relay.schemas.DeliveryReceipt;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.VerificationStatus;
import dev.relay.scoring.config.ScoringSettings;
import dev.relay.scoring.model.LatencySketch;
import dev.relay.scoring.model.RouteScore;
import dev.relay.scoring.model.RouteStats;
import dev.relay.scoring.model.ScoreFact;
import dev.relay.scoring.score.ScoreFormula;
import dev.relay.scoring.testing.ScoringDriver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scoring topology on synthetic streams: exact records on provider-scores for each publication,
 * then nothing else; the figures behind them from the score store.
 */
class ScoringTopologyTest {

  private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
  private static final ScoringSettings SETTINGS = ScoringSettings.defaults();
  private static final String TWILIO_SMS = "twilio|DE|SMS";
  private static final String TWILIO_VOICE = "twilio|DE|VOICE";
  private static final String VONAGE_SMS = "vonage|DE|SMS";

  @TempDir
  Path stateDir;
  private ScoringDriver driver;
  private int publications;

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

    Instant updatedAt = publish();

    Instant windowEnd = T0.plus(Duration.ofMinutes(1));
    assertThat(driver.publishedScores()).containsExactly(
        KeyValue.pair(TWILIO_SMS, score("twilio", Channel.SMS, windowEnd, 3, 3, 1, 1, updatedAt)),
        KeyValue.pair(VONAGE_SMS, score("vonage", Channel.SMS, windowEnd, 1, 0, 0, 0, updatedAt)));
    publish();
    assertThat(driver.noScoresPublished()).as("nothing changed, nothing published").isTrue();
  }

  @Test
  void intermediateStatusesNeverCountEvenWhenFlaggedFinal() {
    driver.send(accepted("twilio", "m1", T0));
    for (DeliveryStatus status : List.of(DeliveryStatus.QUEUED, DeliveryStatus.SENT, DeliveryStatus.ACCEPTED,
        DeliveryStatus.BUFFERED, DeliveryStatus.DELIVERED_TO_OPERATOR, DeliveryStatus.UNKNOWN_DELIVERY)) {
      driver.receipt(DeliveryReceipt.newBuilder(
          receipt("twilio", "m1", status, T0.plusSeconds(1))).setFinalStatus(true).build());
    }
    Instant updatedAt = publish();
    assertThat(driver.publishedScores()).containsExactly(
        KeyValue.pair(TWILIO_SMS, score("twilio", Channel.SMS, T0.plus(Duration.ofMinutes(1)), 1, 1, 0, 0, updatedAt)));

    driver.receipt(receipt("twilio", "m1", DeliveryStatus.EXPIRED, T0.plusSeconds(2)));
    updatedAt = publish();
    assertThat(driver.publishedScores()).containsExactly(
        KeyValue.pair(TWILIO_SMS, score("twilio", Channel.SMS, T0.plus(Duration.ofMinutes(1)), 1, 1, 0, 1, updatedAt)));
    assertThat(driver.noScoresPublished()).isTrue();
  }

  @Test
  void aMessageCountsOnceWhateverReceiptsFollowItsFirstFinalOne() {
    driver.send(accepted("twilio", "m1", T0));
    driver.receipt(receipt("twilio", "m1", DeliveryStatus.DELIVERED, T0.plusSeconds(2)));
    driver.receipt(receipt("twilio", "m1", DeliveryStatus.DELIVERED, T0.plusSeconds(3)));
    driver.receipt(receipt("twilio", "m1", DeliveryStatus.UNDELIVERED, T0.plusSeconds(4)));

    Instant updatedAt = publish();

    assertThat(driver.publishedScores()).containsExactly(
        KeyValue.pair(TWILIO_SMS, score("twilio", Channel.SMS, T0.plus(Duration.ofMinutes(1)), 1, 1, 1, 0, updatedAt)));
    assertThat(driver.routeScore(TWILIO_SMS).window().timeToDeliveryP50Millis()).isCloseTo(2000L, within(20L));
    assertThat(driver.noScoresPublished()).isTrue();
  }

  @Test
  void aReceiptThatOutrunsItsSendIsCountedWhenTheSendLands() {
    // The vendor echoes the id in another case than the sender reported it.
    driver.receipt(receipt("twilio", "SM0A", DeliveryStatus.DELIVERED, T0.plusSeconds(2)), T0.plusSeconds(2));
    driver.receipt(receipt("twilio", "SM0A", DeliveryStatus.DELIVERED, T0.plusSeconds(2)), T0.plusSeconds(2));
    Instant firstPublication = publish();
    assertThat(driver.noScoresPublished()).as("a receipt alone names no channel: it waits").isTrue();

    driver.send(accepted("twilio", "sm0a", T0.plusSeconds(1)), T0.plusSeconds(3));
    Instant updatedAt = publish();

    assertThat(firstPublication).isBefore(updatedAt);
    assertThat(driver.publishedScores()).containsExactly(
        KeyValue.pair(TWILIO_SMS, score("twilio", Channel.SMS, T0.plus(Duration.ofMinutes(1)), 1, 1, 1, 0, updatedAt)));
    assertThat(driver.routeScore(TWILIO_SMS).window().timeToDeliveryP95Millis()).isCloseTo(1000L, within(10L));
    assertThat(driver.noScoresPublished()).isTrue();
  }

  @Test
  void aReceiptTakesItsChannelFromTheSend() {
    driver.send(accepted("twilio", Channel.VOICE, "ca1", T0, 15_000L));
    driver.receipt(receipt("twilio", "ca1", DeliveryStatus.DELIVERED, T0.plusSeconds(20)));

    Instant updatedAt = publish();

    assertThat(driver.publishedScores()).containsExactly(
        KeyValue.pair(TWILIO_VOICE, score("twilio", Channel.VOICE, T0.plus(Duration.ofMinutes(1)), 1, 1, 1, 0, updatedAt)));
    assertThat(driver.noScoresPublished()).isTrue();
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
    // Replayed history changes nothing.
    driver.event(event("VE1", VerificationStatus.APPROVED, VerificationStatus.PENDING, "code-approved",
        approvedHistory, T0.plusSeconds(41)));
    // Every SMS route rejected: the voice fallback blames no accepted route, and completes by voice.
    driver.event(event("VE2", VerificationStatus.APPROVED, VerificationStatus.PENDING, "code-approved", List.of(
        attempt(1, SendReason.INITIAL, null, Channel.SMS, T0),
        attempt(2, SendReason.CHANNEL_FALLBACK, "twilio", Channel.VOICE, T0.plusSeconds(1))), T0.plusSeconds(50)));

    Instant updatedAt = publish();

    Instant windowEnd = T0.plus(Duration.ofMinutes(1));
    assertThat(driver.publishedScores()).containsExactly(
        KeyValue.pair(TWILIO_SMS, score("twilio", Channel.SMS, windowEnd, 0, 0, 0, 0, updatedAt)),
        KeyValue.pair(TWILIO_VOICE, score("twilio", Channel.VOICE, windowEnd, 0, 0, 0, 0, updatedAt)),
        KeyValue.pair(VONAGE_SMS, score("vonage", Channel.SMS, windowEnd, 2, 0, 0, 0, updatedAt)));
    assertThat(driver.routeScore(TWILIO_SMS).window().failovers()).containsExactly(Map.entry("TIMEOUT", 1L));
    assertThat(driver.routeScore(TWILIO_SMS).window().completed()).isZero();
    assertThat(driver.routeScore(VONAGE_SMS).window().failovers()).containsExactly(Map.entry("REJECTION", 1L));
    assertThat(driver.routeScore(VONAGE_SMS).window().completed()).isEqualTo(1);
    assertThat(driver.routeScore(TWILIO_VOICE).window().failovers()).isEmpty();
    assertThat(driver.routeScore(TWILIO_VOICE).window().completed()).isEqualTo(1);
    assertThat(driver.noScoresPublished()).isTrue();
  }

  @Test
  void windowsHopWithStreamTimeAndFactsAgeOut() {
    driver.send(accepted("twilio", "a", Instant.parse("2026-03-02T10:00:10Z")));
    Instant updatedAt = publish();
    assertThat(driver.publishedScores()).containsExactly(KeyValue.pair(TWILIO_SMS,
        score("twilio", Channel.SMS, Instant.parse("2026-03-02T10:01:00Z"), 1, 1, 0, 0, updatedAt)));

    driver.send(accepted("twilio", "b", Instant.parse("2026-03-02T10:59:30Z")));
    updatedAt = publish();
    assertThat(driver.publishedScores()).containsExactly(KeyValue.pair(TWILIO_SMS,
        score("twilio", Channel.SMS, Instant.parse("2026-03-02T11:00:00Z"), 2, 2, 0, 0, updatedAt)));

    // Another route moves stream time past a hop: twilio is published again, without its first try.
    driver.send(accepted("vonage", "c", Instant.parse("2026-03-02T11:00:05Z")));
    updatedAt = publish();
    Instant hopped = Instant.parse("2026-03-02T11:01:00Z");
    assertThat(driver.publishedScores()).containsExactly(
        KeyValue.pair(TWILIO_SMS, score("twilio", Channel.SMS, hopped, 1, 1, 0, 0, updatedAt)),
        KeyValue.pair(VONAGE_SMS, score("vonage", Channel.SMS, hopped, 1, 1, 0, 0, updatedAt)));

    driver.send(accepted("vonage", "d", Instant.parse("2026-03-02T12:00:30Z")));
    updatedAt = publish();
    Instant later = Instant.parse("2026-03-02T12:01:00Z");
    assertThat(driver.publishedScores()).as("twilio's last try aged out: published empty once").containsExactly(
        KeyValue.pair(TWILIO_SMS, score("twilio", Channel.SMS, later, 0, 0, 0, 0, updatedAt)),
        KeyValue.pair(VONAGE_SMS, score("vonage", Channel.SMS, later, 1, 1, 0, 0, updatedAt)));
    assertThat(driver.routeScore(TWILIO_SMS)).as("and forgotten").isNull();

    // A try older than every window still to be published changes nothing.
    driver.send(accepted("twilio", "late", Instant.parse("2026-03-02T10:30:00Z")));
    publish();
    assertThat(driver.noScoresPublished()).isTrue();
  }

  @Test
  void theShortWindowHoldsTheLastMinutesAndTheScoreWeighsThemAgainstTheRest() {
    for (int i = 0; i < 3; i++) {
      driver.send(accepted("twilio", "old" + i, Instant.parse("2026-03-02T10:00:30Z").plusSeconds(i)));
    }
    driver.send(rejected("twilio", ErrorCategory.THROTTLED, true, Instant.parse("2026-03-02T10:54:00Z")));
    driver.send(rejected("twilio", ErrorCategory.THROTTLED, true, Instant.parse("2026-03-02T10:54:30Z")));
    publish();
    driver.publishedScores();

    RouteScore score = driver.routeScore(TWILIO_SMS);
    assertThat(score.window().start()).isEqualTo(Instant.parse("2026-03-02T09:55:00Z"));
    assertThat(score.window().end()).isEqualTo(Instant.parse("2026-03-02T10:55:00Z"));
    assertThat(score.shortWindow().start()).isEqualTo(Instant.parse("2026-03-02T10:50:00Z"));
    assertThat(score.window().tried()).isEqualTo(5);
    assertThat(score.window().accepted()).isEqualTo(3);
    assertThat(score.window().submissionRate()).isEqualTo(0.6);
    assertThat(score.shortWindow().tried()).isEqualTo(2);
    assertThat(score.shortWindow().accepted()).isZero();
    assertThat(score.shortWindow().submissionRate()).isEqualTo(0.0);

    RouteStats baseline = RouteStats.empty();
    for (int i = 0; i < 3; i++) {
      baseline.add(new ScoreFact.Tried(true, OptionalLong.empty()));
    }
    RouteStats recent = RouteStats.empty()
        .add(new ScoreFact.Tried(false, OptionalLong.empty()))
        .add(new ScoreFact.Tried(false, OptionalLong.empty()));
    assertThat(score.score()).isEqualTo(new ScoreFormula(SETTINGS.priorSamples()).evaluate(baseline, recent));
  }

  @Test
  void timeToDeliveryQuantilesCostsAndCompletionRateOverAWindow() {
    Instant start = Instant.parse("2026-03-02T10:00:00Z");
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
    publish();
    driver.publishedScores();

    RouteScore score = driver.routeScore(TWILIO_SMS);
    // Exact lower-rank quantiles of 100, 200, ... 10,000 ms: p50 = 5,000, p95 = 9,500.
    assertThat(score.window().timeToDeliveryP50Millis()).isCloseTo(5_000L, within((long) (5_000 * LatencySketch.RELATIVE_ACCURACY)));
    assertThat(score.window().timeToDeliveryP95Millis()).isCloseTo(9_500L, within((long) (9_500 * LatencySketch.RELATIVE_ACCURACY)));
    assertThat(score.window().deliveryRate()).isEqualTo(1.0);
    assertThat(score.window().completed()).isEqualTo(50);
    assertThat(score.window().completionRate()).isEqualTo(0.5);
    assertThat(score.window().spentMicros()).isEqualTo(700_000);
    assertThat(score.window().costPerMessageMicros()).isEqualTo(7_000);
    assertThat(score.window().costPerSuccessMicros()).isEqualTo(14_000);
  }

  @Test
  void recordsThatCannotBeReadOrScoredGoToDeadLettersAndTheRestIsScored() {
    driver.rawSendResult("+4915112345678", "not avro".getBytes(StandardCharsets.UTF_8), T0);
    driver.send(SendResult.newBuilder(accepted("bad|provider", "x", T0)).build(), T0.plusSeconds(1));
    driver.send(accepted("twilio", "m1", T0.plusSeconds(2)));

    Instant updatedAt = publish();

    List<KeyValue<byte[], DeadLetter>> letters = driver.deadLetters();
    assertThat(letters).hasSize(2);
    DeadLetter undecodable = letters.get(0).value;
    assertThat(new String(letters.get(0).key, StandardCharsets.UTF_8)).isEqualTo("+4915112345678");
    assertThat(undecodable.getSourceTopic()).isEqualTo(driver.topics.sendResults.name());
    assertThat(undecodable.getOffset()).isZero();
    assertThat(undecodable.getErrorClass()).isEqualTo("org.apache.kafka.common.errors.SerializationException");
    assertThat(undecodable.getApplication()).isEqualTo("scoring-test");
    DeadLetter unscorable = letters.get(1).value;
    assertThat(unscorable.getOffset()).isEqualTo(1);
    assertThat(unscorable.getErrorClass()).isEqualTo(IllegalArgumentException.class.getName());
    assertThat(unscorable.getValue()).isNotNull();
    assertThat(driver.publishedScores()).containsExactly(KeyValue.pair(TWILIO_SMS,
        score("twilio", Channel.SMS, T0.plus(Duration.ofMinutes(1)), 1, 1, 0, 0, updatedAt)));
    assertThat(driver.noScoresPublished()).isTrue();
  }

  /** Advances the wall clock one emit interval; returns the time the scores published then carry. */
  private Instant publish() {
    driver.publish();
    publications++;
    return ScoringDriver.WALL_CLOCK_START.plus(SETTINGS.emitInterval().multipliedBy(publications));
  }

  private static ProviderScore score(String provider, Channel channel, Instant windowEnd,
      long tried, long accepted, long delivered, long undelivered, Instant updatedAt) {
    return ProviderScore.newBuilder()
        .setProvider(provider)
        .setCountry("DE")
        .setChannel(channel)
        .setWindowStart(windowEnd.minus(SETTINGS.window()))
        .setWindowEnd(windowEnd)
        .setTried(tried)
        .setAccepted(accepted)
        .setDelivered(delivered)
        .setUndelivered(undelivered)
        .setUpdatedAt(updatedAt)
        .build();
  }
}
