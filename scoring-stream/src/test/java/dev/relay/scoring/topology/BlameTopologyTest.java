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
import dev.relay.scoring.config.ScoringSettings;
import dev.relay.scoring.testing.EventTimeInputs;
import dev.relay.scoring.testing.ScoringDriver;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16's scenario at the production defaults (1 h window, 5 min short window, 1 min hop, 10 s
 * publication): 8 German verifications a second, people who give up after 15 s, twilio first and
 * vonage the backup that gets one first send in twenty (exploration) and the failovers, which leave
 * after the 30 s delivery window, when their people have long given up. Two healthy minutes, then
 * twilio silently drops half of its messages for three.
 */
class BlameTopologyTest {

  private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
  private static final String TWILIO = "twilio|DE|SMS";
  private static final String VONAGE = "vonage|DE|SMS";
  private static final int PER_SECOND = 8;
  private static final Duration DELIVERY_WINDOW = Duration.ofSeconds(30);
  private static final Duration PATIENCE = Duration.ofSeconds(15);

  @TempDir
  Path stateDir;
  private ScoringDriver driver;
  private final EventTimeInputs inputs = new EventTimeInputs();
  private final SplittableRandom random = new SplittableRandom(16);
  private int verifications;


  @BeforeEach
  void start() {
    driver = new ScoringDriver(ScoringSettings.defaults(), stateDir);
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  @Test
  void aSilentHalfDropDemotesTheDroppingRouteNotTheBackupThatOnlyGetsLateFailovers() {
    int healthySeconds = 120;
    int faultSeconds = 240;
    for (int second = 0; second < healthySeconds + faultSeconds; second++) {
      boolean fault = second >= healthySeconds;
      for (int i = 0; i < PER_SECOND; i++) {
        Instant start = T0.plusSeconds(second).plusMillis(i * 1_000L / PER_SECOND);
        boolean explored = verifications % 20 == 0;
        boolean lost = fault && !explored && random.nextBoolean();
        verification(start, explored ? "vonage" : "twilio", lost, true);
      }
    }
    List<KeyValue<String, ProviderScore>> published = run(healthySeconds + faultSeconds + 40);

    Instant faultStart = T0.plusSeconds(healthySeconds);
    assertThat(standingAt(published, TWILIO, faultStart)).as("healthy twilio is not demoted before the fault").isFalse();
    Instant twilioDemotedAt = firstDemotion(published, TWILIO, faultStart);
    assertThat(twilioDemotedAt).as("twilio demoted during the fault").isNotNull().isAfter(faultStart);
    // Against the 5 min short window a half drop needs about three of its minutes to show 30 points.
    // Window ends are pane ends: a publication's window end is up to one hop after its stream time.
    Duration hop = ScoringSettings.defaults().windowAdvance();
    assertThat(Duration.between(faultStart, twilioDemotedAt)).as("time to demote")
        .isLessThanOrEqualTo(Duration.ofSeconds(faultSeconds).plus(hop));
    assertThat(firstDemotion(published, VONAGE, T0)).as("vonage, the healthy backup, never demoted").isNull();
    assertThat(latest(published, TWILIO).getDemoted()).as("twilio still demoted at the end of the fault").isTrue();
    ProviderScore vonage = latest(published, VONAGE);
    ProviderScore twilio = latest(published, TWILIO);
    assertThat(vonage.getFailovers()).as("its late failovers are not charged to it").isEmpty();
    assertThat(vonage.getShortWindow().getAccepted()).isGreaterThan(vonage.getShortWindow().getFirstSends());
    assertThat(twilio.getFailovers().get("TIMEOUT")).isPositive();
    assertThat(twilio.getShortWindow().getUndelivered()).as("silently lost messages count once their window passed")
        .isPositive();
    assertThat(vonage.getScore()).as("demoted or not, the order follows who delivers").isGreaterThan(twilio.getScore());
    assertThat(driver.alerts()).filteredOn(alert -> alert.getKind() == AlertKind.DROP)
        .extracting(ProviderAlert::getProvider).containsOnly("twilio");
  }

  @Test
  void aDropEveryRouteOfTheCountrySharesDemotesNothingAndIsAlertedAsDemandSide() {
    // Both routes carry first sends (one in two to vonage); then, for three minutes, people enter only
    // one code in four, whichever route delivered it.
    // Six healthy minutes give each route a baseline outside the short window; 3 a second is enough.
    int healthySeconds = 360;
    int dropSeconds = 180;
    int perSecond = 3;
    for (int second = 0; second < healthySeconds + dropSeconds; second++) {
      boolean drop = second >= healthySeconds;
      for (int i = 0; i < perSecond; i++) {
        Instant start = T0.plusSeconds(second).plusMillis(i * 1_000L / perSecond);
        String provider = verifications % 2 == 0 ? "vonage" : "twilio";
        verification(start, provider, false, !(drop && random.nextInt(4) != 0));
      }
    }
    List<KeyValue<String, ProviderScore>> published = run(healthySeconds + dropSeconds + 10);

    // From the first publication on: sends whose codes nobody could have entered yet are not judged.
    assertThat(firstDemotion(published, TWILIO, T0)).isNull();
    assertThat(firstDemotion(published, VONAGE, T0)).isNull();
    assertThat(published).extracting(entry -> entry.value.getSharedDrop()).contains(SharedDrops.COUNTRY);
    List<ProviderAlert> alerts = driver.alerts();
    assertThat(alerts).filteredOn(alert -> alert.getMetric() == AlertMetric.COMPLETION_RATE)
        .isNotEmpty()
        .allSatisfy(alert -> {
          assertThat(alert.getKind()).isEqualTo(AlertKind.DEMAND_SIDE_DROP);
          assertThat(alert.getScope()).isEqualTo("country DE, SMS");
        });
  }

  /**
   * One verification: its first send through {@code provider}; a lost message gets no receipt, and
   * after the delivery window its failover through vonage is delivered, to a person who left.
   */
  private void verification(Instant start, String provider, boolean lost, boolean entered) {
    String id = "VE" + verifications++;
    String message = provider + "-" + id;
    SendResult first = SendResult.newBuilder(accepted(provider, message, start)).setVerificationId(id).build();
    Attempt firstAttempt = Attempt.newBuilder(attempt(1, SendReason.INITIAL, provider, Channel.SMS, start))
        .setProviderMessageId(message).build();
    at(start.plusMillis(150), () -> driver.send(first));
    if (!lost) {
      at(start.plusSeconds(3), () -> driver.receipt(receipt(provider, message, DeliveryStatus.DELIVERED, start.plusSeconds(3))));
      if (entered) {
        Instant enteredAt = start.plusSeconds(10);
        at(enteredAt, () -> driver.event(event(id, VerificationStatus.APPROVED, VerificationStatus.PENDING, "code-approved",
            List.of(verified(firstAttempt, enteredAt)), enteredAt)));
      }
      return;
    }
    Instant failoverAt = start.plus(DELIVERY_WINDOW);
    assertThat(failoverAt).isAfter(start.plus(PATIENCE));
    String backupMessage = "vonage-" + id + "-2";
    Attempt failover = Attempt.newBuilder(attempt(2, SendReason.TIMEOUT, "vonage", Channel.SMS, failoverAt))
        .setProviderMessageId(backupMessage).build();
    at(failoverAt, () -> driver.event(event(id, VerificationStatus.PENDING, VerificationStatus.PENDING, "failover:timeout",
        List.of(firstAttempt, failover), failoverAt)));
    SendResult second = SendResult.newBuilder(accepted("vonage", backupMessage, failoverAt))
        .setVerificationId(id).setAttempt(2).setIdempotencyKey(id + "-2").build();
    at(failoverAt.plusMillis(150), () -> driver.send(second));
    at(failoverAt.plusSeconds(3), () -> driver.receipt(
        receipt("vonage", backupMessage, DeliveryStatus.DELIVERED, failoverAt.plusSeconds(3))));
  }

  private void at(Instant at, Runnable input) {
    inputs.at(at, input);
  }

  private List<KeyValue<String, ProviderScore>> run(int seconds) {
    return inputs.run(driver, T0, ScoringSettings.defaults().emitInterval(), T0.plusSeconds(seconds));
  }

  /** The window end of the route's first publication as demoted after {@code from}, null if none. */
  private static Instant firstDemotion(List<KeyValue<String, ProviderScore>> published, String route, Instant from) {
    return published.stream().filter(entry -> entry.key.equals(route) && entry.value.getDemoted()
            && entry.value.getWindowEnd().isAfter(from))
        .map(entry -> entry.value.getWindowEnd()).findFirst().orElse(null);
  }

  /** The route's standing in its last publication with a window ending by {@code at}. */
  private static boolean standingAt(List<KeyValue<String, ProviderScore>> published, String route, Instant at) {
    return published.stream().filter(entry -> entry.key.equals(route) && !entry.value.getWindowEnd().isAfter(at))
        .reduce((first, second) -> second).orElseThrow().value.getDemoted();
  }

  private static ProviderScore latest(List<KeyValue<String, ProviderScore>> published, String route) {
    ProviderScore latest = null;
    for (KeyValue<String, ProviderScore> entry : published) {
      if (entry.key.equals(route)) {
        latest = entry.value;
      }
    }
    assertThat(latest).as("a score published for %s", route).isNotNull();
    return latest;
  }
}
