package dev.relay.dispatcher.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.Attempt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.ReplyKind;
import dev.relay.schemas.RequestAction;
import dev.relay.schemas.Route;
import dev.relay.schemas.SendCommand;
import dev.relay.schemas.SendOutcome;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.VerificationReply;
import dev.relay.schemas.VerificationRequest;
import dev.relay.schemas.VerificationStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resend, cancel and status requests against a number's current verification, and ids that are not it. */
class RequestActionsTopologyTest {

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

  // ---------------------------------------------------------------- resend

  @Test
  void aResendSendsTheSameCodeAgainOnAnUntriedRouteAndAnswersResent() {
    bed = new DispatcherTestBed(stateDir);
    SendCommand first = started("req-1");
    bed.accepted(first, 0, "sm1");

    bed.act(RequestAction.RESEND, "resend-1", first.getVerificationId(), Channel.SMS);

    SendCommand again = bed.onlyCommand();
    assertThat(again.getVerificationId()).isEqualTo(first.getVerificationId());
    assertThat(again.getAttempt()).isEqualTo(2);
    assertThat(again.getReason()).isEqualTo(SendReason.USER_REQUEST);
    assertThat(again.getRoutes()).extracting(Route::getProvider).containsExactly("vonage");
    assertThat(bed.codeOf(again).equals(bed.codeOf(first))).as("the same code").isTrue();
    VerificationReply reply = bed.onlyReply();
    assertThat(reply.getCorrelationId()).isEqualTo("reply-resend-1");
    assertThat(reply.getKind()).isEqualTo(ReplyKind.RESENT);
    assertThat(reply.getStatus()).isEqualTo(VerificationStatus.PENDING);
    assertThat(reply.getChannel()).isEqualTo(Channel.SMS);
    assertThat(bed.onlyEvent().getReason()).as("announced, for anti-pumping").isEqualTo("resend:user_request");
    assertThat(bed.nothingOut()).isTrue();
    assertThat(bed.state().getSendsUsed()).isEqualTo(2);
  }

  @Test
  void aResendOnVoiceCallsWithTheSameCode() {
    bed = new DispatcherTestBed(stateDir);
    SendCommand first = started("req-1");

    bed.act(RequestAction.RESEND, "resend-1", first.getVerificationId(), Channel.VOICE);

    SendCommand call = bed.onlyCommand();
    assertThat(call.getChannel()).isEqualTo(Channel.VOICE);
    assertThat(call.getRoutes()).extracting(Route::getProvider).containsExactly("twilio");
    assertThat(bed.codeOf(call).equals(bed.codeOf(first))).isTrue();
    VerificationReply reply = bed.onlyReply();
    assertThat(reply.getKind()).isEqualTo(ReplyKind.RESENT);
    assertThat(reply.getChannel()).isEqualTo(Channel.VOICE);
    bed.onlyEvent();
    assertThat(bed.nothingOut()).isTrue();
  }

  @Test
  void aRetriedResendGetsTheSameAnswerAndNoSecondSend() {
    bed = new DispatcherTestBed(stateDir);
    SendCommand first = started("req-1");
    bed.act(RequestAction.RESEND, "resend-1", first.getVerificationId(), Channel.SMS);
    bed.onlyCommand();
    bed.onlyReply();
    bed.onlyEvent();

    bed.act(RequestAction.RESEND, "resend-1", first.getVerificationId(), Channel.SMS);

    assertThat(bed.onlyReply().getKind()).isEqualTo(ReplyKind.RESENT);
    assertThat(bed.nothingOut()).as("no second send").isTrue();
    assertThat(bed.state().getSendsUsed()).isEqualTo(2);
  }

  @Test
  void resendsCountAgainstTheSendCap() {
    bed = new DispatcherTestBed(stateDir, Map.of("relay.verification.max-sends", "2"));
    SendCommand first = started("req-1");
    bed.act(RequestAction.RESEND, "resend-1", first.getVerificationId(), Channel.SMS);
    bed.onlyCommand();
    bed.onlyReply();
    bed.onlyEvent();

    bed.act(RequestAction.RESEND, "resend-2", first.getVerificationId(), Channel.SMS);

    VerificationReply refused = bed.onlyReply();
    assertThat(refused.getKind()).isEqualTo(ReplyKind.REFUSED);
    assertThat(refused.getError()).isEqualTo(VerificationLifecycle.ERROR_MAX_SENDS);
    assertThat(refused.getStatus()).isEqualTo(VerificationStatus.PENDING);
    assertThat(bed.nothingOut()).isTrue();
  }

