package dev.relay.scoring.topology;

import static dev.relay.scoring.testing.Events.accepted;
import static dev.relay.scoring.testing.Events.attempt;
import static dev.relay.scoring.testing.Events.event;
import static dev.relay.scoring.testing.Events.receipt;
import static dev.relay.scoring.testing.Events.rejected;
import static dev.relay.scoring.testing.Events.verified;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.Attempt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.VerificationStatus;
import dev.relay.scoring.config.ScoringSettings;
import dev.relay.scoring.testing.ScoringDriver;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Completion is judged on first sends old enough to have had their codes entered
 * ({@code relay.scoring.completion-settle}). At the production defaults, 4 German verifications a
 * second: twilio first, vonage the backup with one first send in twenty. After seven healthy minutes
 * twilio rejects every request, so every first send fails over to vonage in the same call: vonage's
 * traffic jumps twentyfold, and each of its new messages is delivered and its code entered 5 to 20 s
 * later. Judged at once, the newest of those sends (people still typing) look like a sharp drop of
 * vonage's completion: the healthy backup is demoted just as it carries the whole country.
 */
class SettledCompletionTopologyTest {

  private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
  private static final String TWILIO = "twilio|DE|SMS";
  private static final String VONAGE = "vonage|DE|SMS";
  private static final int PER_SECOND = 4;
  private static final int HEALTHY_SECONDS = 420;
  private static final int OUTAGE_SECONDS = 180;
  private static final Duration TO_RECEIPT = Duration.ofSeconds(3);

  @TempDir
  Path stateDir;

  @Test
  void aBackupTakingOverAfterFastFailoversIsNotDemotedForPeopleStillTyping() {
    ScoringSettings settings = ScoringSettings.defaults();
    assertThat(settings.completionSettle()).as("the shipped settle covers delivery and typing")
        .isGreaterThanOrEqualTo(TO_RECEIPT.plusSeconds(20));

    List<KeyValue<String, ProviderScore>> published = takeover(settings, stateDir.resolve("settled"));

    Instant outage = T0.plusSeconds(HEALTHY_SECONDS);
    assertThat(firstDemotion(published, TWILIO)).as("twilio, rejecting everything, demoted").isNotNull()
        .isAfter(outage);
    assertThat(firstDemotion(published, VONAGE)).as("vonage, delivering every code, never demoted").isNull();
    assertThat(vonageCompletionSince(published, outage)).as("judged only on settled first sends, all completed")
        .isNotEmpty().allSatisfy(rate -> assertThat(rate).isEqualTo(1.0));
    ProviderScore vonage = latest(published, VONAGE);
    assertThat(vonage.getShortWindow().getFirstSends()).as("judged on its takeover traffic").isGreaterThan(400);
    assertThat(vonage.getShortWindow().getFirstCompletionRate()).as("every settled first send completed").isEqualTo(1.0);
    assertThat(vonage.getScore()).isGreaterThan(latest(published, TWILIO).getScore());
  }

  @Test
  void theSameTrafficJudgedAtOnceShowsTheBackupFallingOnCodesStillBeingTyped() {
    // The mechanism the settle guards against: without it, the healthy backup's completion falls.
    ScoringSettings atOnce = ScoringSettings.defaults().withCompletionSettle(Duration.ZERO);

    List<KeyValue<String, ProviderScore>> published = takeover(atOnce, stateDir.resolve("at-once"));

    Instant outage = T0.plusSeconds(HEALTHY_SECONDS);
    assertThat(vonageCompletionSince(published, outage)).as("vonage's completion judged on codes still being typed")
        .anySatisfy(rate -> assertThat(rate).isLessThan(0.7));
    // Demoted for it until 2026-12-04; now its peer's sends are older than its own (twilio's accepted ones all
    // before the outage: SharedDrops#older), so that fall cannot be told from a shared one and waits.
    assertThat(firstDemotion(published, VONAGE)).as("vonage not demoted on a peer's older figures").isNull();
  }

