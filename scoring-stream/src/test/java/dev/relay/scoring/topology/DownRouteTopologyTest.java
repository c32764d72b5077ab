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
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.VerificationStatus;
import dev.relay.scoring.testing.EventTimeInputs;
import dev.relay.scoring.testing.ScoringDriver;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The routing study's FR scenario at its time-scaled windows: twilio, first in the table, rejects
 * every try for a minute (its vendor down), each rejection failing over at once to vonage, which
 * delivers. Two verifications a second; twilio gets them all until it is demoted, then a quarter
 * (exploration). Completion counts accepted first sends only, so the demoted twilio still has its
 * completed first sends from before the fault within its evidence's reach: promoted on those, it was
 * demoted again at its next rejections and promoted again, every few seconds, while still down.
 */
class DownRouteTopologyTest {

  private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
  private static final String TWILIO = "twilio|FR|SMS";
  private static final Instant DOWN = T0.plusSeconds(120);
  private static final Instant UP = DOWN.plusSeconds(60);
  private static final Instant END = UP.plusSeconds(90);
  /** When the traffic leaves twilio: it is demoted about this far into its fault (asserted below). */
  private static final Duration ROUTED_AWAY_AFTER = Duration.ofSeconds(30);

  @TempDir
  Path stateDir;
  private ScoringDriver driver;
  private final EventTimeInputs inputs = new EventTimeInputs();
  private int verifications;

  @BeforeEach
  void start() {
    driver = new ScoringDriver(DemandSideDropTopologyTest.TIME_SCALED, stateDir);
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  @Test
  void aRouteThatRejectsEveryTryIsNotPromotedOnItsFirstSendsFromBeforeTheFault() {
    for (Instant start = T0; start.isBefore(END); start = start.plusMillis(500)) {
      int turn = verifications;
      boolean down = !start.isBefore(DOWN) && start.isBefore(UP);
      boolean twilioFirst = start.isBefore(DOWN.plus(ROUTED_AWAY_AFTER)) || turn % 4 == 0;
      if (!twilioFirst) {
        verification(start, "vonage", false);
      } else {
        verification(start, "twilio", down);
      }
    }
    List<KeyValue<String, ProviderScore>> published =
        inputs.run(driver, T0, DemandSideDropTopologyTest.TIME_SCALED.emitInterval(), END.plusSeconds(10));

    Instant demoted = firstWhere(published, DOWN, true);
    assertThat(demoted).as("twilio demoted while down").isNotNull().isBefore(DOWN.plus(ROUTED_AWAY_AFTER));
    assertThat(published).as("never promoted while it still rejects everything")
        .filteredOn(entry -> entry.key.equals(TWILIO) && !entry.value.getDemoted()
            && entry.value.getWindowEnd().isAfter(demoted) && entry.value.getWindowEnd().isBefore(UP))
        .extracting(entry -> "undemoted at " + entry.value.getWindowEnd() + ", score " + entry.value.getScore())
        .isEmpty();
    assertThat(firstWhere(published, UP, false)).as("promoted once it accepts and delivers again").isNotNull()
        .isBefore(END);
  }

  /**
   * One verification: its first send through {@code provider}; when that one rejects (down), the
   * sender fails over to vonage at once, in the same attempt. The delivered code is entered.
   */
  private void verification(Instant start, String provider, boolean rejects) {
    String id = "VE" + verifications++;
    String deliverer = rejects ? "vonage" : provider;
    Instant acceptedAt = start;
    if (rejects) {
      SendResult refused = SendResult.newBuilder(rejected(provider, ErrorCategory.PROVIDER_ERROR, false, start))
          .setVerificationId(id).setIdempotencyKey(id + "-1").setCountry("FR").build();
      at(start.plusMillis(150), () -> driver.send(refused));
      acceptedAt = start.plusMillis(200);
    }
    String message = deliverer + "-" + id;
    SendResult sent = SendResult.newBuilder(accepted(deliverer, message, acceptedAt)).setVerificationId(id)
        .setIdempotencyKey(id + "-1").setCountry("FR").setTryIndex(rejects ? 1 : 0).build();
    at(acceptedAt.plusMillis(150), () -> driver.send(sent));
    Attempt firstAttempt = Attempt.newBuilder(attempt(1, SendReason.INITIAL, deliverer, Channel.SMS, start))
        .setIdempotencyKey(id + "-1").setProviderMessageId(message).build();
    Instant deliveredAt = start.plusSeconds(2);
    at(deliveredAt, () -> driver.receipt(receipt(deliverer, message, DeliveryStatus.DELIVERED, deliveredAt)));
    Instant enteredAt = start.plusSeconds(4);
    at(enteredAt, () -> driver.event(VerificationEvent.newBuilder(event(id, VerificationStatus.APPROVED,
        VerificationStatus.PENDING, "code-approved", List.of(verified(firstAttempt, enteredAt)), enteredAt))
        .setCountry("FR").build()));
  }

  private void at(Instant at, Runnable input) {
    inputs.at(at, input);
  }

  /** The window end of twilio's first publication with that standing after {@code from}, null if none. */
  private static Instant firstWhere(List<KeyValue<String, ProviderScore>> published, Instant from, boolean demoted) {
    return published.stream().filter(entry -> entry.key.equals(TWILIO) && entry.value.getDemoted() == demoted
            && entry.value.getWindowEnd().isAfter(from))
        .map(entry -> entry.value.getWindowEnd()).findFirst().orElse(null);
  }
}