  @Test
  void aResendOfAFinishedVerificationIsRefusedWithoutASend() {
    bed = new DispatcherTestBed(stateDir);
    SendCommand first = started("req-1");
    bed.check("check-1", first.getVerificationId(), bed.codeOf(first));
    bed.onlyReply();
    bed.onlyEvent();

    bed.act(RequestAction.RESEND, "resend-1", first.getVerificationId(), Channel.SMS);

    VerificationReply refused = bed.onlyReply();
    assertThat(refused.getKind()).isEqualTo(ReplyKind.REFUSED);
    assertThat(refused.getError()).isEqualTo(VerificationLifecycle.ERROR_NOT_PENDING);
    assertThat(refused.getStatus()).isEqualTo(VerificationStatus.APPROVED);
    assertThat(bed.nothingOut()).isTrue();
  }

  // ---------------------------------------------------------------- cancel

  @Test
  void aCancelEndsTheVerificationDestroysTheCodeAndTellsTheLifecycleTopic() {
    bed = new DispatcherTestBed(stateDir);
    SendCommand first = started("req-1");

    bed.act(RequestAction.CANCEL, "cancel-1", first.getVerificationId(), Channel.SMS);

    VerificationReply reply = bed.onlyReply();
    assertThat(reply.getKind()).isEqualTo(ReplyKind.CANCELED);
    assertThat(reply.getStatus()).isEqualTo(VerificationStatus.CANCELED);
    VerificationEvent event = bed.onlyEvent();
    assertThat(event.getStatus()).isEqualTo(VerificationStatus.CANCELED);
    assertThat(event.getPreviousStatus()).isEqualTo(VerificationStatus.PENDING);
    assertThat(event.getReason()).isEqualTo("canceled");
    assertThat(bed.nothingOut()).isTrue();
    assertThat(bed.state().getCodeHash()).isNull();
    assertThat(bed.state().getSealedCode()).isNull();

    bed.check("check-1", first.getVerificationId(), bed.codeOf(first));
    VerificationReply check = bed.onlyReply();
    assertThat(check.getKind()).as("a canceled verification cannot be checked").isEqualTo(ReplyKind.NOT_FOUND);
    assertThat(check.getValid()).isNull();

    bed.advance(Duration.ofMinutes(1));
    assertThat(bed.nothingOut()).as("no failover or expiry after a cancel").isTrue();
  }

  @Test
  void cancelingTwiceAnswersCanceledWithoutASecondEventAndAnApprovedOneIsNotCanceled() {
    bed = new DispatcherTestBed(stateDir);
    SendCommand first = started("req-1");
    bed.act(RequestAction.CANCEL, "cancel-1", first.getVerificationId(), Channel.SMS);
    bed.onlyReply();
    bed.onlyEvent();

    bed.act(RequestAction.CANCEL, "cancel-2", first.getVerificationId(), Channel.SMS);
    assertThat(bed.onlyReply().getKind()).isEqualTo(ReplyKind.CANCELED);
    assertThat(bed.nothingOut()).isTrue();

    bed.advance(Duration.ofSeconds(1));
    SendCommand second = started("req-2");
    bed.check("check-1", second.getVerificationId(), bed.codeOf(second));
    bed.onlyReply();
    bed.onlyEvent();
    bed.act(RequestAction.CANCEL, "cancel-3", second.getVerificationId(), Channel.SMS);
    VerificationReply refused = bed.onlyReply();
    assertThat(refused.getKind()).isEqualTo(ReplyKind.REFUSED);
    assertThat(refused.getError()).isEqualTo(VerificationLifecycle.ERROR_NOT_PENDING);
    assertThat(refused.getStatus()).isEqualTo(VerificationStatus.APPROVED);
    assertThat(bed.nothingOut()).isTrue();
  }

  // ---------------------------------------------------------------- status

