package dev.relay.dispatcher.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.RouteFact;
import dev.relay.schemas.SendCommand;
import dev.relay.schemas.RequestAction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifecycle hands its send results and events to the route-fact processors, which tell scoring on
 * route-facts, keyed by route, what each route is scored on (the rules: {@code FactProcessorsTest}).
 * Routes for DE: SMS twilio then vonage.
 */
class RouteFactsTopologyTest {

  @TempDir
  Path stateDir;

  private DispatcherTestBed bed;

  @BeforeEach
  void start() {
    bed = new DispatcherTestBed(stateDir);
  }

  @AfterEach
  void tearDown() {
    bed.close();
  }

  @Test
  void aFastFailoverAndTheCodeEnteredAreToldForTheirRoutes() {
    bed.start("req-1");
    SendCommand first = bed.onlyCommand();
    bed.onlyReply();

    bed.rejected(first, 0, false, ErrorCategory.PROVIDER_ERROR);
    bed.accepted(first, 1, "vm1");
    bed.receipt("vonage", "vm1", DeliveryStatus.DELIVERED, null);
    bed.advance(Duration.ofSeconds(5));
    bed.check("check-1", first.getVerificationId(), bed.codeOf(first));

    List<String> told = bed.facts.readKeyValuesToList().stream()
        .map(fact -> fact.key + " " + fact.value.getKind() + " " + fact.value.getFirstSend()
            + (fact.value.getReason() == null ? "" : " " + fact.value.getReason()))
        .toList();
    assertThat(told).containsExactly(
        "twilio|DE|SMS TRIED true",
        "twilio|DE|SMS FAILOVER false REJECTION",
        "vonage|DE|SMS TRIED true",
        "vonage|DE|SMS COMPLETION true");
    assertThat(bed.outcomes.readValuesToList()).as("the delivery is told on delivery-outcomes").hasSize(1);
  }

  @Test
  void aCompletionIsToldAtItsSendsTimeAndNamesItsVerification() {
    bed.start("req-1");
    SendCommand first = bed.onlyCommand();
    bed.onlyReply();
    bed.accepted(first, 0, "sm1");
    long sentAt = bed.now().toEpochMilli();
    bed.facts.readRecordsToList();

    bed.advance(Duration.ofSeconds(20));
    bed.check("check-1", first.getVerificationId(), bed.codeOf(first));

    var completion = bed.facts.readRecord();
    assertThat(completion.value().getKind()).hasToString("COMPLETION");
    assertThat(completion.value().getVerificationId()).isEqualTo(first.getVerificationId());
    assertThat(completion.value().getAttempt()).isEqualTo(1);
    assertThat(completion.getRecordTime().toEpochMilli()).as("in the send's pane, not the check's").isEqualTo(sentAt);
  }

  @Test
  void aCodeEnteredBeforeItsSendResultIsCompletedWhenTheResultComes() {
    // A vendor that answers its API call after the handset has the message, or a sender behind: the person
    // checks before the dispatcher knows the send was accepted, so the approval names no route yet.
    bed.start("req-1");
    SendCommand first = bed.onlyCommand();
    bed.onlyReply();
    bed.advance(Duration.ofMillis(300));
    bed.check("check-1", first.getVerificationId(), bed.codeOf(first));
    assertThat(bed.facts.readValuesToList()).as("no route to credit yet").isEmpty();

    bed.advance(Duration.ofMillis(200));
    bed.accepted(first, 0, "sm1");
    long acceptedAt = bed.now().toEpochMilli();

    List<String> told = bed.facts.readRecordsToList().stream()
        .map(fact -> fact.key() + " " + fact.value().getKind() + " " + fact.value().getFirstSend()
            + (fact.getRecordTime().toEpochMilli() == acceptedAt ? " at its send" : ""))
        .toList();
    assertThat(told).containsExactly("twilio|DE|SMS TRIED true at its send", "twilio|DE|SMS COMPLETION true at its send");

    bed.accepted(first, 0, "sm1");
    assertThat(bed.facts.readValuesToList()).extracting(RouteFact::getKind).as("once").doesNotContain(
        dev.relay.schemas.RouteFactKind.COMPLETION);
  }

  @Test
  void theInputClockIsSavedAboutOnceASecondNotOncePerInput() {
    // Ten verifications of ten numbers, each started and its send accepted, 200 ms apart: 20 inputs in 2 s.
    for (int i = 0; i < 10; i++) {
      bed.request(RequestAction.START, "req-" + i, "+4915100000" + (100 + i), null, DispatcherTestBed.API_KEY);
      bed.accepted(bed.commands.readValue(), 0, "sm" + i);
      bed.advance(Duration.ofMillis(200));
    }

    int saved = bed.driver.createOutputTopic(bed.settings.applicationId() + "-" + DispatcherNames.INPUT_CLOCK_STORE
        + "-changelog", new ByteArrayDeserializer(), new ByteArrayDeserializer()).readValuesToList().size();
    assertThat(saved).as("once for each second its inputs entered, not once per input").isBetween(2, 3);
    assertThat(bed.facts.readValuesToList()).extracting(RouteFact::getKind).hasSize(10);
  }
}
