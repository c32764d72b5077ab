package dev.relay.dispatcher.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.SendCommand;
import dev.relay.schemas.SendOutcome;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.VerificationStatus;
import dev.relay.support.polling.ReceiptPollKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dispatcher, which holds every send and its receipts, asks for a status poll of an accepted send
 * whose final receipt is overdue: first {@code after} its acceptance, then every {@code interval}, at most
 * {@code max-polls} times, until a final receipt comes, for the polled vendors only. Routes for DE: SMS
 * twilio then vonage; delivery window 30 s; polls after 60 s, every 60 s, three times, of twilio and plivo.
 */
class ReceiptPollsTopologyTest {

  private static final Map<String, String> POLLING = Map.of(ReceiptPollKeys.ENABLED.name(), "true");

  @TempDir
  Path stateDir;

  private DispatcherTestBed bed;

  @AfterEach
  void tearDown() {
    if (bed != null) {
      bed.close();
    }
  }

  private SendCommand startOne(Map<String, String> overrides) {
    bed = new DispatcherTestBed(stateDir, overrides);
    bed.start("req-1");
    SendCommand first = bed.onlyCommand();
    bed.onlyReply();
    bed.drainEvents();
    return first;
  }

  @Test
  void anOverdueSendIsPolledAfterItsAcceptanceThenEveryIntervalAndThenGivenUp() {
    SendCommand first = startOne(POLLING);
    bed.advance(Duration.ofSeconds(5));
    bed.accepted(first, 0, "sm1");

    bed.advance(Duration.ofSeconds(59));
    assertThat(bed.polls.isEmpty()).as("not overdue yet").isTrue();
    assertThat(bed.onlyCommand().getReason()).as("the delivery window closed meanwhile: the next route has the code")
        .isEqualTo(SendReason.TIMEOUT);
    bed.advance(Duration.ofSeconds(1));

    List<KeyValue<String, SendResult>> firstPoll = bed.polls.readKeyValuesToList();
    assertThat(firstPoll).hasSize(1);
    assertThat(firstPoll.get(0).key).isEqualTo(first.getTo());
    SendResult asked = firstPoll.get(0).value;
    assertThat(asked.getProvider()).isEqualTo("twilio");
    assertThat(asked.getProviderMessageId()).isEqualTo("sm1");
    assertThat(asked.getIdempotencyKey()).as("the poller answers with the send's client reference")
        .isEqualTo(first.getIdempotencyKey());
    assertThat(asked.getVerificationId()).isEqualTo(first.getVerificationId());
    assertThat(asked.getTo()).isEqualTo(first.getTo());
    assertThat(asked.getOutcome()).isEqualTo(SendOutcome.ACCEPTED);
    assertThat(asked.getCompletedAt()).as("accepted then").isEqualTo(bed.now().minusSeconds(60));
    // In the state, so the deadline index a restart rebuilds from the verifications has the next poll.
    assertThat(bed.state().getReceiptPolls()).singleElement().satisfies(polls -> {
      assertThat(polls.getAttempt()).isEqualTo(1);
      assertThat(polls.getMade()).isEqualTo(1);
      assertThat(polls.getNextAt()).isEqualTo(bed.now().plusSeconds(60).toEpochMilli());
    });

    bed.advance(Duration.ofSeconds(59));
    assertThat(bed.polls.isEmpty()).isTrue();
    bed.advance(Duration.ofSeconds(1));
    assertThat(bed.polls.readValuesToList()).as("the second poll, an interval after the first").hasSize(1);
    bed.advance(Duration.ofSeconds(60));
    assertThat(bed.polls.readValuesToList()).as("the third").hasSize(1);
    bed.advance(Duration.ofMinutes(30));
    assertThat(bed.polls.isEmpty()).as("given up after max-polls").isTrue();
    assertThat(bed.state().getReceiptPolls()).singleElement()
        .satisfies(polls -> assertThat(polls.getMade()).isEqualTo(3));
  }

