package dev.relay.scoring.topology;

import static dev.relay.scoring.testing.Events.accepted;
import static dev.relay.scoring.testing.Events.attempt;
import static dev.relay.scoring.testing.Events.event;
import static dev.relay.scoring.testing.Events.verified;
import static dev.relay.scoring.testing.Events.receipt;
import static dev.relay.scoring.testing.Events.rejected;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.Attempt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.VerificationStatus;
import dev.relay.scoring.config.DemotionSettings;
import dev.relay.scoring.config.ScoringSettings;
import dev.relay.scoring.model.RouteScore;
import dev.relay.scoring.testing.ScoringDriver;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scoring owns each route's standing and publishes it with the score: a route rejecting every try
 * is published demoted, stays demoted while its score climbs through the band between the two
 * thresholds, is promoted back only past the higher one, and keeps its standing when its facts age
 * out. Thresholds 0.45 and 0.48 over at least 20 tries, so plain rejections and deliveries (no
 * completions) cross them.
 */
class DemotionTopologyTest {

  private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
  private static final String TWILIO = "twilio|DE|SMS";
  private static final DemotionSettings DEMOTION = new DemotionSettings(0.45, 0.48, 20);
  /**
   * Each step sends its facts at the instant it judges them: every first send judged at once (how long
   * judging waits for people to type is SettledCompletionTopologyTest's).
   */
  private static final ScoringSettings SCORING = ScoringSettings.defaults().withCompletionSettle(Duration.ZERO);

  @TempDir
  Path stateDir;
  private ScoringDriver driver;
  private int messages;

