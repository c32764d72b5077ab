package dev.relay.dispatcher.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.Channel;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.ReplyKind;
import dev.relay.schemas.Route;
import dev.relay.schemas.SendCommand;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.VerificationReply;
import dev.relay.schemas.VerificationStatus;
import dev.relay.schemas.state.VerificationState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The limits: expiry, the guess cap, the send cap, repeated starts, request idempotency, and a new
 * verification right after a final one.
 */
class LimitsTopologyTest {

  private static final Duration WINDOW = Duration.ofSeconds(30);
  private static final Duration TTL = Duration.ofMinutes(10);

  @TempDir
  Path stateDir;

  private DispatcherTestBed bed;

  @AfterEach
  void tearDown() {
    if (bed != null) {
      bed.close();
    }
  }

  private SendCommand started(String requestId) {
    bed.start(requestId);
    SendCommand command = bed.onlyCommand();
    bed.onlyReply();
    bed.onlyEvent();
    return command;
  }

  private void delivered(SendCommand command, String messageId) {
    bed.accepted(command, 0, messageId);
    bed.receipt(command.getRoutes().get(0).getProvider(), messageId, DeliveryStatus.DELIVERED, null);
  }

  // ---------------------------------------------------------------- expiry

  @Test
  void aVerificationExpiresTenMinutesAfterCreationAndItsCodeIsDestroyed() {
    bed = new DispatcherTestBed(stateDir);
    SendCommand command = started("req-1");
    delivered(command, "sm1");

    bed.advance(TTL.minusMillis(200));
    assertThat(bed.nothingOut()).isTrue();
    bed.advance(Duration.ofMillis(200));

    VerificationEvent expired = bed.onlyEvent();
    assertThat(expired.getStatus()).isEqualTo(VerificationStatus.EXPIRED);
    assertThat(expired.getPreviousStatus()).isEqualTo(VerificationStatus.PENDING);
    assertThat(expired.getReason()).isEqualTo("expired");
    assertThat(expired.getOccurredAt()).isEqualTo(DispatcherTestBed.T0.plus(TTL));
    assertThat(bed.nothingOut()).isTrue();
    VerificationState state = bed.state();
    assertThat(state.getCodeHash()).isNull();
    assertThat(state.getSealedCode()).isNull();

    bed.check("check-1", command.getVerificationId(), bed.codeOf(command));
    VerificationReply reply = bed.onlyReply();
    assertThat(reply.getKind()).as("an expired verification cannot be checked, and the answer does not say it expired")
        .isEqualTo(ReplyKind.NOT_FOUND);
    assertThat(reply.getStatus()).isEqualTo(VerificationStatus.UNKNOWN_STATUS);
    assertThat(bed.nothingOut()).isTrue();
  }

  @Test
  void expiryWinsOverAnOpenDeliveryWindowDueAtTheSameTime() {
    bed = new DispatcherTestBed(stateDir);
    SendCommand command = started("req-1");
    bed.accepted(command, 0, "sm1");

    bed.advance(TTL.plusMinutes(1));

    assertThat(bed.onlyEvent().getStatus()).isEqualTo(VerificationStatus.EXPIRED);
    assertThat(bed.nothingOut()).as("no resend of an expired code").isTrue();
  }

  @Test
  void aFinishedVerificationIsForgottenAfterTheRetention() {
    bed = new DispatcherTestBed(stateDir);
    SendCommand command = started("req-1");
    bed.check("check-1", command.getVerificationId(), bed.codeOf(command));
    bed.onlyReply();
    bed.onlyEvent();

    bed.advance(Duration.ofHours(23));
    assertThat(bed.state()).isNotNull();
    bed.advance(Duration.ofHours(1));

    assertThat(bed.state()).isNull();
    assertThat(bed.nothingOut()).isTrue();
    bed.check("check-2", command.getVerificationId(), bed.codeOf(command));
    assertThat(bed.onlyReply().getKind()).isEqualTo(ReplyKind.NOT_FOUND);
  }

  // ---------------------------------------------------------------- guesses