  @Test
  void anIntermediateStatusKeepsThePollsComingAFinalOneEndsThem() {
    SendCommand first = startOne(POLLING);
    bed.accepted(first, 0, "sm1");
    bed.advance(Duration.ofSeconds(60));
    assertThat(bed.polls.readValuesToList()).hasSize(1);

    // What the poller publishes for the status it read: the send's client reference, as a callback would.
    bed.receipt("twilio", "sm1", DeliveryStatus.SENT, first.getIdempotencyKey());
    bed.advance(Duration.ofSeconds(60));
    assertThat(bed.polls.readValuesToList()).as("still only sent: polled again").hasSize(1);

    bed.receipt("twilio", "sm1", DeliveryStatus.DELIVERED, first.getIdempotencyKey());
    bed.advance(Duration.ofMinutes(10));
    assertThat(bed.polls.isEmpty()).as("settled by the final receipt").isTrue();
    assertThat(bed.state().getAttempts().get(0).getDeliveryStatus()).isEqualTo(DeliveryStatus.DELIVERED);
  }

  @Test
  void aSendWhoseFinalReceiptCameInTimeIsNeverPolled() {
    SendCommand first = startOne(POLLING);
    bed.accepted(first, 0, "sm1");
    bed.advance(Duration.ofSeconds(3));
    bed.receipt("twilio", "sm1", DeliveryStatus.DELIVERED, null);

    bed.advance(Duration.ofMinutes(10));

    assertThat(bed.polls.isEmpty()).isTrue();
    assertThat(bed.state().getReceiptPolls()).isEmpty();
  }

  @Test
  void aFinalReceiptThatCameBeforeTheSendResultMeansNoPoll() {
    SendCommand first = startOne(POLLING);
    bed.receipt("twilio", "sm1", DeliveryStatus.DELIVERED, null);
    bed.accepted(first, 0, "sm1");

    bed.advance(Duration.ofMinutes(10));

    assertThat(bed.polls.isEmpty()).isTrue();
  }

  @Test
  void onlyTheConfiguredVendorsSendsArePolledAndRejectedOnesNever() {
    SendCommand first = startOne(POLLING);
    bed.rejected(first, 0, false, ErrorCategory.THROTTLED);
    bed.accepted(first, 1, "vonage-1");

    bed.advance(Duration.ofMinutes(10));

    assertThat(bed.polls.isEmpty()).as("vonage has no status lookup in the default list").isTrue();
  }

  @Test
  void anApprovedVerificationsSendIsStillPolledItsReceiptStillTellsScoring() {
    SendCommand first = startOne(POLLING);
    bed.accepted(first, 0, "sm1");
    bed.check("check-1", first.getVerificationId(), bed.codeOf(first));
    assertThat(bed.state().getStatus()).isEqualTo(VerificationStatus.APPROVED);

    bed.advance(Duration.ofSeconds(60));
    assertThat(bed.polls.readValuesToList()).hasSize(1);
    bed.receipt("twilio", "sm1", DeliveryStatus.DELIVERED, first.getIdempotencyKey());

    assertThat(bed.outcomes.readValue().getStatus()).isEqualTo(DeliveryStatus.DELIVERED);
  }

  @Test
  void theScheduleIsTheConfiguredOne() {
    SendCommand first = startOne(Map.of(ReceiptPollKeys.ENABLED.name(), "true",
        ReceiptPollKeys.AFTER.name(), "10s", ReceiptPollKeys.INTERVAL.name(), "5s", ReceiptPollKeys.MAX_POLLS.name(), "2",
        ReceiptPollKeys.PROVIDERS.name(), "vonage"));
    bed.rejected(first, 0, false, ErrorCategory.THROTTLED);
    bed.accepted(first, 1, "vonage-1");

    bed.advance(Duration.ofSeconds(10));
    assertThat(bed.polls.readValue().getProvider()).isEqualTo("vonage");
    bed.advance(Duration.ofSeconds(5));
    assertThat(bed.polls.readValuesToList()).hasSize(1);
    bed.advance(Duration.ofMinutes(5));
    assertThat(bed.polls.isEmpty()).isTrue();
  }

  @Test
  void withPollingOffNothingIsEverPolled() {
    SendCommand first = startOne(Map.of());
    bed.accepted(first, 0, "sm1");

    bed.advance(Duration.ofMinutes(10));

    assertThat(bed.polls.isEmpty()).isTrue();
    assertThat(bed.state().getReceiptPolls()).isEmpty();
  }
}