  @BeforeEach
  void startDriver() {
    driver = new ScoringDriver(SCORING, DEMOTION, stateDir);
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  @Test
  void aRouteIsDemotedWithHysteresisAndPromotedBackOnlyPastTheHigherThreshold() {
    for (int i = 0; i < 19; i++) {
      driver.send(rejected("twilio", ErrorCategory.NO_ROUTE, true, T0.plusSeconds(i)));
    }
    driver.publish();
    ProviderScore early = latest(TWILIO);
    assertThat(early.getScore()).isLessThan(DEMOTION.demoteBelow());
    assertThat(early.getDemoted()).as("19 tries are too few to demote").isFalse();

    driver.send(rejected("twilio", ErrorCategory.NO_ROUTE, true, T0.plusSeconds(19)));
    driver.publish();
    ProviderScore demoted = latest(TWILIO);
    assertThat(demoted.getTried()).isEqualTo(20);
    assertThat(demoted.getDemoted()).isTrue();
    RouteScore served = driver.routeScore(TWILIO);
    assertThat(served.demoted()).isTrue();
    assertThat(served.explored()).as("demoted and still tried in the short window").isTrue();

    // Deliveries lift the score a step at a time, through the band between the thresholds.
    List<double[]> steps = new ArrayList<>();
    boolean promoted = false;
    for (int step = 0; step < 100 && !promoted; step++) {
      Instant at = T0.plusSeconds(30 + step);
      String id = "m" + messages++;
      driver.send(accepted("twilio", id, at));
      driver.receipt(receipt("twilio", id, DeliveryStatus.DELIVERED, at.plusMillis(500)));
      driver.publish();
      ProviderScore score = latest(TWILIO);
      steps.add(new double[] {score.getScore(), score.getDemoted() ? 1 : 0});
      promoted = !score.getDemoted();
      assertThat(score.getDemoted()).as("step %s at %s", step, score.getScore())
          .isEqualTo(score.getScore() < DEMOTION.promoteAbove());
    }
    assertThat(promoted).isTrue();
    assertThat(steps).as("a step between the thresholds kept it demoted")
        .anyMatch(step -> step[0] >= DEMOTION.demoteBelow() && step[0] < DEMOTION.promoteAbove() && step[1] == 1);
    assertThat(driver.routeScore(TWILIO).demoted()).isFalse();
    assertThat(driver.routeScore(TWILIO).explored()).isFalse();
  }

  @Test
  void aDemotedRouteWhoseFactsAgeOutStaysDemotedAndUnexplored() {
    for (int i = 0; i < 25; i++) {
      driver.send(rejected("twilio", ErrorCategory.NO_ROUTE, true, T0.plusSeconds(i)));
    }
    driver.publish();
    assertThat(latest(TWILIO).getDemoted()).as("its first publication: a fall not confirmed yet").isFalse();
    driver.publish();
    assertThat(latest(TWILIO).getDemoted()).isTrue();

    // Two hours on, only vonage has traffic: twilio's window empties and it is published once more, empty.
    driver.send(accepted("vonage", "v1", T0.plusSeconds(7_200)));
    driver.publish();
    ProviderScore empty = latest(TWILIO);
    assertThat(empty.getTried()).isZero();
    assertThat(empty.getDemoted()).as("no tries, no evidence of recovery").isTrue();
    RouteScore served = driver.routeScore(TWILIO);
    assertThat(served).as("kept, so the standing survives and the status page shows it").isNotNull();
    assertThat(served.demoted()).isTrue();
    assertThat(served.explored()).isFalse();

    // A few exploration sends later it is still demoted: too few tries to judge.
    for (int i = 0; i < 5; i++) {
      String id = "m" + messages++;
      driver.send(accepted("twilio", id, T0.plusSeconds(7_210 + i)));
      driver.receipt(receipt("twilio", id, DeliveryStatus.DELIVERED, T0.plusSeconds(7_211 + i)));
    }
    driver.publish();
    assertThat(latest(TWILIO).getDemoted()).isTrue();
    assertThat(driver.routeScore(TWILIO).explored()).isTrue();
  }

  @Test
  void aSharpDropOfTheCompletionRateDemotesARouteWhoseScoreIsStillAboveTheThreshold() {
    driver.close();
    // Thresholds low enough that the score alone would not demote the route after the drop below.
    DemotionSettings lenient = new DemotionSettings(0.2, 0.25, 20);
    driver = new ScoringDriver(SCORING, lenient, stateDir.resolve("lenient"));
    // Twenty minutes of codes delivered and entered, then, within the short window, codes delivered
    // that nobody enters: the sign of a route whose messages arrive garbled or too late.
    for (int i = 0; i < 40; i++) {
      deliveredAndEntered(T0.plusSeconds(i * 30L));
    }
    driver.publish();
    assertThat(latest(TWILIO).getDemoted()).isFalse();
    for (int i = 0; i < 19; i++) {
      delivered(T0.plusSeconds(1_500 + i));
    }
    driver.publish();
    assertThat(latest(TWILIO).getDemoted()).as("19 recent sends are too few to call it a drop").isFalse();

    delivered(T0.plusSeconds(1_520));
    driver.publish();
    assertThat(latest(TWILIO).getDemoted()).as("a fall is confirmed by the next publication, its peers' too").isFalse();
    assertThat(driver.alerts()).as("nor alerted before").isEmpty();
    driver.publish();
    ProviderScore dropped = latest(TWILIO);
    assertThat(dropped.getShortWindow().getAccepted()).isEqualTo(20);
    assertThat(dropped.getShortWindow().getCompleted()).isZero();
    assertThat(dropped.getScore()).as("the score alone would keep it").isGreaterThan(lenient.promoteAbove());
    assertThat(dropped.getDemoted()).isTrue();

    // Twenty minutes on the drop is the baseline too (no longer sharp), and codes are entered again:
    // the score is high, so the route is promoted.
    for (int i = 0; i < 20; i++) {
      deliveredAndEntered(T0.plusSeconds(2_700 + i));
    }
    driver.publish();
    assertThat(latest(TWILIO).getDemoted()).as("the first publication after 20 silent minutes keeps the standing")
        .isTrue();
    driver.publish();
    assertThat(latest(TWILIO).getDemoted()).isFalse();
  }

  @Test
  void withNoPeerARouteStillLosingHalfIsNotPromotedOnItsScoreButARecoveredOneIs() {
    driver.close();
    // Thresholds low enough that the score alone would promote a route that still loses half its codes.
    DemotionSettings lenient = new DemotionSettings(0.2, 0.25, 20);
    driver = new ScoringDriver(SCORING, lenient, stateDir.resolve("no-peer"));
    // Twilio alone in DE: 20 healthy minutes, then half its codes lost for 30 minutes, a send every 15 s,
    // published every minute. Within minutes the drop is no longer sharp: its baseline holds the fault too.
    for (int i = 0; i < 40; i++) {
      deliveredAndEntered(T0.plusSeconds(i * 30L));
    }
    driver.publish();
    List<ProviderScore> duringFault = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      Instant at = T0.plusSeconds(1_200 + 15L * i);
      if (i % 2 == 0) {
        deliveredAndEntered(at);
      } else {
        delivered(at);
      }
      if (i % 4 == 3) {
        driver.publish();
        duringFault.add(latest(TWILIO));
      }
    }
    assertThat(duringFault).as("demoted by the drop").anyMatch(ProviderScore::getDemoted);
    List<ProviderScore> afterDemotion = duringFault.subList(
        duringFault.indexOf(duringFault.stream().filter(ProviderScore::getDemoted).findFirst().orElseThrow()),
        duringFault.size());
    assertThat(afterDemotion).as("scores the score alone would promote on")
        .anyMatch(score -> score.getScore() > lenient.promoteAbove());
    assertThat(afterDemotion).as("never promoted while it still loses half").allMatch(ProviderScore::getDemoted);

    // Recovered: every code entered, a send every 5 s for six minutes, published each minute.
    for (int i = 0; i < 72; i++) {
      deliveredAndEntered(T0.plusSeconds(3_000 + 5L * i));
      if (i % 12 == 11) {
        driver.publish();
      }
    }
    assertThat(latest(TWILIO).getDemoted()).as("promoted once its short window shows the recovery").isFalse();
  }

