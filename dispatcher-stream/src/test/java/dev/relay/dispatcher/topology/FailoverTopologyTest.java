package dev.relay.dispatcher.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.schemas.Attempt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.Route;
import dev.relay.schemas.SendCommand;
import dev.relay.schemas.SendOutcome;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.VerificationStatus;
import dev.relay.schemas.state.VerificationState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failover from real signals: rejections, the delivery window, failed receipts, and the fall from
 * SMS to voice to failed. Routes for DE: SMS twilio then vonage, voice twilio.
 */
class FailoverTopologyTest {

  private static final Duration WINDOW = Duration.ofSeconds(30);

  @TempDir
  Path stateDir;

  private DispatcherTestBed bed;
  private String id;
  private SendCommand first;

  @BeforeEach
  void startOneVerification() {
    // Voice fallback is off unless a country enables it; these tests follow an SMS verification onto voice.
    bed = new DispatcherTestBed(stateDir, Map.of(DispatcherConfig.VOICE_FALLBACK_COUNTRIES.name(), "DE"));
    id = bed.start("req-1").getVerificationId();
    first = bed.onlyCommand();
    bed.onlyReply();
    bed.onlyEvent();
  }

  @AfterEach
  void tearDown() {
    bed.close();
  }

  @Test
  void whenEveryRouteOfTheCommandRejectsTheSameCodeGoesToVoiceAtOnce() {
    bed.rejected(first, 0, false, ErrorCategory.THROTTLED);
    assertThat(bed.nothingOut()).as("a try that is not the last changes nothing yet").isTrue();

    bed.rejected(first, 1, true, ErrorCategory.PROVIDER_ERROR);

    SendCommand voice = bed.onlyCommand();
    assertThat(voice.getVerificationId()).isEqualTo(id);
    assertThat(voice.getAttempt()).isEqualTo(2);
    assertThat(voice.getIdempotencyKey()).isEqualTo(id + "-2");
    assertThat(voice.getChannel()).isEqualTo(Channel.VOICE);
    assertThat(voice.getRoutes()).containsExactly(new Route("twilio", Channel.VOICE, null, "table"));
    assertThat(voice.getReason()).isEqualTo(SendReason.CHANNEL_FALLBACK);
    assertThat(voice.getIssuedAt()).isEqualTo(bed.now());
    assertThat(voice.getExpiresAt()).isEqualTo(first.getExpiresAt());
    assertThat(bed.codeOf(voice).equals(bed.codeOf(first))).as("the same code is resent").isTrue();

    VerificationEvent failover = bed.onlyEvent();
    assertThat(failover.getStatus()).isEqualTo(VerificationStatus.PENDING);
    assertThat(failover.getPreviousStatus()).isEqualTo(VerificationStatus.PENDING);
    assertThat(failover.getReason()).isEqualTo("failover:channel_fallback");
    assertThat(failover.getChannel()).isEqualTo(Channel.VOICE);
    assertThat(failover.getAttempts())
        .extracting(Attempt::getAttempt, Attempt::getChannel, Attempt::getReason, Attempt::getTries,
            Attempt::getOutcome, Attempt::getErrorCategory)
        .containsExactly(
            tuple(1, Channel.SMS, SendReason.INITIAL, 2, SendOutcome.REJECTED, ErrorCategory.PROVIDER_ERROR),
            tuple(2, Channel.VOICE, SendReason.CHANNEL_FALLBACK, 0, null, null));
    assertThat(bed.nothingOut()).isTrue();
    assertThat(bed.state().getSmsRoutesUsed()).containsExactly("twilio", "vonage");
    assertThat(bed.counter("relay.failovers", "reason", "channel_fallback", "provider", "vonage", "country", "DE"))
        .isEqualTo(1.0);
  }

