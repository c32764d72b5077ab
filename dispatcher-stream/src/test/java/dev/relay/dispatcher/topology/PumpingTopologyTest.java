package dev.relay.dispatcher.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.Channel;
import dev.relay.schemas.CodeCheckRequest;
import dev.relay.schemas.PrefixBlock;
import dev.relay.schemas.PrefixBlockState;
import dev.relay.schemas.ReplyKind;
import dev.relay.schemas.RequestAction;
import dev.relay.schemas.SendCommand;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.VerificationReply;
import dev.relay.schemas.VerificationRequest;
import dev.relay.schemas.serde.AvroSerde;
import dev.relay.schemas.state.PrefixEvent;
import dev.relay.schemas.state.PrefixTally;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anti-pumping through the whole topology: the lifecycle's events reach the detector keyed by
 * prefix, its block reaches every lifecycle through the global store, and starts to the prefix are
 * refused while other prefixes go on; an operator's release and the block's own end let them
 * through again. Also the per-number send history, which must not keep a number for ever.
 */
class PumpingTopologyTest {

  private static final String PUMPED = "49151";
  private static final String OTHER_NUMBER = "+4916012345678";
  private static final Duration BLOCK_FOR = Duration.ofHours(1);
  private static final Duration GRACE = Duration.ofMinutes(30);

  @TempDir
  Path stateDir;

  private DispatcherTestBed bed;
  private TestOutputTopic<String, PrefixBlock> blocks;
  private TestInputTopic<String, PrefixBlock> operator;
  private int sequence;

  @BeforeEach
  void setUp() {
    bed = new DispatcherTestBed(stateDir, Map.of(
        "relay.pumping.min-starts", "5",
        "relay.pumping.window", "10m",
        "relay.pumping.bucket", "1m",
        "relay.pumping.completion-delay", "0s",
        "relay.pumping.block-for", "1h",
        "relay.pumping.release-grace", "30m"));
    blocks = bed.driver.createOutputTopic(bed.topics.blockedPrefixes.name(), new StringDeserializer(),
        bed.topics.blockedPrefixes.valueSerde().deserializer());
    operator = bed.driver.createInputTopic(bed.topics.blockedPrefixes.name(), new StringSerializer(),
        bed.topics.blockedPrefixes.valueSerde().serializer());
  }

  @AfterEach
  void tearDown() {
    bed.close();
  }

  private static String pumpedNumber(int i) {
    return "+4915112345" + (100 + i);
  }

  /** A start for a new number of the pumped prefix; returns its reply. */
  private VerificationReply startPumped() {
    String number = pumpedNumber(sequence);
    bed.request(RequestAction.START, "pump-" + sequence++, number, null, null);
    return lastReply();
  }

  private VerificationReply lastReply() {
    List<VerificationReply> replies = bed.replies.readValuesToList();
    assertThat(replies).hasSize(1);
    return replies.get(0);
  }

  /** Lets the anti-pumping branch's tally interval pass, so the detector has judged every event so far. */
  private void tallied() {
    bed.advance(PrefixTallies.INTERVAL);
  }

  private void drain() {
    bed.commands.readValuesToList();
    bed.events.readValuesToList();
    bed.replies.readValuesToList();
  }

  private PrefixBlock pumpUntilBlocked(int starts) {
    for (int i = 0; i < starts; i++) {
      assertThat(startPumped().getKind()).isEqualTo(ReplyKind.STARTED);
    }
    drain();
    tallied();
    PrefixBlock block = blocks.readValue();
    assertThat(blocks.isEmpty()).as("exactly one block").isTrue();
    return block;
  }

  @Test
  void failoversAndResendsCountAsSendsSoOneStartThatNeverDeliversCanTripTheDetector() {
    bed.close();
    bed = new DispatcherTestBed(stateDir.resolve("failovers"), Map.of(
        "relay.pumping.min-starts", "5",
        "relay.pumping.window", "10m",
        "relay.pumping.completion-delay", "0s",
        "relay.fallback.voice-countries", "DE"));
    blocks = bed.driver.createOutputTopic(bed.topics.blockedPrefixes.name(), new StringDeserializer(),
        bed.topics.blockedPrefixes.valueSerde().deserializer());
    // One start; the number never confirms delivery: a timeout failover, the voice fallback, then two
    // resends. Five paid sends to the prefix, which the detector must see although one verification was created.
    String number = pumpedNumber(0);
    bed.request(RequestAction.START, "pump-once", number, null, null);
    bed.accepted(bed.commands.readValue(), 0, "sm-1");
    for (SendReason expected : List.of(SendReason.TIMEOUT, SendReason.CHANNEL_FALLBACK)) {
      bed.advance(Duration.ofSeconds(31));
      SendCommand failover = bed.commands.readValue();
      assertThat(failover.getReason()).isEqualTo(expected);
      bed.accepted(failover, 0, "m-" + failover.getAttempt());
    }
    tallied();
    assertThat(blocks.isEmpty()).as("three sends, below the floor").isTrue();
    bed.request(RequestAction.RESEND, "pump-resend-1", number, null, null);
    tallied();
    assertThat(blocks.isEmpty()).isTrue();
    bed.request(RequestAction.RESEND, "pump-resend-2", number, null, null);
    tallied();

    PrefixBlock block = blocks.readValue();
    assertThat(block.getPrefix()).isEqualTo(PUMPED);
    assertThat(block.getStartedInWindow()).as("the start, two failovers and two resends").isEqualTo(5);
    assertThat(bed.state(number).getSendsUsed()).isEqualTo(5);
  }