  @Test
  void receiptsThatStopWhilePeopleStillEnterTheirCodesDoNotDemote() {
    for (int i = 0; i < 40; i++) {
      deliveredAndEntered(T0.plusSeconds(i * 30L));
    }
    for (int i = 0; i < 20; i++) {
      Instant at = T0.plusSeconds(1_500 + i);
      String id = "m" + messages++;
      driver.send(accepted("twilio", id, at));
      entered(id, at.plusSeconds(5));
    }
    driver.publish();
    ProviderScore receiptsLost = latest(TWILIO);
    assertThat(receiptsLost.getShortWindow().getDelivered()).isZero();
    assertThat(receiptsLost.getShortWindow().getCompleted()).isEqualTo(20);
    assertThat(receiptsLost.getDemoted()).isFalse();
  }

  private void deliveredAndEntered(Instant at) {
    entered(delivered(at), at.plusSeconds(5));
  }

  private String delivered(Instant at) {
    String id = "m" + messages++;
    driver.send(accepted("twilio", id, at));
    driver.receipt(receipt("twilio", id, DeliveryStatus.DELIVERED, at.plusSeconds(2)));
    return id;
  }

  /** The person enters the code of the message {@code id} (its verification is named after it). */
  private void entered(String id, Instant at) {
    Attempt sent = attempt(1, SendReason.INITIAL, "twilio", Channel.SMS, at.minusSeconds(5));
    driver.event(event("VE" + id, VerificationStatus.APPROVED, VerificationStatus.PENDING, "code-approved",
        List.of(verified(sent, at)), at));
  }

  private ProviderScore latest(String route) {
    ProviderScore latest = null;
    for (KeyValue<String, ProviderScore> published : driver.publishedScores()) {
      if (published.key.equals(route)) {
        latest = published.value;
      }
    }
    assertThat(latest).as("a score published for %s", route).isNotNull();
    return latest;
  }
}