  @Test
  void aRejectionPermanentForTheNumberFailsTheVerificationWithoutAnotherSend() {
    bed.rejected(first, 0, true, ErrorCategory.INVALID_NUMBER);

    VerificationEvent failed = bed.onlyEvent();
    assertThat(failed.getStatus()).isEqualTo(VerificationStatus.FAILED);
    assertThat(failed.getPreviousStatus()).isEqualTo(VerificationStatus.PENDING);
    assertThat(failed.getReason()).isEqualTo("permanent-rejection");
    assertThat(failed.getAttempts()).extracting(Attempt::getOutcome, Attempt::getErrorCategory)
        .containsExactly(tuple(SendOutcome.REJECTED, ErrorCategory.INVALID_NUMBER));
    assertThat(bed.nothingOut()).isTrue();
    VerificationState state = bed.state();
    assertThat(state.getCodeHash()).isNull();
    assertThat(state.getSealedCode()).isNull();

    bed.advance(WINDOW.multipliedBy(2));
    assertThat(bed.nothingOut()).as("no window is left open").isTrue();
  }

  @Test
  void whenTheDeliveryWindowClosesTheSameCodeGoesThroughTheNextRoute() {
    bed.advance(Duration.ofSeconds(1));
    bed.accepted(first, 0, "sm1");
    assertThat(bed.nothingOut()).isTrue();

    bed.advance(WINDOW.minusMillis(200));
    assertThat(bed.nothingOut()).as("the window runs from the acceptance").isTrue();

    bed.advance(Duration.ofMillis(200));
    SendCommand second = bed.onlyCommand();
    assertThat(second.getAttempt()).isEqualTo(2);
    assertThat(second.getIdempotencyKey()).isEqualTo(id + "-2");
    assertThat(second.getChannel()).isEqualTo(Channel.SMS);
    assertThat(second.getRoutes()).extracting(Route::getProvider).containsExactly("vonage");
    assertThat(second.getReason()).isEqualTo(SendReason.TIMEOUT);
    assertThat(second.getIssuedAt()).isEqualTo(bed.now());
    assertThat(bed.codeOf(second).equals(bed.codeOf(first))).as("the same code is resent").isTrue();
    VerificationEvent failover = bed.onlyEvent();
    assertThat(failover.getReason()).isEqualTo("failover:timeout");
    assertThat(failover.getAttempts()).extracting(Attempt::getProvider, Attempt::getReason)
        .containsExactly(tuple("twilio", SendReason.INITIAL), tuple(null, SendReason.TIMEOUT));
    assertThat(bed.nothingOut()).isTrue();
    assertThat(bed.counter("relay.failovers", "reason", "timeout", "provider", "twilio", "country", "DE"))
        .isEqualTo(1.0);
  }

  @Test
  void voiceFallbackHappensOnlyInCountriesThatEnableIt() {
    for (String enabled : new String[] {"", "FR,GB"}) {
      bed.close();
      bed = new DispatcherTestBed(stateDir.resolve("voice-" + enabled.length()),
          Map.of(DispatcherConfig.VOICE_FALLBACK_COUNTRIES.name(), enabled));
      bed.start("req-sms");
      SendCommand sms = bed.onlyCommand();
      bed.onlyReply();
      bed.onlyEvent();

      bed.rejected(sms, 0, false, ErrorCategory.PROVIDER_ERROR);
      bed.rejected(sms, 1, true, ErrorCategory.PROVIDER_ERROR);

      assertThat(bed.commands.isEmpty()).as("no call to DE with voice fallback on for [%s]", enabled).isTrue();
      VerificationEvent failed = bed.onlyEvent();
      assertThat(failed.getStatus()).isEqualTo(VerificationStatus.FAILED);
      assertThat(failed.getReason()).isEqualTo("routes-exhausted");
    }
    bed.close();
    bed = new DispatcherTestBed(stateDir.resolve("voice-all"), Map.of(DispatcherConfig.VOICE_FALLBACK_COUNTRIES.name(), "*"));
    bed.start("req-sms");
    SendCommand sms = bed.onlyCommand();
    bed.rejected(sms, 0, false, ErrorCategory.PROVIDER_ERROR);
    bed.rejected(sms, 1, true, ErrorCategory.PROVIDER_ERROR);
    assertThat(bed.onlyCommand().getReason()).isEqualTo(SendReason.CHANNEL_FALLBACK);
  }