  @Test
  void statusReportsTheAttemptHistoryAndNoCode() {
    bed = new DispatcherTestBed(stateDir);
    SendCommand first = started("req-1");
    bed.accepted(first, 0, "sm1");
    bed.advance(Duration.ofSeconds(3));
    bed.receipt("twilio", "sm1", DeliveryStatus.DELIVERED, null);

    bed.act(RequestAction.STATUS, "status-1", first.getVerificationId(), Channel.SMS);

    VerificationReply reply = bed.onlyReply();
    assertThat(reply.getKind()).isEqualTo(ReplyKind.STATUS);
    assertThat(reply.getStatus()).isEqualTo(VerificationStatus.PENDING);
    assertThat(reply.getChannel()).isEqualTo(Channel.SMS);
    assertThat(reply.getCreatedAt()).isEqualTo(DispatcherTestBed.T0);
    assertThat(reply.getExpiresAt()).isEqualTo(DispatcherTestBed.T0.plus(Duration.ofMinutes(10)));
    assertThat(reply.getAttempts()).hasSize(1);
    Attempt attempt = reply.getAttempts().get(0);
    assertThat(attempt.getProvider()).isEqualTo("twilio");
    assertThat(attempt.getOutcome()).isEqualTo(SendOutcome.ACCEPTED);
    assertThat(attempt.getSubmittedAt()).isEqualTo(DispatcherTestBed.T0);
    assertThat(attempt.getDeliveredAt()).isEqualTo(DispatcherTestBed.T0.plusSeconds(3));
    assertThat(attempt.getDeliveryStatus()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(reply.toString()).doesNotContain(bed.codeOf(first));
    assertThat(bed.nothingOut()).as("a status request changes nothing").isTrue();
    assertThat(bed.state().getSendsUsed()).isEqualTo(1);
  }

  // ---------------------------------------------------------------- ids that are not the current one

  @Test
  void anIdThatIsNotTheNumbersCurrentVerificationIsNotFoundForEveryAction() {
    bed = new DispatcherTestBed(stateDir);
    SendCommand first = started("req-1");
    String other = bed.secrets.ids().mint(DispatcherTestBed.NUMBER);

    for (RequestAction action : new RequestAction[] {RequestAction.RESEND, RequestAction.CANCEL, RequestAction.STATUS}) {
      bed.act(action, "r-" + action, other, Channel.SMS);
      VerificationReply reply = bed.onlyReply();
      assertThat(reply.getKind()).as(action.name()).isEqualTo(ReplyKind.NOT_FOUND);
      assertThat(reply.getVerificationId()).isEqualTo(other);
      assertThat(bed.nothingOut()).isTrue();
    }
    assertThat(bed.state().getStatus()).isEqualTo(VerificationStatus.PENDING);
    assertThat(bed.state().getVerificationId()).isEqualTo(first.getVerificationId());
  }

  @Test
  void aNumberWithoutAnyVerificationIsNotFound() {
    bed = new DispatcherTestBed(stateDir);
    String id = bed.secrets.ids().mint(DispatcherTestBed.NUMBER);

    bed.act(RequestAction.CANCEL, "cancel-1", id, Channel.SMS);

    assertThat(bed.onlyReply().getKind()).isEqualTo(ReplyKind.NOT_FOUND);
    assertThat(bed.nothingOut()).isTrue();
    assertThat(bed.state()).as("nothing created").isNull();
  }

  @Test
  void anUnknownActionIsRefusedAndCreatesNothing() {
    bed = new DispatcherTestBed(stateDir);

    bed.act(RequestAction.UNKNOWN_ACTION, "x-1", null, Channel.SMS);

    VerificationReply reply = bed.onlyReply();
    assertThat(reply.getKind()).isEqualTo(ReplyKind.REFUSED);
    assertThat(reply.getError()).isEqualTo(VerificationLifecycle.ERROR_UNKNOWN_ACTION);
    assertThat(bed.nothingOut()).isTrue();
    assertThat(bed.state()).isNull();
  }

  // ---------------------------------------------------------------- tenants and request ids

  @Test
  void anotherApiKeyCannotReadResendCancelOrCheckAVerification() {
    bed = new DispatcherTestBed(stateDir);
    String id = bed.start("req-1").getVerificationId();
    SendCommand first = bed.onlyCommand();
    bed.replies.readValuesToList();
    bed.events.readValuesToList();

    bed.actAs("intruder", RequestAction.STATUS, "s-1", id);
    bed.actAs("intruder", RequestAction.RESEND, "r-1", id);
    bed.actAs("intruder", RequestAction.CANCEL, "c-1", id);
    bed.actAs("intruder", RequestAction.STATUS, "s-2", null);
    bed.checkAs("intruder", "check-1", id, bed.codeOf(first));
    bed.checkAs("intruder", "check-2", null, bed.codeOf(first));

    assertThat(bed.replies.readValuesToList()).hasSize(6).allSatisfy(reply -> {
      assertThat(reply.getKind()).isEqualTo(ReplyKind.NOT_FOUND);
      assertThat(reply.getStatus()).isEqualTo(VerificationStatus.UNKNOWN_STATUS);
      assertThat(reply.getCreatedAt()).isNull();
      assertThat(reply.getAttempts()).isEmpty();
    });
    assertThat(bed.nothingOut()).isTrue();
    assertThat(bed.state().getStatus()).isEqualTo(VerificationStatus.PENDING);
    assertThat(bed.state().getSendsUsed()).isEqualTo(1);

    bed.check("check-3", id, bed.codeOf(first));
    assertThat(bed.replies.readValuesToList()).last().satisfies(reply -> assertThat(reply.getValid()).isTrue());
  }

  @Test
  void everyKeyOfTheStartingServiceReachesTheVerificationAndAnotherServicesKeysFindNothing() {
    bed = new DispatcherTestBed(stateDir);
    String id = bed.actAs("shop-web", "svc_shop000000000001", RequestAction.START, "req-1", null).getVerificationId();
    SendCommand first = bed.onlyCommand();
    bed.replies.readValuesToList();
    bed.events.readValuesToList();
    assertThat(bed.state().getServiceId()).isEqualTo("svc_shop000000000001");

    bed.actAs("bank", "svc_bank000000000001", RequestAction.STATUS, "s-1", id);
    bed.actAs("bank", "svc_bank000000000001", RequestAction.RESEND, "r-1", id);
    bed.actAs("bank", "svc_bank000000000001", RequestAction.CANCEL, "c-1", id);
    bed.checkAs("bank", "svc_bank000000000001", "check-1", id, bed.codeOf(first));
    // A key without a service that shares the starting key's name is another owner too.
    bed.actAs("shop-web", null, RequestAction.RESEND, "r-2", id);
    bed.checkAs("shop-web", null, "check-2", null, bed.codeOf(first));

    assertThat(bed.replies.readValuesToList()).hasSize(6)
        .allSatisfy(reply -> assertThat(reply.getKind()).isEqualTo(ReplyKind.NOT_FOUND));
    assertThat(bed.nothingOut()).isTrue();
    assertThat(bed.state().getStatus()).isEqualTo(VerificationStatus.PENDING);
    assertThat(bed.state().getSendsUsed()).isEqualTo(1);

    bed.actAs("shop-app", "svc_shop000000000001", RequestAction.STATUS, "s-2", id);
    assertThat(bed.onlyReply().getVerificationId()).isEqualTo(id);
    bed.checkAs("shop-app", "svc_shop000000000001", "check-3", id, bed.codeOf(first));
    assertThat(bed.replies.readValuesToList()).last().satisfies(reply -> {
      assertThat(reply.getKind()).isEqualTo(ReplyKind.CHECKED);
      assertThat(reply.getValid()).isTrue();
    });
  }

  @Test
  void anotherKeysStartWithTheSameRequestIdGetsItsOwnVerificationNeverTheFirstOne() {
    bed = new DispatcherTestBed(stateDir);
    String first = bed.start("signup-42").getVerificationId();
    bed.onlyCommand();
    bed.replies.readValuesToList();
    bed.events.readValuesToList();

    VerificationRequest second = bed.actAs("other-app", RequestAction.START, "signup-42", null);

    VerificationReply reply = bed.onlyReply();
    assertThat(reply.getCorrelationId()).isEqualTo(second.getReplyTo());
    assertThat(reply.getKind()).isEqualTo(ReplyKind.STARTED);
    assertThat(reply.getVerificationId()).isEqualTo(second.getVerificationId()).isNotEqualTo(first);
    assertThat(bed.onlyCommand().getVerificationId()).isEqualTo(second.getVerificationId());
    assertThat(bed.events.readValuesToList()).extracting(VerificationEvent::getReason)
        .as("the first key's verification ends, its code destroyed").contains("superseded", "created");
    assertThat(bed.state().getApiKeyName()).isEqualTo("other-app");
  }

  @Test
  void aRequestIdReusedForSomethingElseIsRefusedAndSendsNothing() {
    bed = new DispatcherTestBed(stateDir);
    VerificationRequest first = bed.start("req-1");
    bed.onlyCommand();
    bed.replies.readValuesToList();
    bed.events.readValuesToList();

    bed.start("req-1", Channel.VOICE, "reply-again", bed.secrets.ids().mint(DispatcherTestBed.NUMBER));
    VerificationReply reused = bed.onlyReply();
    assertThat(reused.getKind()).isEqualTo(ReplyKind.REFUSED);
    assertThat(reused.getError()).isEqualTo(VerificationLifecycle.ERROR_IDEMPOTENCY_KEY_REUSED);
    assertThat(reused.getCorrelationId()).isEqualTo("reply-again");
    assertThat(bed.nothingOut()).isTrue();

    bed.start("req-1", Channel.SMS, "reply-retry", bed.secrets.ids().mint(DispatcherTestBed.NUMBER));
    VerificationReply retried = bed.onlyReply();
    assertThat(retried.getKind()).as("the same request again is still answered as before").isEqualTo(ReplyKind.STARTED);
    assertThat(retried.getVerificationId()).isEqualTo(first.getVerificationId());
    assertThat(bed.nothingOut()).isTrue();
  }
}