  /** Vonage's first-send completion in its short window, at each publication after {@code from}. */
  private static List<Double> vonageCompletionSince(List<KeyValue<String, ProviderScore>> published, Instant from) {
    return published.stream().filter(entry -> entry.key.equals(VONAGE) && entry.value.getWindowEnd().isAfter(from))
        .map(entry -> entry.value.getShortWindow().getFirstCompletionRate()).toList();
  }

  @Test
  void aFirstSendsCompletionIsJudgedOnlyOnceItIsASettleOld() {
    ScoringSettings settings = ScoringSettings.defaults();
    long hop = settings.windowAdvance().toMillis();
    long windowEnd = T0.toEpochMilli() + hop;
    long settle = settings.completionSettle().toMillis();

    assertThat(settings.judgedWindowEnd(windowEnd, T0.toEpochMilli() + settle - 1))
        .as("a settle into the pane, its sends are not judged yet").isEqualTo(T0.toEpochMilli() - hop);
    assertThat(settings.judgedWindowEnd(windowEnd, T0.toEpochMilli() + settle)).isEqualTo(T0.toEpochMilli());
    assertThat(settings.withCompletionSettle(Duration.ZERO).judgedWindowEnd(windowEnd, T0.toEpochMilli()))
        .isEqualTo(windowEnd);
    assertThat(settings.judgedReach()).as("panes kept behind the long window").isEqualTo(Duration.ofMillis(2 * hop));
  }

  @Test
  void theLastSendsBeforeAQuietSpellAreJudgedOnceItLastedTheSettle() {
    ScoringSettings settings = ScoringSettings.defaults();
    List<Step> steps = new ArrayList<>();
    // Ten minutes of entered codes, then three messages nobody enters, then nothing at all: event time
    // stands still, and only the wall clock tells that their people have had their time.
    Instant last = T0.plusSeconds(600);
    for (int i = 0; i < 60; i++) {
      verification(steps, "VE" + i, T0.plusSeconds(10L * i), "twilio", false, Duration.ofSeconds(5));
    }
    for (int i = 0; i < 3; i++) {
      verification(steps, "VL" + i, last.plusSeconds(i), "twilio", false, null);
    }
    steps.sort(Comparator.comparing(Step::at).thenComparingInt(Step::order));
    try (ScoringDriver driver = new ScoringDriver(settings, stateDir.resolve("quiet"))) {
      steps.forEach(step -> step.input().accept(driver));
      driver.publish();
      ProviderScore justAfter = latest(driver.publishedScores(), TWILIO);
      assertThat(justAfter.getFirstSends() - justAfter.getFirstCompleted()).as("not judged while their people may type")
          .isZero();

      Duration quiet = Duration.ZERO;
      ProviderScore judged = justAfter;
      while (judged.getFirstSends() == judged.getFirstCompleted()) {
        driver.publish();
        quiet = quiet.plus(settings.emitInterval());
        List<KeyValue<String, ProviderScore>> published = driver.publishedScores();
        judged = published.isEmpty() ? judged : latest(published, TWILIO);
        assertThat(quiet).as("judged within the settle and a pane of quiet").isLessThanOrEqualTo(
            settings.completionSettle().plus(settings.windowAdvance()).plus(settings.emitInterval()));
      }
      assertThat(judged.getFirstSends() - judged.getFirstCompleted()).as("the three unanswered sends").isEqualTo(3);
      assertThat(quiet).as("not before the settle").isGreaterThanOrEqualTo(settings.completionSettle());
    }
  }