  @Test
  void aCountryWithItsOwnWindowFailsOverWhenThatWindowCloses() {
    bed.close();
    bed = new DispatcherTestBed(stateDir.resolve("per-country"),
        Map.of("relay.verification.delivery-window-by-country", "DE:10s,FR:60s"));
    bed.start("req-de");
    SendCommand firstDe = bed.onlyCommand();
    bed.onlyReply();
    bed.onlyEvent();
    bed.accepted(firstDe, 0, "sm-de");

    bed.advance(Duration.ofSeconds(10).minusMillis(200));
    assertThat(bed.nothingOut()).as("DE's own window (10 s) has not closed yet").isTrue();

    bed.advance(Duration.ofMillis(200));
    SendCommand second = bed.onlyCommand();
    assertThat(second.getReason()).isEqualTo(SendReason.TIMEOUT);
    assertThat(second.getRoutes()).extracting(Route::getProvider).containsExactly("vonage");
  }

  @Test
  void aWindowClosesEvenWhenNoSendResultEverCame() {
    bed.advance(WINDOW);

    SendCommand again = bed.onlyCommand();
    assertThat(again.getAttempt()).isEqualTo(2);
    assertThat(again.getReason()).isEqualTo(SendReason.TIMEOUT);
    assertThat(again.getRoutes()).as("no route is known to have been tried")
        .extracting(Route::getProvider).containsExactly("twilio", "vonage");
    assertThat(bed.onlyEvent().getReason()).isEqualTo("failover:timeout");
    assertThat(bed.nothingOut()).isTrue();
  }