  @Test
  void theFifthWrongGuessEndsTheVerificationAndEvenTheRightCodeIsRefusedAfter() {
    bed = new DispatcherTestBed(stateDir);
    SendCommand command = started("req-1");
    String id = command.getVerificationId();

    for (int guess = 1; guess <= 4; guess++) {
      bed.check("check-" + guess, id, bed.wrongGuess(command, guess));
      VerificationReply reply = bed.onlyReply();
      assertThat(reply.getStatus()).isEqualTo(VerificationStatus.PENDING);
      assertThat(reply.getValid()).isFalse();
      assertThat(reply.getAttemptsRemaining()).isEqualTo(5 - guess);
      assertThat(bed.nothingOut()).isTrue();
    }

    bed.check("check-5", id, bed.wrongGuess(command, 5));
    VerificationReply capped = bed.onlyReply();
    assertThat(capped.getStatus()).isEqualTo(VerificationStatus.MAX_ATTEMPTS_REACHED);
    assertThat(capped.getValid()).isFalse();
    assertThat(capped.getAttemptsRemaining()).isZero();
    VerificationEvent event = bed.onlyEvent();
    assertThat(event.getStatus()).isEqualTo(VerificationStatus.MAX_ATTEMPTS_REACHED);
    assertThat(event.getReason()).isEqualTo("guess-cap");
    assertThat(bed.state().getCodeHash()).isNull();
    assertThat(bed.state().getSealedCode()).isNull();

    bed.check("check-6", id, bed.codeOf(command));
    VerificationReply after = bed.onlyReply();
    assertThat(after.getKind()).isEqualTo(ReplyKind.NOT_FOUND);
    assertThat(after.getStatus()).isEqualTo(VerificationStatus.UNKNOWN_STATUS);
    assertThat(after.getValid()).isNull();
    assertThat(bed.state().getWrongGuesses()).isEqualTo(5);
    assertThat(bed.nothingOut()).isTrue();
  }

  // ---------------------------------------------------------------- repeated starts and sends

  @Test
  void startingAgainWhilePendingResendsTheSameCodeOfTheSameVerificationOnAnUntriedRoute() {
    bed = new DispatcherTestBed(stateDir);
    SendCommand first = started("req-1");
    bed.accepted(first, 0, "sm1");
    bed.advance(Duration.ofSeconds(5));

    bed.start("req-2");

    VerificationReply reply = bed.onlyReply();
    assertThat(reply.getCorrelationId()).isEqualTo("reply-req-2");
    assertThat(reply.getKind()).isEqualTo(ReplyKind.EXISTING);
    assertThat(reply.getVerificationId()).isEqualTo(first.getVerificationId());
    assertThat(reply.getStatus()).isEqualTo(VerificationStatus.PENDING);
    SendCommand again = bed.onlyCommand();
    assertThat(again.getVerificationId()).isEqualTo(first.getVerificationId());
    assertThat(again.getAttempt()).isEqualTo(2);
    assertThat(again.getReason()).isEqualTo(SendReason.REPEAT_START);
    assertThat(again.getRoutes()).extracting(Route::getProvider).containsExactly("vonage");
    assertThat(bed.codeOf(again).equals(bed.codeOf(first))).as("never a second valid code").isTrue();
    assertThat(bed.onlyEvent().getReason()).as("announced, for anti-pumping").isEqualTo("resend:repeat_start");
    assertThat(bed.nothingOut()).isTrue();
    assertThat(bed.state().getSendsUsed()).isEqualTo(2);
    assertThat(bed.state().getDeliveryDeadline()).isEqualTo(bed.now().plus(WINDOW));

    bed.accepted(again, 0, "vn2");
    bed.start("req-3");
    assertThat(bed.onlyCommand().getRoutes()).as("every route tried: from the top again")
        .extracting(Route::getProvider).containsExactly("twilio", "vonage");
    assertThat(bed.onlyReply().getKind()).isEqualTo(ReplyKind.EXISTING);
  }

  @Test
  void startingAgainOnVoiceWhilePendingCallsWithTheSameCode() {
    bed = new DispatcherTestBed(stateDir);
    SendCommand first = started("req-1");

    bed.start("req-2", Channel.VOICE, "reply-2", bed.secrets.ids().mint(DispatcherTestBed.NUMBER));

    SendCommand call = bed.onlyCommand();
    assertThat(call.getChannel()).isEqualTo(Channel.VOICE);
    assertThat(call.getReason()).isEqualTo(SendReason.REPEAT_START);
    assertThat(call.getRoutes()).extracting(Route::getProvider).containsExactly("twilio");
    assertThat(bed.codeOf(call).equals(bed.codeOf(first))).isTrue();
    VerificationReply reply = bed.onlyReply();
    assertThat(reply.getKind()).isEqualTo(ReplyKind.EXISTING);
    assertThat(reply.getChannel()).isEqualTo(Channel.VOICE);
    bed.onlyEvent();
    assertThat(bed.nothingOut()).isTrue();
  }