  @Test
  void startsNobodyCompletesBlockThePrefixAndOnlyIt() {
    for (int i = 0; i < 4; i++) {
      assertThat(startPumped().getKind()).isEqualTo(ReplyKind.STARTED);
    }
    tallied();
    assertThat(blocks.isEmpty()).as("below the floor").isTrue();

    Instant fifth = bed.now();
    assertThat(startPumped().getKind()).isEqualTo(ReplyKind.STARTED);
    drain();
    tallied();

    var record = blocks.readRecord();
    assertThat(blocks.isEmpty()).isTrue();
    assertThat(record.key()).isEqualTo(PUMPED);
    PrefixBlock block = record.value();
    assertThat(block.getPrefix()).isEqualTo(PUMPED);
    assertThat(block.getCountry()).isEqualTo("DE");
    assertThat(block.getState()).isEqualTo(PrefixBlockState.BLOCKED);
    assertThat(block.getStartedInWindow()).isEqualTo(5);
    assertThat(block.getApprovedInWindow()).isZero();
    assertThat(block.getCompletionRate()).isZero();
    assertThat(block.getBaselinePerWindow()).isZero();
    assertThat(block.getBlockedAt()).as("when the send that filled the pattern happened").isEqualTo(fifth);
    assertThat(block.getBlockedUntil()).isEqualTo(fifth.plus(BLOCK_FOR));
    assertThat(block.getReleasedAt()).isNull();
    assertThat(block.getReason()).contains("5 sends dispatched").doesNotContain("+49");

    // A new number of the prefix is refused, with the block's end to retry after, and nothing is sent.
    VerificationReply refused = startPumped();
    assertThat(refused.getKind()).isEqualTo(ReplyKind.REFUSED);
    assertThat(refused.getError()).isEqualTo(VerificationLifecycle.ERROR_PREFIX_BLOCKED);
    assertThat(refused.getRetryAfter()).isEqualTo(fifth.plus(BLOCK_FOR));
    assertThat(bed.commands.isEmpty()).isTrue();
    assertThat(bed.events.isEmpty()).isTrue();
    assertThat(bed.counter("relay.requests.limited", "limit", "prefix_blocked")).isEqualTo(1);

    // So is a resend of a verification started before the block.
    bed.request(RequestAction.RESEND, "resend-0", pumpedNumber(0), null, null);
    VerificationReply resend = lastReply();
    assertThat(resend.getKind()).isEqualTo(ReplyKind.REFUSED);
    assertThat(resend.getError()).isEqualTo(VerificationLifecycle.ERROR_PREFIX_BLOCKED);
    assertThat(bed.commands.isEmpty()).isTrue();

    // Another prefix goes on as before.
    bed.request(RequestAction.START, "other", OTHER_NUMBER, null, null);
    assertThat(lastReply().getKind()).isEqualTo(ReplyKind.STARTED);
    assertThat(bed.commands.readValuesToList()).hasSize(1);
    tallied();
    assertThat(blocks.isEmpty()).isTrue();
  }

  @Test
  void theSendsAndApprovalsOfOnePrefixWithinAnIntervalReachTheDetectorAsOneRecordInTheirOrder() {
    TestOutputTopic<String, PrefixTally> tallies = bed.driver.createOutputTopic(
        bed.settings.applicationId() + "-" + DispatcherNames.TALLIES_BY_PREFIX + "-repartition",
        new StringDeserializer(), AvroSerde.of(PrefixTally.class).deserializer());
    String number = pumpedNumber(0);
    bed.request(RequestAction.START, "start-0", number, null, null);
    SendCommand command = bed.commands.readValue();
    bed.checks.pipeInput(number, CodeCheckRequest.newBuilder()
        .setCheckId("check-0")
        .setVerificationId(command.getVerificationId())
        .setTo(number)
        .setCode(bed.secrets.guessSealer().seal(bed.codeOf(command), command.getVerificationId(), number))
        .setRequestedAt(bed.now())
        .build(), bed.now());
    bed.request(RequestAction.START, "start-1", pumpedNumber(1), null, null);
    bed.request(RequestAction.START, "other", OTHER_NUMBER, null, null);
    drain();
    assertThat(tallies.isEmpty()).as("nothing before the interval is over").isTrue();

    tallied();

    Map<String, PrefixTally> sent = tallies.readKeyValuesToMap();
    assertThat(sent).containsOnlyKeys(PUMPED, "49160");
    assertThat(sent.get(PUMPED).getCountry()).isEqualTo("DE");
    assertThat(sent.get(PUMPED).getEvents()).extracting(PrefixEvent::getApproved).containsExactly(false, true, false);
    assertThat(sent.get("49160").getEvents()).hasSize(1);
    tallied();
    assertThat(tallies.isEmpty()).as("nothing read, nothing sent").isTrue();
  }