  @Test
  void aDeliveredReceiptClosesTheWindowWithoutFailover() {
    bed.accepted(first, 0, "sm1");
    bed.advance(Duration.ofSeconds(3));
    bed.receipt("twilio", "sm1", DeliveryStatus.DELIVERED, null);
    assertThat(bed.nothingOut()).isTrue();

    bed.advance(WINDOW.multipliedBy(3));

    assertThat(bed.nothingOut()).isTrue();
    VerificationState state = bed.state();
    assertThat(state.getDeliveryDeadline()).isNull();
    assertThat(state.getAttempts().get(0).getDeliveryStatus()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(state.getAttempts().get(0).getDeliveredAt()).isEqualTo(bed.now().minus(WINDOW.multipliedBy(3)));
  }

  @Test
  void aFailedReceiptFailsOverAtOnce() {
    bed.accepted(first, 0, "sm1");
    bed.advance(Duration.ofSeconds(2));

    bed.receipt("twilio", "sm1", DeliveryStatus.UNDELIVERED, null);

    SendCommand second = bed.onlyCommand();
    assertThat(second.getAttempt()).isEqualTo(2);
    assertThat(second.getRoutes()).extracting(Route::getProvider).containsExactly("vonage");
    assertThat(second.getReason()).isEqualTo(SendReason.FAILED_RECEIPT);
    assertThat(bed.codeOf(second).equals(bed.codeOf(first))).as("the same code is resent").isTrue();
    VerificationEvent failover = bed.onlyEvent();
    assertThat(failover.getReason()).isEqualTo("failover:failed_receipt");
    assertThat(failover.getAttempts().get(0).getDeliveryStatus()).isEqualTo(DeliveryStatus.UNDELIVERED);
    assertThat(bed.nothingOut()).isTrue();
  }

  @Test
  void intermediateDuplicateAndContradictingReceiptsChangeNothing() {
    bed.accepted(first, 0, "sm1");
    bed.receipt("twilio", "sm1", DeliveryStatus.QUEUED, null);
    bed.receipt("twilio", "sm1", DeliveryStatus.SENT, null);
    assertThat(bed.state().getAttempts().get(0).getDeliveryStatus()).isNull();
    bed.receipt("twilio", "sm1", DeliveryStatus.DELIVERED, null);
    bed.receipt("twilio", "sm1", DeliveryStatus.DELIVERED, null);
    bed.receipt("twilio", "sm1", DeliveryStatus.FAILED, null);
    bed.receipt("twilio", "sm1", DeliveryStatus.FAILED, first.getIdempotencyKey());

    assertThat(bed.nothingOut()).isTrue();
    assertThat(bed.state().getAttempts().get(0).getDeliveryStatus()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(bed.counter("relay.delivery.outcomes", "provider", "twilio", "status", "delivered")).isEqualTo(1.0);
    assertThat(bed.counter("relay.delivery.outcomes", "status", "failed")).isZero();
    bed.advance(WINDOW.multipliedBy(2));
    assertThat(bed.nothingOut()).isTrue();
  }

  @Test
  void anIntermediateReceiptDoesNotStopTheWindow() {
    bed.accepted(first, 0, "sm1");
    bed.receipt("twilio", "sm1", DeliveryStatus.DELIVERED_TO_OPERATOR, null);

    bed.advance(WINDOW);

    assertThat(bed.onlyCommand().getReason()).isEqualTo(SendReason.TIMEOUT);
    assertThat(bed.onlyEvent().getReason()).isEqualTo("failover:timeout");
  }

  @Test
  void aFailedReceiptThatOutrunsItsSendResultFailsOverWhenTheResultLands() {
    bed.receipt("twilio", "SM1", DeliveryStatus.FAILED, null);
    assertThat(bed.nothingOut()).isTrue();

    bed.accepted(first, 0, "sm1");

    SendCommand second = bed.onlyCommand();
    assertThat(second.getReason()).isEqualTo(SendReason.FAILED_RECEIPT);
    assertThat(second.getRoutes()).extracting(Route::getProvider).containsExactly("vonage");
    assertThat(bed.onlyEvent().getReason()).isEqualTo("failover:failed_receipt");
    assertThat(bed.nothingOut()).isTrue();
  }

  @Test
  void aDeliveredReceiptThatOutrunsItsSendResultStillCounts() {
    bed.receipt("twilio", "sm1", DeliveryStatus.DELIVERED, null);
    bed.accepted(first, 0, "sm1");

    assertThat(bed.state().getAttempts().get(0).getDeliveryStatus()).isEqualTo(DeliveryStatus.DELIVERED);
    bed.advance(WINDOW.multipliedBy(2));
    assertThat(bed.nothingOut()).isTrue();
  }

  @Test
  void anEarlyReceiptOfAnotherProviderIsNotTakenForThisSend() {
    bed.receipt("vonage", "sm1", DeliveryStatus.DELIVERED, null);
    bed.accepted(first, 0, "sm1");

    assertThat(bed.state().getAttempts().get(0).getDeliveryStatus()).isNull();
    bed.advance(WINDOW);
    assertThat(bed.onlyCommand().getReason()).isEqualTo(SendReason.TIMEOUT);
  }

  @Test
  void aReceiptMatchedByItsIdempotencyKeyCountsBeforeTheSendResult() {
    bed.receipt("twilio", "sm1", DeliveryStatus.UNDELIVERED, first.getIdempotencyKey());
    assertThat(bed.nothingOut()).isTrue();

    bed.accepted(first, 0, "sm1");

    assertThat(bed.onlyCommand().getReason()).isEqualTo(SendReason.FAILED_RECEIPT);
    assertThat(bed.onlyEvent().getReason()).isEqualTo("failover:failed_receipt");
  }

  @Test
  void aReceiptOfAnEarlierAttemptChangesNothingForTheCurrentOne() {
    failedOverOnTheWindow();

    bed.receipt("twilio", "sm1", DeliveryStatus.UNDELIVERED, null);

    assertThat(bed.nothingOut()).isTrue();
    assertThat(bed.state().getAttempts()).extracting(Attempt::getDeliveryStatus)
        .containsExactly(DeliveryStatus.UNDELIVERED, null);
  }

  @Test
  void smsExhaustedFallsBackToVoiceAndThenTheVerificationFails() {
    bed.accepted(first, 0, "sm1");
    bed.advance(WINDOW);
    SendCommand second = bed.onlyCommand();
    assertThat(second.getRoutes()).extracting(Route::getProvider).containsExactly("vonage");
    assertThat(bed.onlyEvent().getReason()).isEqualTo("failover:timeout");

    bed.accepted(second, 0, "vn2");
    bed.advance(WINDOW);
    SendCommand voice = bed.onlyCommand();
    assertThat(voice.getChannel()).isEqualTo(Channel.VOICE);
    assertThat(voice.getReason()).isEqualTo(SendReason.CHANNEL_FALLBACK);
    assertThat(voice.getRoutes()).containsExactly(new Route("twilio", Channel.VOICE, null, "table"));
    assertThat(bed.codeOf(voice).equals(bed.codeOf(first))).as("the same code is read out").isTrue();
    assertThat(bed.onlyEvent().getReason()).isEqualTo("failover:channel_fallback");

    bed.accepted(voice, 0, "ca3");
    bed.advance(WINDOW);

    VerificationEvent failed = bed.onlyEvent();
    assertThat(failed.getStatus()).isEqualTo(VerificationStatus.FAILED);
    assertThat(failed.getReason()).isEqualTo("routes-exhausted");
    assertThat(failed.getAttempts()).extracting(Attempt::getChannel, Attempt::getProvider)
        .containsExactly(tuple(Channel.SMS, "twilio"), tuple(Channel.SMS, "vonage"), tuple(Channel.VOICE, "twilio"));
    assertThat(bed.nothingOut()).isTrue();
    assertThat(bed.state().getSealedCode()).isNull();
    assertThat(bed.state().getCodeHash()).isNull();
  }

  @Test
  void aVoiceAttemptRejectedEverywhereFailsTheVerification() {
    bed.rejected(first, 0, false, ErrorCategory.THROTTLED);
    bed.rejected(first, 1, true, ErrorCategory.TIMEOUT);
    SendCommand voice = bed.onlyCommand();
    bed.onlyEvent();

    bed.rejected(voice, 0, true, ErrorCategory.NO_ROUTE);

    VerificationEvent failed = bed.onlyEvent();
    assertThat(failed.getStatus()).isEqualTo(VerificationStatus.FAILED);
    assertThat(failed.getReason()).isEqualTo("routes-exhausted");
    assertThat(bed.nothingOut()).isTrue();
  }

  @Test
  void theRightCodeAfterAFailoverApprovesAndStopsTheWindow() {
    failedOverOnTheWindow();

    bed.check("check-1", id, bed.codeOf(first));
    assertThat(bed.onlyReply().getStatus()).isEqualTo(VerificationStatus.APPROVED);
    VerificationEvent approved = bed.onlyEvent();
    assertThat(approved.getAttempts()).extracting(Attempt::getVerifiedAt)
        .containsExactly(null, bed.now());

    bed.advance(WINDOW.multipliedBy(2));
    assertThat(bed.nothingOut()).isTrue();
  }

  @Test
  void theApprovalIsCreditedToTheFirstMessageDeliveredNotToALaterSendOfTheSameCode() {
    failedOverOnTheWindow();
    // The first message arrives after all, late; the failover's message is still on its way.
    bed.receipt("twilio", "sm1", DeliveryStatus.DELIVERED, null);
    bed.drainEvents();

    bed.check("check-1", id, bed.codeOf(first));
    assertThat(bed.onlyReply().getStatus()).isEqualTo(VerificationStatus.APPROVED);
    assertThat(bed.onlyEvent().getAttempts()).extracting(Attempt::getVerifiedAt)
        .containsExactly(bed.now(), null);
  }

  @Test
  void ofTwoDeliveredMessagesTheOneDeliveredFirstIsCredited() {
    failedOverOnTheWindow();
    bed.receipt("vonage", "vn2", DeliveryStatus.DELIVERED, null);
    bed.advance(Duration.ofSeconds(2));
    bed.receipt("twilio", "sm1", DeliveryStatus.DELIVERED, null);
    bed.drainEvents();

    bed.check("check-1", id, bed.codeOf(first));
    assertThat(bed.onlyReply().getStatus()).isEqualTo(VerificationStatus.APPROVED);
    assertThat(bed.onlyEvent().getAttempts()).extracting(Attempt::getVerifiedAt)
        .containsExactly(null, bed.now());
  }

  /** Twilio accepts the first send as sm1 and its window passes; vonage accepts the failover as vn2. */
  private void failedOverOnTheWindow() {
    bed.accepted(first, 0, "sm1");
    bed.advance(WINDOW);
    SendCommand second = bed.onlyCommand();
    bed.onlyEvent();
    bed.accepted(second, 0, "vn2");
  }
}