  @Test
  void theSixthSendOfAVerificationIsRefusedAndTheVerificationStaysPending() {
    // The per-number rate limit (5 in 10 minutes) would refuse the same send first; this is about the cap.
    bed = new DispatcherTestBed(stateDir, Map.of("relay.limits.per-number", ""));
    SendCommand first = started("req-1");
    for (int repeat = 2; repeat <= 5; repeat++) {
      bed.start("req-" + repeat);
      assertThat(bed.onlyCommand().getAttempt()).isEqualTo(repeat);
      assertThat(bed.onlyReply().getKind()).isEqualTo(ReplyKind.EXISTING);
      bed.onlyEvent();
    }

    bed.start("req-6");

    VerificationReply refused = bed.onlyReply();
    assertThat(refused.getKind()).isEqualTo(ReplyKind.REFUSED);
    assertThat(refused.getError()).isEqualTo("max_sends_reached");
    assertThat(refused.getStatus()).isEqualTo(VerificationStatus.PENDING);
    assertThat(refused.getVerificationId()).isEqualTo(first.getVerificationId());
    assertThat(bed.nothingOut()).isTrue();
    assertThat(bed.state().getSendsUsed()).isEqualTo(5);

    bed.check("check-1", first.getVerificationId(), bed.codeOf(first));
    assertThat(bed.onlyReply().getStatus()).as("the code already sent still works").isEqualTo(VerificationStatus.APPROVED);
  }

  @Test
  void aKnownFailureWithTheSendCapUsedUpEndsTheVerification() {
    bed = new DispatcherTestBed(stateDir, Map.of("relay.verification.max-sends", "2"));
    SendCommand first = started("req-1");
    bed.accepted(first, 0, "sm1");
    bed.receipt("twilio", "sm1", DeliveryStatus.FAILED, null);
    SendCommand second = bed.onlyCommand();
    bed.onlyEvent();
    bed.accepted(second, 0, "vn2");

    bed.receipt("vonage", "vn2", DeliveryStatus.UNDELIVERED, null);

    VerificationEvent capped = bed.onlyEvent();
    assertThat(capped.getStatus()).isEqualTo(VerificationStatus.MAX_ATTEMPTS_REACHED);
    assertThat(capped.getReason()).isEqualTo("send-cap");
    assertThat(bed.nothingOut()).isTrue();
    assertThat(bed.state().getSealedCode()).isNull();
  }

  @Test
  void aClosedWindowWithTheSendCapUsedUpLeavesTheVerificationPendingUntilItExpires() {
    bed = new DispatcherTestBed(stateDir, Map.of("relay.verification.max-sends", "2"));
    SendCommand first = started("req-1");
    bed.accepted(first, 0, "sm1");
    bed.advance(WINDOW);
    SendCommand second = bed.onlyCommand();
    bed.onlyEvent();
    bed.accepted(second, 0, "vn2");

    bed.advance(WINDOW);
    assertThat(bed.nothingOut()).as("the last code may still arrive").isTrue();
    assertThat(bed.state().getStatus()).isEqualTo(VerificationStatus.PENDING);
    assertThat(bed.state().getDeliveryDeadline()).isNull();

    bed.check("check-1", first.getVerificationId(), bed.codeOf(first));
    assertThat(bed.onlyReply().getStatus()).isEqualTo(VerificationStatus.APPROVED);
  }

  // ---------------------------------------------------------------- idempotency

  @Test
  void theSameRequestIdGetsTheSameAnswerAndNoSecondSend() {
    bed = new DispatcherTestBed(stateDir);
    bed.start("req-1");
    VerificationReply firstAnswer = bed.onlyReply();
    bed.onlyCommand();
    bed.onlyEvent();

    bed.start("req-1");

    VerificationReply again = bed.onlyReply();
    assertThat(again.getKind()).isEqualTo(ReplyKind.STARTED);
    assertThat(again.getVerificationId()).isEqualTo(firstAnswer.getVerificationId());
    assertThat(again.getStatus()).isEqualTo(VerificationStatus.PENDING);
    assertThat(again.getCreatedAt()).isEqualTo(firstAnswer.getCreatedAt());
    assertThat(again.getExpiresAt()).isEqualTo(firstAnswer.getExpiresAt());
    assertThat(bed.nothingOut()).isTrue();
    assertThat(bed.state().getSendsUsed()).isEqualTo(1);
  }