  /** Seven healthy minutes, then three in which twilio rejects every request; every code is entered. */
  private List<KeyValue<String, ProviderScore>> takeover(ScoringSettings settings, Path dir) {
    SplittableRandom random = new SplittableRandom(16);
    List<Step> steps = new ArrayList<>();
    int verifications = 0;
    for (int second = 0; second < HEALTHY_SECONDS + OUTAGE_SECONDS; second++) {
      boolean outage = second >= HEALTHY_SECONDS;
      for (int i = 0; i < PER_SECOND; i++, verifications++) {
        Instant start = T0.plusSeconds(second).plusMillis(i * 1_000L / PER_SECOND);
        boolean explored = verifications % 20 == 0;
        Duration typing = Duration.ofMillis(random.nextLong(5_000, 20_000));
        verification(steps, "VE" + verifications, start, explored ? "vonage" : "twilio", outage && !explored, typing);
      }
    }
    steps.sort(Comparator.comparing(Step::at).thenComparingInt(Step::order));
    List<KeyValue<String, ProviderScore>> published = new ArrayList<>();
    try (ScoringDriver driver = new ScoringDriver(settings, dir)) {
      Instant nextPublication = T0.plus(settings.emitInterval());
      for (Step step : steps) {
        while (!step.at().isBefore(nextPublication)) {
          driver.publish();
          published.addAll(driver.publishedScores());
          nextPublication = nextPublication.plus(settings.emitInterval());
        }
        step.input().accept(driver);
      }
      driver.publish();
      published.addAll(driver.publishedScores());
    }
    return published;
  }

  /**
   * One verification whose code is entered {@code typing} after its delivery (null: never): through
   * {@code provider}, or, when twilio rejects ({@code failsOver}), through vonage at once in the same call.
   */
  private static void verification(List<Step> steps, String id, Instant start, String provider, boolean failsOver,
      Duration typing) {
    String carrier = failsOver ? "vonage" : provider;
    String message = carrier + "-" + id;
    if (failsOver) {
      SendResult refused = SendResult.newBuilder(rejected("twilio", ErrorCategory.PROVIDER_ERROR, false, start))
          .setVerificationId(id).setIdempotencyKey(id + "-1").build();
      steps.add(new Step(start.plusMillis(150), steps.size(), driver -> driver.send(refused)));
    }
    SendResult sent = SendResult.newBuilder(accepted(carrier, message, start.plusMillis(failsOver ? 150 : 0)))
        .setVerificationId(id).setIdempotencyKey(id + "-1").setTryIndex(failsOver ? 1 : 0).build();
    // The dispatcher takes the accepting try's completion as the attempt's submission.
    Instant sentAt = sent.getCompletedAt();
    steps.add(new Step(sentAt, steps.size(), driver -> driver.send(sent)));
    Instant deliveredAt = start.plus(TO_RECEIPT);
    steps.add(new Step(deliveredAt, steps.size(),
        driver -> driver.receipt(receipt(carrier, message, DeliveryStatus.DELIVERED, deliveredAt))));
    Attempt first = Attempt.newBuilder(attempt(1, SendReason.INITIAL, carrier, Channel.SMS, start))
        .setProviderMessageId(message).setSubmittedAt(sentAt).build();
    if (typing == null) {
      return;
    }
    Instant enteredAt = deliveredAt.plus(typing);
    steps.add(new Step(enteredAt, steps.size(), driver -> driver.event(event(id, VerificationStatus.APPROVED,
        VerificationStatus.PENDING, "code-approved", List.of(verified(first, enteredAt)), enteredAt))));
  }

  /** One input record at its event time. */
  private record Step(Instant at, int order, java.util.function.Consumer<ScoringDriver> input) {}

  private static Instant firstDemotion(List<KeyValue<String, ProviderScore>> published, String route) {
    return published.stream()
        .filter(entry -> entry.key.equals(route) && entry.value.getDemoted())
        .map(entry -> entry.value.getWindowEnd())
        .findFirst().orElse(null);
  }

  private static ProviderScore latest(List<KeyValue<String, ProviderScore>> published, String route) {
    return published.stream().filter(entry -> entry.key.equals(route)).reduce((a, b) -> b).orElseThrow().value;
  }
}