  @Test
  void aPrefixWhoseCodesAreTypedInIsNotBlocked() {
    for (int i = 0; i < 8; i++) {
      String number = pumpedNumber(i);
      bed.request(RequestAction.START, "start-" + i, number, null, null);
      List<SendCommand> commands = bed.commands.readValuesToList();
      assertThat(commands).hasSize(1);
      SendCommand command = commands.get(0);
      if (i % 2 == 0) {
        bed.checks.pipeInput(number, CodeCheckRequest.newBuilder()
            .setCheckId("check-" + i)
            .setVerificationId(command.getVerificationId())
            .setTo(number)
            .setCode(bed.secrets.guessSealer().seal(bed.codeOf(command), command.getVerificationId(), number))
            .setRequestedAt(bed.now())
            .build(), bed.now());
      }
    }
    List<VerificationReply> replies = bed.replies.readValuesToList();

    assertThat(replies).filteredOn(reply -> reply.getKind() == ReplyKind.CHECKED)
        .hasSize(4).allSatisfy(reply -> assertThat(reply.getValid()).isTrue());
    assertThat(replies).filteredOn(reply -> reply.getKind() == ReplyKind.STARTED).hasSize(8);
    tallied();
    assertThat(blocks.isEmpty()).isTrue();
  }

  @Test
  void anOperatorsReleaseLetsStartsThroughAndHoldsOffTheDetectorForTheGracePeriod() {
    PrefixBlock block = pumpUntilBlocked(5);
    bed.advance(Duration.ofMinutes(5));
    Instant releasedAt = bed.now();

    operator.pipeInput(PUMPED, PrefixBlock.newBuilder(block)
        .setState(PrefixBlockState.RELEASED)
        .setReleasedAt(releasedAt)
        .setReleasedBy("ops")
        .build(), releasedAt);
    blocks.readValuesToList();

    // The same pattern again right away: served, and no new block within the grace period.
    for (int i = 0; i < 10; i++) {
      assertThat(startPumped().getKind()).isEqualTo(ReplyKind.STARTED);
    }
    drain();
    tallied();
    assertThat(blocks.isEmpty()).isTrue();

    // After the grace period, the detector judges the prefix again, on starts made since.
    bed.advance(GRACE.minus(PrefixTallies.INTERVAL));
    drain();
    PrefixBlock again = pumpUntilBlocked(5);
    assertThat(again.getBlockedAt()).isEqualTo(releasedAt.plus(GRACE));
    assertThat(again.getStartedInWindow()).isEqualTo(5);
    assertThat(startPumped().getError()).isEqualTo(VerificationLifecycle.ERROR_PREFIX_BLOCKED);
  }

  @Test
  void aBlockLapsesByItself() {
    PrefixBlock block = pumpUntilBlocked(5);
    assertThat(startPumped().getKind()).isEqualTo(ReplyKind.REFUSED);

    bed.advance(Duration.between(bed.now(), block.getBlockedUntil()).minusSeconds(1));
    drain();
    assertThat(startPumped().getKind()).isEqualTo(ReplyKind.REFUSED);
    bed.advance(Duration.ofSeconds(1));
    drain();

    assertThat(startPumped().getKind()).isEqualTo(ReplyKind.STARTED);
    drain();
    tallied();
    assertThat(blocks.isEmpty()).as("one start since is below the floor").isTrue();
  }

  @Test
  void pumpingSwitchedOffBlocksNothing() {
    bed.close();
    bed = new DispatcherTestBed(stateDir.resolve("off"), Map.of(
        "relay.pumping.enabled", "false", "relay.pumping.min-starts", "5", "relay.pumping.completion-delay", "0s"));
    blocks = bed.driver.createOutputTopic(bed.topics.blockedPrefixes.name(), new StringDeserializer(),
        bed.topics.blockedPrefixes.valueSerde().deserializer());

    for (int i = 0; i < 10; i++) {
      assertThat(startPumped().getKind()).isEqualTo(ReplyKind.STARTED);
    }
    tallied();
    assertThat(blocks.isEmpty()).isTrue();
  }

  @Test
  void aPrefixWithNothingLeftToRememberLeavesTheStoreButABlockedOneStays() {
    KeyValueStore<String, ?> activity = bed.driver.getKeyValueStore(DispatcherNames.PREFIX_ACTIVITY_STORE);
    pumpUntilBlocked(5);
    bed.request(RequestAction.START, "other", OTHER_NUMBER, null, null);
    drain();
    tallied();
    assertThat(activity.get("49160")).isNotNull();

    // The other prefix's one start has left the window and its baseline is far below the floor.
    bed.advance(Duration.ofMinutes(11).plus(PumpingDetector.PURGE_INTERVAL));
    assertThat(activity.get("49160")).isNull();
    assertThat(activity.get(PUMPED)).as("blocked for an hour").isNotNull();

    bed.advance(BLOCK_FOR);
    assertThat(activity.get(PUMPED)).isNull();
  }
}
