package dev.relay.bench.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** After the crash, each acknowledged verification is taken up as its person would, and judged by its state. */
class FollowUpTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ID = "VE1";

  private final FakeRelay relay = new FakeRelay();
  private final FollowUp followUp = new FollowUp(relay, new Handset(relay, Duration.ofMillis(20), Duration.ofMillis(1)));

  @Test
  void aVerificationApprovedDuringTheRunIsReadAndMustStillBeApproved() throws Exception {
    Person approved = acknowledged();
    approved.check = Answer.of(200, JSON.createObjectNode().put("status", "approved"), null);
    relay.states.put(ID, "approved");

    followUp.settle(approved);

    assertThat(approved.outcome).isEqualTo(FollowUp.APPROVED);
    assertThat(relay.calls).containsExactly("read");
  }

  @Test
  void anApprovalTheCrashForgotIsFoundByTheRead() throws Exception {
    Person forgotten = acknowledged();
    forgotten.check = Answer.of(200, JSON.createObjectNode().put("status", "approved"), null);

    followUp.settle(forgotten);

    assertThat(forgotten.outcome).isEqualTo("pending");
  }

  @Test
  void theCodeHeldIsCheckedAgainWhenItsAnswerWasLost() throws Exception {
    Person person = acknowledged();
    person.code = relay.code;
    person.check = Answer.none("ConnectException");

    followUp.settle(person);

    assertThat(person.outcome).isEqualTo(FollowUp.APPROVED);
    assertThat(relay.calls).containsExactly("check 123456");
  }

  @Test
  void aCheckThatMetAnEndedVerificationReadsItsState() throws Exception {
    Person person = acknowledged();
    person.code = relay.code;
    relay.states.put(ID, "approved");

    followUp.settle(person);

    assertThat(person.outcome).isEqualTo(FollowUp.APPROVED);
    assertThat(relay.calls).containsExactly("check 123456", "read");
  }

  @Test
  void aCodeHeldThatNoLongerWorksIsNotApproved() throws Exception {
    Person person = acknowledged();
    person.code = "999999";

    followUp.settle(person);

    assertThat(person.outcome).isEqualTo("not approved");
    assertThat(person.followUp).contains("check 200 pending");
  }

  @Test
  void withoutACodeThePersonTakesTheOneThatCameSinceWithoutAskingAgain() throws Exception {
    Person person = acknowledged();
    relay.codeAlreadyAtHandset();

    followUp.settle(person);

    assertThat(person.outcome).isEqualTo(FollowUp.APPROVED);
    assertThat(relay.calls).containsExactly("check 123456");
  }

  @Test
  void withoutACodeThePersonPressesResendAndChecksWhatComes() throws Exception {
    Person person = acknowledged();

    followUp.settle(person);

    assertThat(person.outcome).isEqualTo(FollowUp.APPROVED);
    assertThat(relay.calls).containsExactly("resend", "check 123456");
  }

  @Test
  void aResendThatBringsNothingLeavesTheVerificationUnapproved() throws Exception {
    Person person = acknowledged();
    relay.resendDelivers = false;

    followUp.settle(person);

    assertThat(person.outcome).isEqualTo("no code came (pending)");
    assertThat(relay.calls).containsExactly("resend", "read");
  }

  private static Person acknowledged() {
    Person person = new Person("+4915120000001", 1.0);
    person.start = Answer.of(201, JSON.createObjectNode().put("id", ID).put("status", "pending"), null);
    return person;
  }
}
