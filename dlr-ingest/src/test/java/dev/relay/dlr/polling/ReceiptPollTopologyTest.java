package dev.relay.dlr.polling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.Channel;
import dev.relay.schemas.DeliveryReceipt;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.SendOutcome;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.topics.Topics;
import dev.relay.support.kafka.KafkaAccess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReceiptPollTopologyTest {

  private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
  private static final String NUMBER = "+4915112345678";
  private static final PollSettings SETTINGS = new PollSettings(true, Duration.ofSeconds(60), Duration.ofSeconds(30), 3,
      Set.of("twilio", "plivo"), Duration.ofSeconds(1));

  @TempDir
  Path stateDir;

  private final Topics topics = Topics.defaults();
  private TopologyTestDriver driver;
  private TestInputTopic<String, SendResult> sendResults;
  private TestInputTopic<String, DeliveryReceipt> receipts;
  private TestOutputTopic<String, SendResult> polls;

  @BeforeEach
  void start() {
    // The service's own settings; the driver commits after every record, whatever the interval.
    Properties props = ReceiptPolling.streamsProperties(KafkaAccess.plaintext("unused:9092"), "relay-dlr-test", stateDir,
        Duration.ofSeconds(1), (short) 1);
    driver = new TopologyTestDriver(ReceiptPollTopology.build(topics, SETTINGS), props, T0);
    sendResults = driver.createInputTopic(topics.sendResults.name(), topics.sendResults.keySerde().serializer(),
        topics.sendResults.valueSerde().serializer());
    receipts = driver.createInputTopic(topics.deliveryReceipts.name(), topics.deliveryReceipts.keySerde().serializer(),
        topics.deliveryReceipts.valueSerde().serializer());
    polls = driver.createOutputTopic(topics.receiptPolls.name(), topics.receiptPolls.keySerde().deserializer(),
        topics.receiptPolls.valueSerde().deserializer());
  }

  @AfterEach
  void close() {
    driver.close();
  }

  static SendResult send(String provider, String messageId, SendOutcome outcome, Instant completedAt) {
    return SendResult.newBuilder()
        .setVerificationId("VEtest").setAttempt(1).setIdempotencyKey("VEtest-1").setTryIndex(0).setLastTry(true)
        .setProvider(provider).setChannel(Channel.SMS).setTo(NUMBER).setCountry("DE").setOutcome(outcome)
        .setErrorCategory(outcome == SendOutcome.ACCEPTED ? ErrorCategory.NONE : ErrorCategory.NO_ROUTE)
        .setProviderMessageId(messageId).setStartedAt(completedAt.minusMillis(80)).setCompletedAt(completedAt).build();
  }

  static DeliveryReceipt receipt(String provider, String messageId, DeliveryStatus status, boolean finalStatus) {
    return DeliveryReceipt.newBuilder()
        .setReceiptId("DR-" + messageId + "-" + status).setProvider(provider).setProviderMessageId(messageId)
        .setIdempotencyKey("VEtest-1").setTo(NUMBER).setCountry("DE").setStatus(status).setFinalStatus(finalStatus)
        .setVendorStatus(status.name().toLowerCase()).setOccurredAt(T0).setReceivedAt(T0).build();
  }

  private void advance(Duration duration) {
    driver.advanceWallClockTime(duration);
  }

  @Test
  void anOverdueSendIsPolledAfterTheWaitThenEveryIntervalAndGivenUpAfterTheLastPoll() {
    SendResult accepted = send("twilio", "sm100", SendOutcome.ACCEPTED, T0);
    sendResults.pipeInput(NUMBER, accepted, T0);

    advance(Duration.ofSeconds(59));
    assertThat(polls.isEmpty()).isTrue();
    advance(Duration.ofSeconds(1));
    assertThat(polls.readKeyValue()).isEqualTo(KeyValue.pair(NUMBER, accepted));
    assertThat(polls.isEmpty()).isTrue();

    advance(Duration.ofSeconds(29));
    assertThat(polls.isEmpty()).isTrue();
    advance(Duration.ofSeconds(1));
    assertThat(polls.readKeyValue()).isEqualTo(KeyValue.pair(NUMBER, accepted));
    advance(Duration.ofSeconds(30));
    assertThat(polls.readKeyValue()).isEqualTo(KeyValue.pair(NUMBER, accepted));

    advance(Duration.ofMinutes(10));
    assertThat(polls.isEmpty()).isTrue();
    assertThat(driver.getKeyValueStore(ReceiptPollTopology.AWAITING_STORE).approximateNumEntries()).isZero();
    assertThat(driver.getKeyValueStore(ReceiptPollTopology.DEADLINES_STORE).approximateNumEntries()).isZero();
  }

  @Test
  void aFinalReceiptBeforeTheWaitEndsMeansNoPollWhateverCaseTheVendorEchoes() {
    sendResults.pipeInput(NUMBER, send("twilio", "sm200", SendOutcome.ACCEPTED, T0), T0);
    receipts.pipeInput(NUMBER, receipt("Twilio", "SM200", DeliveryStatus.DELIVERED, true), T0.plusSeconds(2));

    advance(Duration.ofMinutes(5));

    assertThat(polls.isEmpty()).isTrue();
  }

  @Test
  void intermediateReceiptsDoNotStopPollingButAFinalOneAfterTheFirstPollDoes() {
    SendResult accepted = send("twilio", "sm300", SendOutcome.ACCEPTED, T0);
    sendResults.pipeInput(NUMBER, accepted, T0);
    receipts.pipeInput(NUMBER, receipt("twilio", "sm300", DeliveryStatus.SENT, false), T0.plusSeconds(1));

    advance(Duration.ofSeconds(60));
    assertThat(polls.readValuesToList()).containsExactly(accepted);

    // The poll's own answer comes back through delivery-receipts.
    receipts.pipeInput(NUMBER, receipt("twilio", "sm300", DeliveryStatus.UNDELIVERED, true), T0.plusSeconds(61));
    advance(Duration.ofMinutes(5));
    assertThat(polls.isEmpty()).isTrue();
  }

  @Test
  void aFinalReceiptThatOutrunsItsSendResultMeansNoPollAndIsForgottenAfterTheWait() {
    receipts.pipeInput(NUMBER, receipt("twilio", "SM600", DeliveryStatus.DELIVERED, true), T0);
    receipts.pipeInput(NUMBER, receipt("twilio", "SM600", DeliveryStatus.DELIVERED, true), T0);
    sendResults.pipeInput(NUMBER, send("twilio", "sm600", SendOutcome.ACCEPTED, T0), T0);

    advance(Duration.ofMinutes(5));

    assertThat(polls.isEmpty()).isTrue();
    assertThat(driver.getKeyValueStore(ReceiptPollTopology.EARLY_RECEIPTS_STORE).approximateNumEntries()).isZero();
    assertThat(driver.getKeyValueStore(ReceiptPollTopology.DEADLINES_STORE).approximateNumEntries()).isZero();
  }

  @Test
  void anEarlyReceiptWhoseSendNeverCameIsForgottenAfterTheWait() {
    receipts.pipeInput(NUMBER, receipt("twilio", "SM700", DeliveryStatus.FAILED, true), T0);
    assertThat(driver.getKeyValueStore(ReceiptPollTopology.EARLY_RECEIPTS_STORE).approximateNumEntries()).isEqualTo(1);

    advance(Duration.ofSeconds(61));

    assertThat(driver.getKeyValueStore(ReceiptPollTopology.EARLY_RECEIPTS_STORE).approximateNumEntries()).isZero();
    assertThat(driver.getKeyValueStore(ReceiptPollTopology.DEADLINES_STORE).approximateNumEntries()).isZero();
    assertThat(polls.isEmpty()).isTrue();
  }

  @Test
  void theWaitRunsFromTheSendsCompletionSoAReplayedOldSendIsPolledAtTheNextScan() {
    SendResult old = send("twilio", "sm400", SendOutcome.ACCEPTED, T0.minus(Duration.ofMinutes(10)));
    sendResults.pipeInput(NUMBER, old, T0);

    advance(Duration.ofSeconds(1));

    assertThat(polls.readValuesToList()).containsExactly(old);
  }

  @Test
  void anOldSendThatArrivesAfterScansHaveRunIsStillPolled() {
    SendResult fresh = send("twilio", "sm401", SendOutcome.ACCEPTED, T0);
    sendResults.pipeInput(NUMBER, fresh, T0);
    advance(Duration.ofSeconds(60));
    assertThat(polls.readValuesToList()).containsExactly(fresh);

    // A result that reaches the index late (a backlog after a restart): its first poll lies before the
    // scans that have run, which read on from where the last one stopped.
    SendResult late = send("plivo", "1f2e3d4c-0000-1111-2222-333344440401", SendOutcome.ACCEPTED,
        T0.minusSeconds(10));
    sendResults.pipeInput(NUMBER, late, T0.plusSeconds(60));
    advance(Duration.ofSeconds(1));

    assertThat(polls.readValuesToList()).containsExactly(late);
  }

  @Test
  void rejectedSendsSendsWithoutAnIdAndVendorsWithoutAStatusLookupAreNeverPolled() {
    sendResults.pipeInput(NUMBER, send("twilio", null, SendOutcome.REJECTED, T0), T0);
    sendResults.pipeInput(NUMBER, send("twilio", null, SendOutcome.ACCEPTED, T0), T0);
    sendResults.pipeInput(NUMBER, send("vonage", "0a00000012345678", SendOutcome.ACCEPTED, T0), T0);

    advance(Duration.ofMinutes(5));

    assertThat(polls.isEmpty()).isTrue();
  }

  @Test
  void aSendReportedTwiceIsPolledOncePerRound() {
    SendResult accepted = send("plivo", "1f2e3d4c-0000-1111-2222-333344445555", SendOutcome.ACCEPTED, T0);
    sendResults.pipeInput(NUMBER, accepted, T0);
    sendResults.pipeInput(NUMBER, accepted, T0.plusSeconds(5));

    advance(Duration.ofSeconds(60));

    assertThat(polls.readValuesToList()).containsExactly(accepted);
  }

  @Test
  void everyProcessorStoreAndSinkIsNamed() {
    Topology topology = ReceiptPollTopology.build(topics, SETTINGS);

    assertThat(topology.describe().toString()).isEqualTo("""
        Topologies:
           Sub-topology: 0
            Source: receipt-polls-send-results-source (topics: [relay.send-results])
              --> receipt-polls-track-sends
            Source: receipt-polls-delivery-receipts-source (topics: [relay.delivery-receipts])
              --> receipt-polls-settle-on-receipt
            Processor: receipt-polls-track-sends (stores: [receipt-polls-awaiting, receipt-polls-deadlines, receipt-polls-early-receipts])
              --> receipt-polls-sink
              <-- receipt-polls-send-results-source
            Processor: receipt-polls-settle-on-receipt (stores: [receipt-polls-awaiting, receipt-polls-deadlines, receipt-polls-early-receipts])
              --> none
              <-- receipt-polls-delivery-receipts-source
            Sink: receipt-polls-sink (topic: relay.receipt-polls)
              <-- receipt-polls-track-sends

        """);
  }
}
