package dev.relay.dispatcher.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.Channel;
import dev.relay.schemas.DeliveryOutcome;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.RequestAction;
import dev.relay.schemas.SendCommand;
import dev.relay.schemas.VerificationStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dispatcher matches every receipt to its send and tells scoring, keyed by route, what became of
 * each accepted send's delivery: once, when both the acceptance and the first final receipt are known,
 * and never for a send whose delivery window had passed, one carried out after its next attempt was
 * dispatched, or after the verification ended unanswered (scoring settled those on the lifecycle events).
 * Routes for DE: SMS twilio then vonage; delivery window 30 s.
 */
class DeliveryOutcomesTopologyTest {

  private static final String TWILIO_DE = "twilio|DE|SMS";

  @TempDir
  Path stateDir;

  private DispatcherTestBed bed;
  private SendCommand first;

  @BeforeEach
  void startOneVerification() {
    bed = new DispatcherTestBed(stateDir);
    bed.start("req-1");
    first = bed.onlyCommand();
    bed.onlyReply();
    bed.drainEvents();
  }

  @AfterEach
  void tearDown() {
    bed.close();
  }

  @Test
  void aDeliveredSendIsToldOnceWithItsTimeFromTheProviderCall() {
    bed.accepted(first, 0, "sm1");
    bed.advance(Duration.ofMillis(2_400));

    bed.receipt("twilio", "sm1", DeliveryStatus.SENT, null);
    assertThat(bed.outcomes.isEmpty()).as("an intermediate status settles nothing").isTrue();
    bed.receipt("twilio", "sm1", DeliveryStatus.DELIVERED, null);
    bed.receipt("twilio", "sm1", DeliveryStatus.DELIVERED, first.getIdempotencyKey());
    bed.receipt("twilio", "sm1", DeliveryStatus.UNDELIVERED, null);

    List<KeyValue<String, DeliveryOutcome>> told = bed.outcomes.readKeyValuesToList();
    assertThat(told).as("the vendor's retry and a later contradicting receipt change nothing").hasSize(1);
    assertThat(told.get(0).key).isEqualTo(TWILIO_DE);
    DeliveryOutcome outcome = told.get(0).value;
    assertThat(outcome.getVerificationId()).isEqualTo(first.getVerificationId());
    assertThat(outcome.getAttempt()).isEqualTo(1);
    assertThat(outcome.getStatus()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(outcome.getMillisToDelivery()).isEqualTo(2_400L);
    assertThat(outcome.getSettledAt()).isEqualTo(bed.now());
  }

  @Test
  void aFailedReceiptIsToldAsItIsAndTheVerificationFailsOver() {
    bed.accepted(first, 0, "sm1");
    bed.receipt("twilio", "sm1", DeliveryStatus.UNDELIVERED, null);

    DeliveryOutcome outcome = bed.outcomes.readValue();
    assertThat(outcome.getStatus()).isEqualTo(DeliveryStatus.UNDELIVERED);
    assertThat(outcome.getMillisToDelivery()).isNull();
    assertThat(bed.onlyCommand().getRoutes().get(0).getProvider()).isEqualTo("vonage");
    assertThat(bed.outcomes.isEmpty()).isTrue();
  }

  @Test
  void aReceiptThatCameBeforeItsSendResultIsToldWhenTheSendIs() {
    // Matched by the client reference the vendor echoes, before the sender's result arrived.
    bed.receipt("twilio", "sm1", DeliveryStatus.DELIVERED, first.getIdempotencyKey());
    assertThat(bed.outcomes.isEmpty()).as("not known to be accepted, or where, yet").isTrue();

    bed.accepted(first, 0, "sm1");
    bed.accepted(first, 0, "sm1");

    assertThat(bed.outcomes.readKeyValuesToList()).extracting(entry -> entry.key, entry -> entry.value.getStatus())
        .containsExactly(org.assertj.core.groups.Tuple.tuple(TWILIO_DE, DeliveryStatus.DELIVERED));
  }

  @Test
  void aReceiptWithoutAClientReferenceThatCameFirstIsHeldAndToldWithItsSend() {
    bed.receipt("twilio", "sm1", DeliveryStatus.DELIVERED, null);
    assertThat(bed.outcomes.isEmpty()).isTrue();

    bed.accepted(first, 0, "sm1");

    assertThat(bed.outcomes.readValue().getStatus()).isEqualTo(DeliveryStatus.DELIVERED);
  }

  @Test
  void aReceiptAfterTheDeliveryWindowPassedIsNotToldScoringCountedTheSendUndeliveredThen() {
    bed.accepted(first, 0, "sm1");
    bed.advance(Duration.ofSeconds(31));
    assertThat(bed.onlyCommand().getReason()).isEqualTo(dev.relay.schemas.SendReason.TIMEOUT);

    bed.receipt("twilio", "sm1", DeliveryStatus.DELIVERED, null);

    assertThat(bed.state().getAttempts().get(0).getDeliveryStatus()).as("kept for the audit")
        .isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(bed.outcomes.isEmpty()).isTrue();
  }

  @Test
  void aSendCarriedOutAfterItsNextAttemptWasDispatchedIsNotTold() {
    bed.act(RequestAction.RESEND, "resend-1", first.getVerificationId(), Channel.SMS);
    SendCommand again = bed.onlyCommand();
    bed.advance(Duration.ofSeconds(2));

    bed.accepted(first, 0, "sm1");
    bed.accepted(again, 0, "sm2");
    bed.receipt("twilio", "sm1", DeliveryStatus.DELIVERED, null);
    bed.receipt("twilio", "sm2", DeliveryStatus.DELIVERED, null);

    assertThat(bed.outcomes.readKeyValuesToList()).as("only the resend, which came in time")
        .extracting(entry -> entry.key, entry -> entry.value.getAttempt())
        .containsExactly(org.assertj.core.groups.Tuple.tuple(TWILIO_DE, 2));
  }

  @Test
  void aReceiptAfterTheCodeWasEnteredIsToldButNotAfterAnUnansweredEnd() {
    bed.accepted(first, 0, "sm1");
    bed.check("check-1", first.getVerificationId(), bed.codeOf(first));
    assertThat(bed.state().getStatus()).isEqualTo(VerificationStatus.APPROVED);
    bed.receipt("twilio", "sm1", DeliveryStatus.DELIVERED, null);
    assertThat(bed.outcomes.readValue().getStatus()).as("delivered, and entered").isEqualTo(DeliveryStatus.DELIVERED);

    bed.advance(Duration.ofDays(2));
    bed.start("req-2");
    SendCommand next = bed.onlyCommand();
    bed.accepted(next, 0, "sm3");
    bed.advance(bed.settings.ttl().plusSeconds(1));
    assertThat(bed.state().getStatus()).isEqualTo(VerificationStatus.EXPIRED);
    bed.receipt("twilio", "sm3", DeliveryStatus.DELIVERED, null);
    assertThat(bed.outcomes.isEmpty()).as("scoring settled the last send of an unanswered verification at its end")
        .isTrue();
  }
}
