package dev.relay.dispatcher.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.ReplyKind;
import dev.relay.schemas.RequestAction;
import dev.relay.schemas.VerificationReply;
import dev.relay.schemas.state.NumberSend;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A number's sends, what its per-number limits count, live in the number's state: written with it, taken
 * over by each new verification of the number while a limit can still count them, and kept as long as that.
 */
class SendHistoryTopologyTest {

  private static final String NUMBER = DispatcherTestBed.NUMBER;
  private static final String IP = "203.0.113.7";

  @TempDir
  Path stateDir;

  private DispatcherTestBed bed;

  @AfterEach
  void tearDown() {
    if (bed != null) {
      bed.close();
    }
  }

  private void open(Map<String, String> settings) {
    bed = new DispatcherTestBed(stateDir, settings);
  }

  private ReplyKind start(String requestId) {
    bed.request(RequestAction.START, requestId, NUMBER, IP, null);
    VerificationReply reply = bed.onlyReply();
    bed.commands.readValuesToList();
    bed.drainEvents();
    return reply.getKind();
  }

  private void cancel(String requestId) {
    bed.request(RequestAction.CANCEL, requestId, NUMBER, IP, null);
    assertThat(bed.onlyReply().getKind()).isNotEqualTo(ReplyKind.REFUSED);
    bed.drainEvents();
  }

  private List<Instant> sendTimes() {
    return bed.state().getNumberSends().stream().map(send -> Instant.ofEpochMilli(send.getAt())).toList();
  }

  private TestOutputTopic<byte[], byte[]> changelog(String store) {
    return bed.driver.createOutputTopic(bed.settings.applicationId() + "-" + store + "-changelog",
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  @Test
  void aSendIsOneChangelogRecordOfTheNumbersStateAndNoneOfAnotherStore() {
    open(Map.of());
    TestOutputTopic<byte[], byte[]> states = changelog(DispatcherNames.VERIFICATIONS_STORE);
    TestOutputTopic<byte[], byte[]> numberSends = changelog(DispatcherNames.NUMBER_SENDS_STORE);

    assertThat(start("s-1")).isEqualTo(ReplyKind.STARTED);

    assertThat(states.readRecordsToList()).hasSize(1);
    assertThat(numberSends.isEmpty()).as("the number-sends store is no longer written").isTrue();
    List<NumberSend> sends = bed.state().getNumberSends();
    assertThat(sends).containsExactly(new NumberSend(bed.now().toEpochMilli(), "203.0.113.0/24"));
  }

  @Test
  void aNewVerificationOfTheNumberTakesOverTheSendsALimitStillCounts() {
    open(Map.of("relay.limits.per-number", "3/1d", "relay.limits.per-number-per-network", ""));
    Instant first = bed.now();
    start("s-1");
    cancel("c-1");
    bed.advance(Duration.ofHours(23));
    Instant second = bed.now();
    start("s-2");
    assertThat(sendTimes()).containsExactly(first, second);
    cancel("c-2");

    // The first send leaves the day-long window; the second is still in it.
    bed.advance(Duration.ofHours(2));
    start("s-3");

    assertThat(sendTimes()).containsExactly(second, bed.now());
  }

  @Test
  void aFinishedVerificationIsKeptWhileItsSendsStillCountEvenWithAShorterRetention() {
    open(Map.of("relay.verification.retention", "1h", "relay.limits.per-number", "2/1d",
        "relay.limits.per-number-per-network", ""));
    start("s-1");
    cancel("c-1");

    // Hours past the retention, the state (and with it the number's one send) is still there.
    bed.advance(Duration.ofHours(5));
    assertThat(bed.state()).isNotNull();
    assertThat(start("s-2")).isEqualTo(ReplyKind.STARTED);
    cancel("c-2");
    assertThat(start("s-3")).as("the third send in a day").isEqualTo(ReplyKind.REFUSED);

    // A day after it finished, nothing of it is counted any more, and it goes.
    bed.advance(Duration.ofDays(1).plusMinutes(1));
    assertThat(bed.state()).isNull();
  }
}
