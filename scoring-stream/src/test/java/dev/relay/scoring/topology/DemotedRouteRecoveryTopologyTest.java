package dev.relay.scoring.topology;

import static dev.relay.scoring.testing.Events.accepted;
import static dev.relay.scoring.testing.Events.attempt;
import static dev.relay.scoring.testing.Events.event;
import static dev.relay.scoring.testing.Events.receipt;
import static dev.relay.scoring.testing.Events.verified;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.AlertKind;
import dev.relay.schemas.AlertMetric;
import dev.relay.schemas.Attempt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.ProviderAlert;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.VerificationStatus;
import dev.relay.scoring.config.AlertSettings;
import dev.relay.scoring.config.DemotionSettings;
import dev.relay.scoring.config.ScoringSettings;
import dev.relay.scoring.score.BetaEvidence;
import dev.relay.scoring.testing.ScoringDriver;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A demoted route gets only exploration sends, and in a small country those are far fewer than a
 * short window's sample minimum: at the production defaults (5 min short window, 20 samples, 1 h
 * window, promotion at 0.95 confidence) a German twilio that exploration tries once a minute holds 5
 * first sends in any short window. Judged on its short window alone it could never recover, however
 * well it delivered. Its evidence reaches back instead, within the long window, to its newest 28 first
 * sends ({@link BetaEvidence#cleanTriesToReach}: as many as it takes, all completed, to come within the
 * recovery points of a perfect peer), so it is promoted back and its drops end once those are clean,
 * and not on fewer.
 */
class DemotedRouteRecoveryTopologyTest {

  private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
  private static final String TWILIO = "twilio|DE|SMS";
  private static final String VONAGE = "vonage|DE|SMS";
  private static final Duration HEALTHY = Duration.ofMinutes(20);
  /** Twilio loses every message from here, at full traffic for three minutes, then as exploration. */
  private static final Instant FAULT = T0.plus(HEALTHY);
  private static final Instant EXPLORED_FROM = FAULT.plus(Duration.ofMinutes(3));
  private static final Instant RECOVERED = FAULT.plus(Duration.ofMinutes(10));
  private static final Duration FULL_TRAFFIC = Duration.ofSeconds(10);
  /** One exploration send a minute: 5 in a 5 min short window, a quarter of the sample minimum. */
  private static final Duration EXPLORATION = Duration.ofMinutes(1);
  private static final Instant END = RECOVERED.plus(Duration.ofMinutes(40));

  @TempDir
  Path stateDir;
  private ScoringDriver driver;
  private final List<Step> steps = new ArrayList<>();
  private int verifications;

  private record Step(Instant at, int order, Runnable input) {}

  @BeforeEach
  void start() {
    driver = new ScoringDriver(ScoringSettings.defaults(), DemotionSettings.defaults(), stateDir);
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  @Test
  void aDemotedRouteTriedFewerTimesThanTheSampleMinimumPerShortWindowRecoversOnItsNewestTries() {
    AlertSettings alerts = AlertSettings.defaults();
    DemotionSettings demotion = DemotionSettings.defaults();
    ScoringSettings settings = ScoringSettings.defaults();
    long evidence = BetaEvidence.cleanTriesToReach(1 - alerts.recoveryPoints() / 100, demotion.promotionConfidence());
    assertThat(evidence).as("clean tries to bound the rate at 0.9 at 0.95").isEqualTo(28);
    long perShortWindow = settings.shortWindow().dividedBy(EXPLORATION);
    assertThat(perShortWindow).as("exploration sends per short window").isLessThan(alerts.minSamples());

    // Vonage, the healthy peer, completes every code throughout: its rate is the yardstick of promotion.
    for (Instant at = T0; at.isBefore(END); at = at.plus(FULL_TRAFFIC)) {
      verification(at.plusSeconds(5), "vonage", false);
    }
    for (Instant at = T0; at.isBefore(EXPLORED_FROM); at = at.plus(FULL_TRAFFIC)) {
      verification(at, "twilio", !at.isBefore(FAULT));
    }
    for (Instant at = EXPLORED_FROM; at.isBefore(END); at = at.plus(EXPLORATION)) {
      verification(at, "twilio", at.isBefore(RECOVERED));
    }
    List<KeyValue<String, ProviderScore>> published = run();
    List<ProviderAlert> raised = driver.alerts();

    Instant demotedAt = firstWhere(published, TWILIO, FAULT, true);
    assertThat(demotedAt).as("twilio demoted in its fault").isNotNull().isBefore(EXPLORED_FROM.plus(settings.windowAdvance()));
    assertThat(firstWhere(published, VONAGE, T0, true)).as("vonage never demoted").isNull();
    List<ProviderAlert> drops = raised.stream()
        .filter(alert -> alert.getKind() == AlertKind.DROP && alert.getProvider().equals("twilio")).toList();
    assertThat(drops).extracting(ProviderAlert::getMetric)
        .containsExactlyInAnyOrder(AlertMetric.DELIVERY_RATE, AlertMetric.COMPLETION_RATE);

    // The 28 newest first sends are all clean once the 28th exploration after the recovery is in; each
    // is completed within its pane, and the windows end at pane ends: one hop more, and one to publish;
    // completion is judged on sends a settle old, in windows up to that reach behind.
    Instant cleanEvidence = RECOVERED.plus(EXPLORATION.multipliedBy(evidence - 1));
    Instant bound = cleanEvidence.plus(settings.windowAdvance().multipliedBy(2)).plus(settings.judgedReach());
    Instant promotedAt = firstWhere(published, TWILIO, demotedAt, false);
    assertThat(promotedAt).as("twilio promoted back on its exploration sends").isNotNull().isBefore(bound);
    // Not on a few lucky tries: with 20 clean of the newest 28 the posterior's bound is far below 0.9.
    assertThat(promotedAt).isAfter(RECOVERED.plus(EXPLORATION.multipliedBy(alerts.minSamples())));
    ProviderScore promoted = publishedAt(published, TWILIO, promotedAt);
    assertThat(promoted.getShortWindow().getFirstSends()).as("judged on its newest tries").isGreaterThanOrEqualTo(evidence);
    assertThat(promoted.getShortWindow().getStart()).as("reaching back past the short window")
        .isBefore(promoted.getWindowEnd().minus(settings.shortWindow()));

    for (ProviderAlert drop : drops) {
      ProviderAlert recovery = raised.stream()
          .filter(alert -> alert.getKind() == AlertKind.RECOVERY && alert.getAlertId().equals(drop.getAlertId()))
          .findFirst().orElse(null);
      assertThat(recovery).as("%s recovered", drop.getMetric()).isNotNull();
      assertThat(recovery.getWindowEnd()).as("%s recovered only after the fault", drop.getMetric()).isAfter(RECOVERED);
      assertThat(recovery.getWindowEnd()).isBefore(bound);
    }
  }

  /** One verification whose first send goes through {@code provider}: lost, or delivered and entered. */
  private void verification(Instant start, String provider, boolean lost) {
    String id = "VE" + verifications++;
    String message = provider + "-" + id;
    SendResult first = SendResult.newBuilder(accepted(provider, message, start)).setVerificationId(id).build();
    at(start.plusMillis(150), () -> driver.send(first));
    if (lost) {
      return;
    }
    Attempt firstAttempt = Attempt.newBuilder(attempt(1, SendReason.INITIAL, provider, Channel.SMS, start))
        .setProviderMessageId(message).build();
    at(start.plusSeconds(2), () -> driver.receipt(receipt(provider, message, DeliveryStatus.DELIVERED, start.plusSeconds(2))));
    Instant enteredAt = start.plusSeconds(4);
    at(enteredAt, () -> driver.event(event(id, VerificationStatus.APPROVED, VerificationStatus.PENDING, "code-approved",
        List.of(verified(firstAttempt, enteredAt)), enteredAt)));
  }

  private void at(Instant at, Runnable input) {
    steps.add(new Step(at, steps.size(), input));
  }

  /** Pipes every input in event-time order, publishing every emit interval of event time. */
  private List<KeyValue<String, ProviderScore>> run() {
    steps.sort(Comparator.comparing(Step::at).thenComparingInt(Step::order));
    List<KeyValue<String, ProviderScore>> published = new ArrayList<>();
    Duration emit = ScoringSettings.defaults().emitInterval();
    Instant nextPublication = T0.plus(emit);
    for (Step step : steps) {
      while (!step.at().isBefore(nextPublication)) {
        driver.publish();
        published.addAll(driver.publishedScores());
        nextPublication = nextPublication.plus(emit);
      }
      step.input().run();
    }
    driver.publish();
    published.addAll(driver.publishedScores());
    return published;
  }

  /** The window end of the route's first publication with that standing after {@code from}, null if none. */
  private static Instant firstWhere(List<KeyValue<String, ProviderScore>> published, String route, Instant from,
      boolean demoted) {
    return published.stream().filter(entry -> entry.key.equals(route) && entry.value.getDemoted() == demoted
            && entry.value.getWindowEnd().isAfter(from))
        .map(entry -> entry.value.getWindowEnd()).findFirst().orElse(null);
  }

  private static ProviderScore publishedAt(List<KeyValue<String, ProviderScore>> published, String route, Instant windowEnd) {
    return published.stream().filter(entry -> entry.key.equals(route) && entry.value.getWindowEnd().equals(windowEnd)
        && !entry.value.getDemoted()).findFirst().orElseThrow().value;
  }
}