  @Test
  void aRetriedRepeatStartIsAnsweredExistingWithoutAnotherSend() {
    bed = new DispatcherTestBed(stateDir);
    started("req-1");
    bed.start("req-2");
    bed.onlyCommand();
    bed.onlyReply();
    bed.onlyEvent();

    bed.start("req-2");

    assertThat(bed.onlyReply().getKind()).isEqualTo(ReplyKind.EXISTING);
    assertThat(bed.nothingOut()).isTrue();
    assertThat(bed.state().getSendsUsed()).isEqualTo(2);
  }

  @Test
  void aRetriedRequestAfterApprovalAnswersTheFinalStatusWithoutStartingAgain() {
    bed = new DispatcherTestBed(stateDir);
    SendCommand command = started("req-1");
    bed.check("check-1", command.getVerificationId(), bed.codeOf(command));
    bed.onlyReply();
    bed.onlyEvent();

    bed.start("req-1");

    VerificationReply reply = bed.onlyReply();
    assertThat(reply.getKind()).isEqualTo(ReplyKind.STARTED);
    assertThat(reply.getVerificationId()).isEqualTo(command.getVerificationId());
    assertThat(reply.getStatus()).isEqualTo(VerificationStatus.APPROVED);
    assertThat(bed.nothingOut()).isTrue();
  }

  // ---------------------------------------------------------------- after a final status

  @Test
  void aNewVerificationAfterAFinalStatusStartsAtOnceWithAFreshCode() {
    bed = new DispatcherTestBed(stateDir);
    SendCommand old = started("req-1");
    for (int guess = 1; guess <= 5; guess++) {
      bed.check("check-" + guess, old.getVerificationId(), bed.wrongGuess(old, guess));
    }
    bed.replies.readValuesToList();
    assertThat(bed.onlyEvent().getStatus()).isEqualTo(VerificationStatus.MAX_ATTEMPTS_REACHED);

    bed.start("req-2");

    VerificationReply reply = bed.onlyReply();
    assertThat(reply.getKind()).isEqualTo(ReplyKind.STARTED);
    assertThat(reply.getStatus()).isEqualTo(VerificationStatus.PENDING);
    assertThat(reply.getVerificationId()).isNotEqualTo(old.getVerificationId());
    SendCommand fresh = bed.onlyCommand();
    assertThat(fresh.getAttempt()).isEqualTo(1);
    assertThat(fresh.getReason()).isEqualTo(SendReason.INITIAL);
    assertThat(fresh.getIdempotencyKey()).isEqualTo(reply.getVerificationId() + "-1");
    assertThat(bed.onlyEvent().getReason()).isEqualTo("created");
    assertThat(bed.nothingOut()).isTrue();
    VerificationState state = bed.state();
    assertThat(state.getWrongGuesses()).isZero();
    assertThat(state.getSendsUsed()).isEqualTo(1);
    assertThat(state.getSmsRoutesUsed()).isEmpty();

    bed.check("check-new", reply.getVerificationId(), bed.codeOf(fresh));
    assertThat(bed.onlyReply().getStatus()).isEqualTo(VerificationStatus.APPROVED);
  }

  @Test
  void aNewVerificationAfterExpiryStartsAtOnce() {
    bed = new DispatcherTestBed(stateDir);
    SendCommand old = started("req-1");
    bed.advance(TTL);
    List<VerificationEvent> events = bed.events.readValuesToList();
    assertThat(events).extracting(VerificationEvent::getStatus).endsWith(VerificationStatus.EXPIRED);
    bed.commands.readValuesToList();

    bed.start("req-2");

    VerificationReply reply = bed.onlyReply();
    assertThat(reply.getKind()).isEqualTo(ReplyKind.STARTED);
    assertThat(reply.getVerificationId()).isNotEqualTo(old.getVerificationId());
    assertThat(bed.onlyCommand().getReason()).isEqualTo(SendReason.INITIAL);
  }
}
