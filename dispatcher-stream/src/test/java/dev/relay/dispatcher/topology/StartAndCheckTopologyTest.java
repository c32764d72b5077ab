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
import dev.relay.schemas.state.VerificationState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The walking skeleton's path through the dispatcher: start, send, delivery, check. */
class StartAndCheckTopologyTest {

  @TempDir
  Path stateDir;

  private DispatcherTestBed bed;

  @BeforeEach
  void setUp() {
    bed = new DispatcherTestBed(stateDir);
  }

  @AfterEach
  void tearDown() {
    bed.close();
  }

  @Test
  void startCreatesAPendingVerificationRepliesAndSendsTheCodeThroughTheCountrysRoutes() {
    VerificationRequest request = bed.start("req-1");
    String id = request.getVerificationId();

    assertThat(bed.replies.readKeyValuesToList()).containsExactly(KeyValue.pair("reply-req-1",
        VerificationReply.newBuilder()
            .setCorrelationId("reply-req-1")
            .setKind(ReplyKind.STARTED)
            .setVerificationId(id)
            .setTo(DispatcherTestBed.NUMBER)
            .setChannel(Channel.SMS)
            .setStatus(VerificationStatus.PENDING)
            .setCreatedAt(DispatcherTestBed.T0)
            .setExpiresAt(DispatcherTestBed.T0.plus(Duration.ofMinutes(10)))
            .setRepliedAt(DispatcherTestBed.T0)
            .build()));

    List<KeyValue<String, SendCommand>> commands = bed.commands.readKeyValuesToList();
    assertThat(commands).hasSize(1);
    SendCommand command = commands.get(0).value;
    assertThat(commands.get(0).key).isEqualTo(DispatcherTestBed.NUMBER);
    assertThat(command.getVerificationId()).isEqualTo(id);
    assertThat(command.getAttempt()).isEqualTo(1);
    assertThat(command.getIdempotencyKey()).isEqualTo(id + "-1");
    assertThat(command.getTo()).isEqualTo(DispatcherTestBed.NUMBER);
    assertThat(command.getCountry()).isEqualTo("DE");
    assertThat(command.getChannel()).isEqualTo(Channel.SMS);
    assertThat(command.getRoutes()).containsExactly(
        new Route("twilio", Channel.SMS, null, "table"), new Route("vonage", Channel.SMS, null, "table"));
    assertThat(command.getReason()).isEqualTo(SendReason.INITIAL);
    assertThat(command.getIssuedAt()).isEqualTo(DispatcherTestBed.T0);
    assertThat(command.getExpiresAt()).isEqualTo(DispatcherTestBed.T0.plus(Duration.ofMinutes(10)));
    assertThat(bed.codeOf(command).matches("[0-9]{6}")).as("a six-digit code opens from the command").isTrue();

    List<KeyValue<String, VerificationEvent>> events = bed.events.readKeyValuesToList();
    assertThat(events).hasSize(1);
    VerificationEvent created = events.get(0).value;
    assertThat(events.get(0).key).isEqualTo(DispatcherTestBed.NUMBER);
    assertThat(created.getStatus()).isEqualTo(VerificationStatus.PENDING);
    assertThat(created.getPreviousStatus()).isNull();
    assertThat(created.getReason()).isEqualTo("created");
    assertThat(created.getAttempts()).extracting(Attempt::getAttempt, Attempt::getIdempotencyKey, Attempt::getReason)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(1, id + "-1", SendReason.INITIAL));
    assertThat(bed.nothingOut()).isTrue();
  }

  @Test
  void storedStateKeepsTheCodeOnlyAsHashAndSealedCopy() {
    bed.start("req-1");
    SendCommand command = bed.onlyCommand();

    VerificationState state = bed.state();
    assertThat(state.getStatus()).isEqualTo(VerificationStatus.PENDING);
    assertThat(state.getCodeHash()).isNotNull();
    assertThat(state.getSealedCode()).isEqualTo(command.getCode());
    assertThat(bed.secrets.hasher().matches(state.getCodeHash(), bed.codeOf(command), state.getVerificationId()))
        .as("the stored hash verifies the sent code").isTrue();
    assertThat(state.getSendsUsed()).isEqualTo(1);
    assertThat(state.getDeliveryDeadline()).isEqualTo(DispatcherTestBed.T0.plus(Duration.ofSeconds(30)));
  }

  @Test
  void startWithoutReplyToSendsButRepliesToNobody() {
    bed.start("req-1", Channel.SMS, null, bed.secrets.ids().mint(DispatcherTestBed.NUMBER));

    assertThat(bed.commands.readValuesToList()).hasSize(1);
    assertThat(bed.events.readValuesToList()).hasSize(1);
    assertThat(bed.nothingOut()).isTrue();
  }

  @Test
  void startWithoutAProposedIdGetsAMintedIdCarryingTheNumber() {
    bed.start("req-1", Channel.SMS, "reply-1", null);

    VerificationReply reply = bed.onlyReply();
    assertThat(reply.getVerificationId()).startsWith("VE");
    assertThat(bed.secrets.ids().numberOf(reply.getVerificationId())).contains(DispatcherTestBed.NUMBER);
  }

  @Test
  void aProposedIdThatDoesNotCarryTheNumberIsReplaced() {
    String foreign = bed.secrets.ids().mint("+4915199999999");
    bed.start("req-1", Channel.SMS, "reply-1", foreign);

    VerificationReply reply = bed.onlyReply();
    assertThat(reply.getVerificationId()).isNotEqualTo(foreign);
    assertThat(bed.secrets.ids().numberOf(reply.getVerificationId())).contains(DispatcherTestBed.NUMBER);
  }

  @Test
  void startOnVoiceSendsThroughTheVoiceRoutes() {
    bed.start("req-1", Channel.VOICE, "reply-1", bed.secrets.ids().mint(DispatcherTestBed.NUMBER));

    SendCommand command = bed.onlyCommand();
    assertThat(command.getChannel()).isEqualTo(Channel.VOICE);
    assertThat(command.getRoutes()).extracting(Route::getProvider).containsExactly("twilio");
  }

  @Test
  void theRightCodeApprovesDestroysTheCodeAndRecordsTheHistory() {
    String id = bed.start("req-1").getVerificationId();
    SendCommand command = bed.onlyCommand();
    bed.accepted(command, 0, "sm1");
    bed.receipt("twilio", "sm1", DeliveryStatus.DELIVERED, null);
    bed.replies.readValuesToList();
    bed.events.readValuesToList();

    bed.advance(Duration.ofSeconds(5));
    bed.check("check-1", id, bed.codeOf(command));

    assertThat(bed.replies.readKeyValuesToList()).containsExactly(KeyValue.pair("check-1",
        VerificationReply.newBuilder()
            .setCorrelationId("check-1")
            .setKind(ReplyKind.CHECKED)
            .setVerificationId(id)
            .setTo(DispatcherTestBed.NUMBER)
            .setChannel(Channel.SMS)
            .setStatus(VerificationStatus.APPROVED)
            .setValid(true)
            .setAttemptsRemaining(5)
            .setCreatedAt(DispatcherTestBed.T0)
            .setExpiresAt(DispatcherTestBed.T0.plus(Duration.ofMinutes(10)))
            .setRepliedAt(bed.now())
            .build()));
    VerificationEvent approved = bed.onlyEvent();
    assertThat(approved.getStatus()).isEqualTo(VerificationStatus.APPROVED);
    assertThat(approved.getPreviousStatus()).isEqualTo(VerificationStatus.PENDING);
    assertThat(approved.getReason()).isEqualTo("code-approved");
    assertThat(approved.getOccurredAt()).isEqualTo(bed.now());
    Attempt attempt = approved.getAttempts().get(0);
    assertThat(attempt.getProvider()).isEqualTo("twilio");
    assertThat(attempt.getProviderMessageId()).isEqualTo("sm1");
    assertThat(attempt.getOutcome()).isEqualTo(SendOutcome.ACCEPTED);
    assertThat(attempt.getTries()).isEqualTo(1);
    assertThat(attempt.getSubmittedAt()).isEqualTo(DispatcherTestBed.T0);
    assertThat(attempt.getDeliveryStatus()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(attempt.getDeliveredAt()).isEqualTo(DispatcherTestBed.T0);
    assertThat(attempt.getVerifiedAt()).isEqualTo(bed.now());
    assertThat(bed.nothingOut()).isTrue();

    VerificationState state = bed.state();
    assertThat(state.getStatus()).isEqualTo(VerificationStatus.APPROVED);
    assertThat(state.getCodeHash()).isNull();
    assertThat(state.getSealedCode()).isNull();
    assertThat(state.getFinishedAt()).isEqualTo(bed.now());
    assertThat(bed.counter("relay.checks", "outcome", "approved")).isEqualTo(1.0);
  }

  @Test
  void aCheckNamingOnlyTheNumberIsDecidedToo() {
    bed.start("req-1");
    SendCommand command = bed.onlyCommand();
    bed.replies.readValuesToList();

    bed.checkByNumber("check-1", bed.codeOf(command));

    VerificationReply reply = bed.onlyReply();
    assertThat(reply.getKind()).isEqualTo(ReplyKind.CHECKED);
    assertThat(reply.getStatus()).isEqualTo(VerificationStatus.APPROVED);
    assertThat(reply.getValid()).isTrue();
  }

  @Test
  void aCodeTypedBeforeTheSendResultLandsApprovesAndTheLateResultIsStillRecorded() {
    String id = bed.start("req-1").getVerificationId();
    SendCommand command = bed.onlyCommand();
    bed.replies.readValuesToList();
    bed.events.readValuesToList();

    bed.check("check-1", id, bed.codeOf(command));
    assertThat(bed.onlyReply().getStatus()).isEqualTo(VerificationStatus.APPROVED);
    assertThat(bed.onlyEvent().getAttempts().get(0).getVerifiedAt()).isEqualTo(bed.now());

    bed.accepted(command, 0, "sm1");
    assertThat(bed.nothingOut()).isTrue();
    Attempt recorded = bed.state().getAttempts().get(0);
    assertThat(recorded.getProvider()).isEqualTo("twilio");
    assertThat(recorded.getOutcome()).isEqualTo(SendOutcome.ACCEPTED);
    assertThat(bed.state().getDeliveryDeadline()).as("no window for a finished verification").isNull();
  }

  @Test
  void aReplyRidesOnTheEventOfItsTransitionAndStandsAloneOnlyWithoutOne() {
    String id = bed.start("req-1").getVerificationId();
    SendCommand command = bed.onlyCommand();
    bed.accepted(command, 0, "sm1");
    bed.receipt("twilio", "sm1", DeliveryStatus.DELIVERED, null);

    // The start's reply is the created event's: no record of its own.
    List<VerificationEvent> started = bed.events.readValuesToList();
    assertThat(started).first().satisfies(created -> {
      assertThat(created.getStatus()).isEqualTo(VerificationStatus.PENDING);
      assertThat(created.getReply().getCorrelationId()).isEqualTo("reply-req-1");
      assertThat(created.getReply().getKind()).isEqualTo(ReplyKind.STARTED);
    });
    assertThat(started.subList(1, started.size())).allSatisfy(event -> assertThat(event.getReply()).isNull());
    assertThat(bed.answers.separateReplies()).isZero();
    assertThat(bed.replies.readValuesToList()).extracting(VerificationReply::getCorrelationId)
        .containsExactly("reply-req-1");

    // A wrong guess changes no status: its reply is a record of its own.
    bed.check("check-1", id, bed.wrongGuess(command, 0));
    assertThat(bed.onlyReply().getValid()).isFalse();
    assertThat(bed.answers.separateReplies()).isEqualTo(1);
    assertThat(bed.events.isEmpty()).isTrue();

    // The right code approves: its reply rides on the APPROVED event.
    bed.check("check-2", id, bed.codeOf(command));
    VerificationEvent approved = bed.onlyEvent();
    assertThat(approved.getStatus()).isEqualTo(VerificationStatus.APPROVED);
    assertThat(approved.getReply().getCorrelationId()).isEqualTo("check-2");
    assertThat(approved.getReply().getValid()).isTrue();
    assertThat(bed.onlyReply()).isEqualTo(approved.getReply());
    assertThat(bed.answers.separateReplies()).isEqualTo(1);
  }

  @Test
  void aClientThatReadsOnlyTheRepliesGetsItsReplyThere() {
    VerificationRequest direct = VerificationRequest.newBuilder(bed.start("req-1"))
        .setRequestId("req-2")
        .setReplyTo("direct-1")
        .setReplyInEvent(false)
        .setTo("+4915112345679")
        .setVerificationId(bed.secrets.ids().mint("+4915112345679"))
        .build();
    bed.replies.readValuesToList();
    bed.events.readValuesToList();

    bed.requests.pipeInput(direct.getTo(), direct, bed.now());

    assertThat(bed.onlyEvent().getReply()).isNull();
    assertThat(bed.onlyReply().getCorrelationId()).isEqualTo("direct-1");
    assertThat(bed.answers.separateReplies()).isEqualTo(1);
  }

  @Test
  void aWrongCodeStaysPendingWithOneAttemptLessAndNoEvent() {
    String id = bed.start("req-1").getVerificationId();
    SendCommand command = bed.onlyCommand();
    bed.replies.readValuesToList();
    bed.events.readValuesToList();

    bed.check("check-1", id, bed.wrongGuess(command, 0));

    VerificationReply reply = bed.onlyReply();
    assertThat(reply.getCorrelationId()).isEqualTo("check-1");
    assertThat(reply.getKind()).isEqualTo(ReplyKind.CHECKED);
    assertThat(reply.getStatus()).isEqualTo(VerificationStatus.PENDING);
    assertThat(reply.getValid()).isFalse();
    assertThat(reply.getAttemptsRemaining()).isEqualTo(4);
    assertThat(bed.nothingOut()).isTrue();
    assertThat(bed.state().getWrongGuesses()).isEqualTo(1);
  }

  @Test
  void aCheckForANumberWithoutVerificationIsNotFound() {
    String id = bed.secrets.ids().mint(DispatcherTestBed.NUMBER);
    bed.check("check-1", id, "123456");

    VerificationReply reply = bed.onlyReply();
    assertThat(reply.getKind()).isEqualTo(ReplyKind.NOT_FOUND);
    assertThat(reply.getCorrelationId()).isEqualTo("check-1");
    assertThat(reply.getVerificationId()).isEqualTo(id);
    assertThat(bed.nothingOut()).isTrue();
    assertThat(bed.state()).isNull();
  }

  @Test
  void aCheckNamingAnotherVerificationOfTheNumberIsNotFoundAndCostsNoAttempt() {
    bed.start("req-1");
    SendCommand command = bed.onlyCommand();
    bed.replies.readValuesToList();
    bed.events.readValuesToList();

    String other = bed.secrets.ids().mint(DispatcherTestBed.NUMBER);
    bed.check("check-1", other, bed.codeOf(command));

    assertThat(bed.onlyReply().getKind()).isEqualTo(ReplyKind.NOT_FOUND);
    assertThat(bed.nothingOut()).isTrue();
    assertThat(bed.state().getWrongGuesses()).isZero();
  }

  @Test
  void aGuessThatDoesNotOpenIsRefusedWithoutCountingAsWrong() {
    String id = bed.start("req-1").getVerificationId();
    SendCommand command = bed.onlyCommand();
    bed.replies.readValuesToList();
    bed.events.readValuesToList();

    // Sealed for the number only, but the check names the id: the associated data does not match.
    bed.checks.pipeInput(DispatcherTestBed.NUMBER, checkOf(id, bed.secrets.guessSealer().seal(bed.codeOf(command), null,
        DispatcherTestBed.NUMBER)));

    VerificationReply reply = bed.onlyReply();
    assertThat(reply.getKind()).isEqualTo(ReplyKind.REFUSED);
    assertThat(reply.getError()).isEqualTo("unreadable_code");
    assertThat(reply.getStatus()).isEqualTo(VerificationStatus.PENDING);
    assertThat(bed.nothingOut()).isTrue();
    assertThat(bed.state().getWrongGuesses()).isZero();
  }

  @Test
  void aSealedCodeCopiedIntoACheckDoesNotApprove() {
    String id = bed.start("req-1").getVerificationId();
    SendCommand command = bed.onlyCommand();
    bed.replies.readValuesToList();
    bed.events.readValuesToList();

    // Whoever reads send-commands or the state store holds the sealed code, not the code: as a guess it must not open.
    bed.checks.pipeInput(DispatcherTestBed.NUMBER, checkOf(id, command.getCode()));
    bed.checks.pipeInput(DispatcherTestBed.NUMBER, checkOf(id, bed.state().getSealedCode()));

    assertThat(bed.replies.readValuesToList()).hasSize(2).allSatisfy(reply -> {
      assertThat(reply.getKind()).isEqualTo(ReplyKind.REFUSED);
      assertThat(reply.getError()).isEqualTo("unreadable_code");
      assertThat(reply.getValid()).isNull();
    });
    assertThat(bed.state().getStatus()).isEqualTo(VerificationStatus.PENDING);
  }

  @Test
  void theStoredCodeIsSealedForItsVerificationAndNumberUnderTheCodeKeysOnly() {
    String id = bed.start("req-1").getVerificationId();
    SendCommand command = bed.onlyCommand();

    assertThat(bed.secrets.codeSealer().open(command.getCode(), id, DispatcherTestBed.NUMBER)).isPresent();
    assertThat(bed.secrets.codeSealer().open(command.getCode(), id, "+4915112345679")).isEmpty();
    assertThat(bed.secrets.guessSealer().open(command.getCode(), id, DispatcherTestBed.NUMBER)).isEmpty();
  }

  @Test
  void aCheckAfterApprovalIsNotFoundAndSaysNothingOfHowItEnded() {
    String id = bed.start("req-1").getVerificationId();
    SendCommand command = bed.onlyCommand();
    bed.check("check-1", id, bed.codeOf(command));
    assertThat(bed.replies.readValuesToList()).last().satisfies(reply -> assertThat(reply.getValid()).isTrue());
    bed.events.readValuesToList();

    bed.check("check-2", id, bed.codeOf(command));
    bed.checkByNumber("check-3", bed.codeOf(command));

    assertThat(bed.replies.readValuesToList()).hasSize(2).allSatisfy(reply -> {
      assertThat(reply.getKind()).isEqualTo(ReplyKind.NOT_FOUND);
      assertThat(reply.getStatus()).isEqualTo(VerificationStatus.UNKNOWN_STATUS);
      assertThat(reply.getValid()).isNull();
      assertThat(reply.getCreatedAt()).isNull();
    });
    assertThat(bed.nothingOut()).isTrue();
  }

  @Test
  void checksOnCanceledExpiredAndExhaustedVerificationsAreNotFound() {
    String canceled = bed.start("req-1").getVerificationId();
    String code = bed.codeOf(bed.onlyCommand());
    bed.act(RequestAction.CANCEL, "cancel-1", canceled, Channel.SMS);
    bed.replies.readValuesToList();
    bed.check("check-1", canceled, code);
    assertThat(bed.onlyReply().getKind()).isEqualTo(ReplyKind.NOT_FOUND);

    bed.advance(java.time.Duration.ofDays(2));
    String expired = bed.start("req-2").getVerificationId();
    String expiredCode = bed.codeOf(bed.commands.readValuesToList().get(0));
    bed.replies.readValuesToList();
    bed.advance(bed.settings.ttl().plusSeconds(1));
    bed.check("check-2", expired, expiredCode);
    assertThat(bed.replies.readValuesToList()).last()
        .satisfies(reply -> assertThat(reply.getKind()).isEqualTo(ReplyKind.NOT_FOUND));

    bed.advance(java.time.Duration.ofDays(2));
    String exhausted = bed.start("req-3").getVerificationId();
    SendCommand command = bed.commands.readValuesToList().get(0);
    bed.replies.readValuesToList();
    for (int i = 0; i < bed.settings.maxWrongGuesses(); i++) {
      bed.check("wrong-" + i, exhausted, bed.wrongGuess(command, i));
    }
    assertThat(bed.state().getStatus()).isEqualTo(VerificationStatus.MAX_ATTEMPTS_REACHED);
    bed.replies.readValuesToList();
    bed.check("check-3", exhausted, bed.codeOf(command));
    assertThat(bed.onlyReply().getKind()).isEqualTo(ReplyKind.NOT_FOUND);
  }

  private dev.relay.schemas.CodeCheckRequest checkOf(String id, dev.relay.schemas.SealedSecret sealed) {
    return dev.relay.schemas.CodeCheckRequest.newBuilder()
        .setCheckId("check-" + sealed.hashCode())
        .setVerificationId(id)
        .setTo(DispatcherTestBed.NUMBER)
        .setCode(sealed)
        .setRequestedAt(bed.now())
        .setApiKeyName(DispatcherTestBed.API_KEY)
        .build();
  }

  @Test
  void anUnreadableRecordIsSkippedAndTheNextOneIsProcessed() {
    // TopologyTestDriver does not capture dead-letter records; DeadLetterHandlerTest covers their content.
    bed.rawRequests.pipeInput(DispatcherTestBed.NUMBER.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        new byte[] {1, 2, 3});
    assertThat(bed.nothingOut()).isTrue();
    assertThat(bed.state()).isNull();

    bed.start("req-1");
    assertThat(bed.onlyReply().getKind()).isEqualTo(ReplyKind.STARTED);
  }
}
