package dev.relay.dispatcher.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.relay.schemas.Attempt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.ProviderTry;
import dev.relay.schemas.SendCommand;
import dev.relay.schemas.SendOutcome;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.VerificationStatus;
import dev.relay.schemas.state.VerificationState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every provider try on the record (issue 15): a fast failover keeps the rejected try with its vendor
 * code, Relay's category and the time it cost beside the accepted one, in order, in the state and in
 * the events; later sends keep theirs with the reason they were made. Routes for DE: SMS twilio then
 * vonage.
 */
class ProviderTriesTopologyTest {

  private static final Duration WINDOW = Duration.ofSeconds(30);

  @TempDir
  Path stateDir;

  private DispatcherTestBed bed;
  private String id;
  private SendCommand first;

  @BeforeEach
  void startOneVerification() {
    bed = new DispatcherTestBed(stateDir);
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
  void aFastFailoverKeepsTheRejectedAndTheAcceptedTryInOrderInTheStateAndTheEvent() {
    Instant t = bed.now();
    bed.results.pipeInput(first.getTo(), rejected(first, 0, false, ErrorCategory.THROTTLED, "20429",
        t.plusMillis(10), t.plusMillis(180)), bed.now());
    bed.results.pipeInput(first.getTo(), accepted(first, 1, "v-1", 6_500L, t.plusMillis(181), t.plusMillis(420)), bed.now());
    assertThat(bed.nothingOut()).as("an accepted try is no transition: no event, no command").isTrue();

    Attempt attempt = bed.state().getAttempts().get(0);
    assertThat(attempt.getProvider()).isEqualTo("vonage");
    assertThat(attempt.getTries()).isEqualTo(2);
    List<ProviderTry> expected = List.of(
        new ProviderTry(0, "twilio", Channel.SMS, SendReason.INITIAL, "table", SendOutcome.REJECTED,
            ErrorCategory.THROTTLED, "20429", null, t.plusMillis(10), t.plusMillis(180)),
        new ProviderTry(1, "vonage", Channel.SMS, SendReason.REJECTION, "table", SendOutcome.ACCEPTED,
            null, null, 6_500L, t.plusMillis(181), t.plusMillis(420)));
    assertThat(attempt.getProviderTries()).containsExactlyElementsOf(expected);

    bed.check("chk-1", id, bed.codeOf(first));

    VerificationEvent approved = bed.onlyEvent();
    assertThat(approved.getStatus()).isEqualTo(VerificationStatus.APPROVED);
    assertThat(approved.getAttempts()).hasSize(1);
    assertThat(approved.getAttempts().get(0).getProviderTries()).containsExactlyElementsOf(expected);
    assertThat(bed.state().getAttempts().get(0).getProviderTries()).as("the finished state keeps them")
        .containsExactlyElementsOf(expected);
  }

  @Test
  void whenEveryRouteRejectsTheFailoverEventCarriesEachRejectionWithItsVendorCode() {
    bed.results.pipeInput(first.getTo(), rejected(first, 0, false, ErrorCategory.THROTTLED, "20429",
        bed.now(), bed.now().plusMillis(90)), bed.now());
    bed.results.pipeInput(first.getTo(), rejected(first, 1, true, ErrorCategory.PROVIDER_ERROR, "500",
        bed.now().plusMillis(91), bed.now().plusMillis(300)), bed.now());

    VerificationEvent failed = bed.onlyEvent();
    assertThat(failed.getStatus()).as("no route left, no voice fallback in DE").isEqualTo(VerificationStatus.FAILED);
    assertThat(failed.getAttempts().get(0).getProviderTries())
        .extracting(ProviderTry::getProvider, ProviderTry::getReason, ProviderTry::getOutcome, ProviderTry::getErrorCategory,
            ProviderTry::getVendorCode)
        .containsExactly(
            tuple("twilio", SendReason.INITIAL, SendOutcome.REJECTED, ErrorCategory.THROTTLED, "20429"),
            tuple("vonage", SendReason.REJECTION, SendOutcome.REJECTED, ErrorCategory.PROVIDER_ERROR, "500"));
  }

  @Test
  void aSendAfterTheWindowRecordsItsTryWithTheReasonItWasMade() {
    bed.results.pipeInput(first.getTo(), accepted(first, 0, "sm1", null, bed.now(), bed.now().plusMillis(50)), bed.now());
    bed.advance(WINDOW);
    SendCommand second = bed.onlyCommand();
    bed.onlyEvent();

    bed.results.pipeInput(second.getTo(), accepted(second, 0, "v-2", 6_500L, bed.now(), bed.now().plusMillis(70)), bed.now());

    assertThat(bed.state().getAttempts()).extracting(Attempt::getAttempt, attempt -> attempt.getProviderTries().stream()
            .map(one -> one.getProvider() + ":" + one.getReason() + ":" + one.getOutcome() + ":" + one.getPriceMicros()).toList())
        .containsExactly(
            tuple(1, List.of("twilio:INITIAL:ACCEPTED:null")),
            tuple(2, List.of("vonage:TIMEOUT:ACCEPTED:6500")));
  }

  @Test
  void aResultReadAgainIsOneTryAndTriesBeyondTheCapAreCountedButNotKept() {
    SendResult throttled = rejected(first, 0, false, ErrorCategory.THROTTLED, "20429", bed.now(), bed.now());
    bed.results.pipeInput(first.getTo(), throttled, bed.now());
    bed.results.pipeInput(first.getTo(), throttled, bed.now());
    assertThat(bed.state().getAttempts().get(0).getProviderTries()).extracting(ProviderTry::getTryIndex).containsExactly(0);

    // A command with more routes than the cap (a table gone wrong): the state stays bounded.
    SendResult far = rejected(first, 1, false, ErrorCategory.THROTTLED, "20429", bed.now(), bed.now());
    far.setTryIndex(VerificationLifecycle.RECORDED_TRIES_PER_SEND);
    bed.results.pipeInput(first.getTo(), far, bed.now());

    VerificationState state = bed.state();
    assertThat(state.getAttempts().get(0).getProviderTries()).extracting(ProviderTry::getTryIndex).containsExactly(0);
    assertThat(state.getAttempts().get(0).getTries()).isEqualTo(VerificationLifecycle.RECORDED_TRIES_PER_SEND + 1);
  }

  @Test
  void aSenderThatDoesNotNameTheRoutingReasonLeavesTheFirstTryWithTheSendsOwn() {
    SendResult old = accepted(first, 0, "sm1", null, bed.now(), bed.now());
    old.setRoutingReason(null);
    bed.results.pipeInput(first.getTo(), old, bed.now());

    assertThat(bed.state().getAttempts().get(0).getProviderTries()).extracting(ProviderTry::getRoutingReason)
        .containsExactly(first.getRoutes().get(0).getRoutingReason());
  }

  private SendResult rejected(SendCommand command, int tryIndex, boolean lastTry, ErrorCategory category, String vendorCode,
      Instant startedAt, Instant completedAt) {
    SendResult result = bed.result(command, tryIndex, lastTry, SendOutcome.REJECTED, category, null);
    result.setVendorCode(vendorCode);
    result.setVendorMessage("Too Many Requests");
    result.setRoutingReason(command.getRoutes().get(tryIndex).getRoutingReason());
    result.setStartedAt(startedAt);
    result.setCompletedAt(completedAt);
    return result;
  }

  private SendResult accepted(SendCommand command, int tryIndex, String messageId, Long priceMicros, Instant startedAt,
      Instant completedAt) {
    SendResult result = bed.result(command, tryIndex, true, SendOutcome.ACCEPTED, ErrorCategory.NONE, messageId);
    result.setPriceMicros(priceMicros);
    result.setRoutingReason(command.getRoutes().get(tryIndex).getRoutingReason());
    result.setStartedAt(startedAt);
    result.setCompletedAt(completedAt);
    return result;
  }
}
