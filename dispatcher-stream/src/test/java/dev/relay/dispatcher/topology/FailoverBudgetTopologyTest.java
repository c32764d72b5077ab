package dev.relay.dispatcher.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.schemas.RequestAction;
import dev.relay.schemas.SendCommand;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.VerificationStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failovers cost money like starts: a number that accepts every message and never confirms delivery
 * (a pumped number, or one whose operator drops receipts) must not turn starts into more paid sends
 * than the number's budget allows, however long someone keeps starting, with every route and voice
 * fallback open. The clock is the test driver's wall clock.
 */
class FailoverBudgetTopologyTest {

  private static final Duration STEP = Duration.ofSeconds(5);
  private static final Duration RUN = Duration.ofHours(3);
  private static final Duration START_EVERY = Duration.ofMinutes(1);

  @TempDir
  Path stateDir;

  private DispatcherTestBed bed;

  @AfterEach
  void tearDown() {
    bed.close();
  }

  @Test
  void aNumberThatNeverConfirmsDeliveryGetsNoMoreSendsThanItsBudget() {
    bed = new DispatcherTestBed(stateDir, Map.of(
        "relay.limits.per-number", "5/10m,10/1d",
        // No network share: the attacker here uses a fresh network for every start.
        "relay.limits.per-number-per-network", "",
        DispatcherConfig.VOICE_FALLBACK_COUNTRIES.name(), "*"));
    List<Instant> sends = new ArrayList<>();
    List<SendReason> reasons = new ArrayList<>();
    Instant nextStart = bed.now();
    int started = 0;
    Instant end = bed.now().plus(RUN);
    while (bed.now().isBefore(end)) {
      if (!bed.now().isBefore(nextStart)) {
        bed.request(RequestAction.START, "pump-" + started, DispatcherTestBed.NUMBER, "203.0." + started % 250 + ".7", null);
        started++;
        nextStart = nextStart.plus(START_EVERY);
      }
      // The vendor takes every message; no receipt ever says delivered, so every window closes.
      for (SendCommand command : bed.commands.readValuesToList()) {
        sends.add(bed.now());
        reasons.add(command.getReason());
        bed.accepted(command, 0, "m-" + command.getVerificationId() + "-" + command.getAttempt());
      }
      bed.replies.readValuesToList();
      bed.events.readValuesToList();
      bed.advance(STEP);
    }

    assertThat(reasons).as("failovers happened, so the budget was tested against them")
        .contains(SendReason.TIMEOUT);
    for (Instant at : sends) {
      long inTenMinutes = sends.stream().filter(s -> !s.isBefore(at) && s.isBefore(at.plus(Duration.ofMinutes(10)))).count();
      assertThat(inTenMinutes).as("sends in the 10 minutes from %s", at).isLessThanOrEqualTo(5);
    }
    assertThat(sends).as("%d starts over %s, sends by reason %s", started, RUN, reasons).hasSizeLessThanOrEqualTo(10);
    assertThat(bed.counter("relay.failovers.withheld", "reason", "timeout")).isPositive();
  }

  @Test
  void aFailoverTheBudgetRefusesIsWithheldAndTheCodeAlreadySentStillWorks() {
    // A route is left (voice), so only the budget stops the third send.
    bed = new DispatcherTestBed(stateDir, Map.of("relay.limits.per-number", "2/10m",
        DispatcherConfig.VOICE_FALLBACK_COUNTRIES.name(), "DE"));
    SendCommand first = startAndAccept("req-1");
    bed.advance(Duration.ofSeconds(31));
    SendCommand failover = bed.onlyCommand();
    assertThat(failover.getReason()).isEqualTo(SendReason.TIMEOUT);
    bed.accepted(failover, 0, "vn-2");

    bed.advance(Duration.ofSeconds(31));

    assertThat(bed.commands.isEmpty()).as("a third send would exceed 2 in 10 minutes").isTrue();
    assertThat(bed.state().getDeliveryDeadline()).as("nothing more to wait for").isNull();
    assertThat(bed.state().getSendsUsed()).isEqualTo(2);
    bed.check("check-1", first.getVerificationId(), bed.codeOf(first));
    assertThat(bed.onlyReply().getStatus()).isEqualTo(VerificationStatus.APPROVED);
  }

  private SendCommand startAndAccept(String requestId) {
    bed.start(requestId);
    SendCommand command = bed.onlyCommand();
    bed.replies.readValuesToList();
    bed.events.readValuesToList();
    bed.accepted(command, 0, "tw-1");
    return command;
  }
}
