package dev.relay.dispatcher.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.ReplyKind;
import dev.relay.schemas.RequestAction;
import dev.relay.schemas.SendCommand;
import dev.relay.schemas.VerificationReply;
import dev.relay.schemas.VerificationStatus;
import dev.relay.schemas.serde.AvroSerde;
import dev.relay.schemas.state.NumberSend;
import dev.relay.schemas.state.RequestTally;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request limits: per client IP, per network (/24, /48), per API key in their own keyed stages,
 * and per number in the number's state, where one network may only use part of the budget.
 */
class RateLimitsTopologyTest {

  private static final String IP_A = "203.0.113.7";
  private static final String IP_A_NEIGHBOUR = "203.0.113.99";
  private static final String IP_B = "198.51.100.20";

  @TempDir
  Path stateDir;

  private DispatcherTestBed bed;

  @AfterEach
  void tearDown() {
    if (bed != null) {
      bed.close();
    }
  }

  private void open(Map<String, String> limits) {
    Map<String, String> settings = new HashMap<>(Map.of(
        "relay.limits.per-ip", "", "relay.limits.per-network", "", "relay.limits.per-api-key", "",
        "relay.limits.per-number", "", "relay.limits.per-number-per-network", ""));
    settings.putAll(limits);
    bed = new DispatcherTestBed(stateDir, settings);
  }

  /** Moves the clock; the delivery windows that close meanwhile fail over, which is not what these tests look at. */
  private void advance(Duration duration) {
    bed.advance(duration);
    bed.commands.readValuesToList();
    bed.events.readValuesToList();
    assertThat(bed.replies.isEmpty()).isTrue();
  }

  private static String number(int i) {
    return "+4915112345" + String.format("%03d", i);
  }

  /**
   * A start that must go through: one command, one STARTED or EXISTING reply, and its event if new. Then
   * one tally interval passes, so its counts reach the limiter before the next request, as they do when
   * requests come further apart than the commit interval.
   */
  private SendCommand admitted(String requestId, String number, String ip, String key) {
    SendCommand command = admittedWithinTheInterval(requestId, number, ip, key);
    bed.advance(bed.settings.commitInterval());
    return command;
  }

  private SendCommand admittedWithinTheInterval(String requestId, String number, String ip, String key) {
    bed.request(RequestAction.START, requestId, number, ip, key);
    VerificationReply reply = bed.replies.readValue();
    assertThat(reply.getKind()).as(requestId + ": " + reply.getError()).isIn(ReplyKind.STARTED, ReplyKind.EXISTING);
    assertThat(bed.replies.isEmpty()).isTrue();
    SendCommand command = bed.onlyCommand();
    while (!bed.events.isEmpty()) {
      bed.events.readValue();
    }
    return command;
  }

  private TestOutputTopic<String, RequestTally> tallies() {
    return bed.driver.createOutputTopic(bed.settings.applicationId() + "-" + DispatcherNames.TALLIES_BY_LIMIT_GROUP
        + "-repartition", new StringDeserializer(), AvroSerde.of(RequestTally.class).deserializer());
  }

  private VerificationReply refused(String requestId, String number, String ip, String key) {
    bed.request(RequestAction.START, requestId, number, ip, key);
    VerificationReply reply = bed.onlyReply();
    assertThat(reply.getKind()).isEqualTo(ReplyKind.REFUSED);
    assertThat(reply.getCorrelationId()).isEqualTo("reply-" + requestId);
    assertThat(bed.nothingOut()).as("a refused request sends nothing").isTrue();
    return reply;
  }

  @Test
  void aFloodFromOneIpIsRefusedWithARetryTimeWhileAnotherIpGetsThrough() {
    open(Map.of("relay.limits.per-ip", "5/1m,20/1h"));
    for (int i = 1; i <= 5; i++) {
      admitted("a-" + i, number(i), IP_A, null);
    }

    VerificationReply reply = refused("a-6", number(6), IP_A, null);

    assertThat(reply.getError()).isEqualTo(RequestLimiter.ERROR_IP);
    assertThat(reply.getRetryAfter()).isEqualTo(DispatcherTestBed.T0.plus(Duration.ofMinutes(1)));
    assertThat(bed.state()).isNull();
    admitted("b-1", number(7), IP_B, null);
    assertThat(bed.counter("relay.requests.limited", "limit", RequestLimiter.ERROR_IP)).isEqualTo(1.0);

    advance(Duration.ofMinutes(1));
    admitted("a-7", number(8), IP_A, null);
  }

  @Test
  void theStartsOfOneGroupWithinATallyIntervalReachTheLimiterAsOneRecordAndAnIdleBranchSendsNothing() {
    open(Map.of("relay.limits.per-api-key", "100/1m"));
    TestOutputTopic<String, RequestTally> tallies = tallies();
    for (int i = 1; i <= 5; i++) {
      admittedWithinTheInterval("k-" + i, number(i), i % 2 == 0 ? IP_A : IP_B, "shop");
    }
    admittedWithinTheInterval("o-1", number(6), IP_A, "other");
    assertThat(tallies.isEmpty()).as("nothing before the interval is over").isTrue();

    bed.advance(bed.settings.commitInterval());

    assertThat(tallies.readKeyValuesToMap()).containsOnlyKeys("key|shop", "key|other")
        .hasEntrySatisfying("key|shop", tally -> assertThat(tally.getCounts()).containsExactly(Map.entry("key|shop", 5)))
        .hasEntrySatisfying("key|other", tally -> assertThat(tally.getCounts()).containsExactly(Map.entry("key|other", 1)));
    bed.advance(bed.settings.commitInterval().multipliedBy(10));
    assertThat(tallies.isEmpty()).as("nothing counted, nothing sent").isTrue();
  }

  @Test
  void aNetworksTallyCarriesEachOfItsAddresses() {
    open(Map.of("relay.limits.per-ip", "100/1m", "relay.limits.per-network", "100/1m"));
    TestOutputTopic<String, RequestTally> tallies = tallies();
    admittedWithinTheInterval("a-1", number(1), IP_A, null);
    admittedWithinTheInterval("a-2", number(2), IP_A, null);
    admittedWithinTheInterval("a-3", number(3), IP_A_NEIGHBOUR, null);

    bed.advance(bed.settings.commitInterval());

    assertThat(tallies.readValuesToList()).singleElement().satisfies(tally -> assertThat(tally.getCounts())
        .containsOnly(Map.entry("ip|" + IP_A, 2), Map.entry("ip|" + IP_A_NEIGHBOUR, 1), Map.entry("net|203.0.113.0/24", 3)));
  }

  @Test
  void aBurstWithinOneIntervalIsCountedWholeAndRefusedOnceItsTallyIsIn() {
    open(Map.of("relay.limits.per-api-key", "3/1m"));
    // The bound of an eventually consistent limit: what comes within one interval is admitted, and counted.
    for (int i = 1; i <= 5; i++) {
      admittedWithinTheInterval("k-" + i, number(i), IP_A, "shop");
    }

    bed.advance(bed.settings.commitInterval());

    assertThat(refused("k-6", number(6), IP_B, "shop").getError()).isEqualTo(RequestLimiter.ERROR_API_KEY);
  }

  @Test
  void theHourlyLimitOutlastsTheMinuteOne() {
    open(Map.of("relay.limits.per-ip", "2/1m,3/1h"));
    admitted("a-1", number(1), IP_A, null);
    admitted("a-2", number(2), IP_A, null);
    advance(Duration.ofMinutes(2));
    admitted("a-3", number(3), IP_A, null);
    advance(Duration.ofMinutes(2));

    VerificationReply reply = refused("a-4", number(4), IP_A, null);

    assertThat(reply.getRetryAfter()).isEqualTo(DispatcherTestBed.T0.plus(Duration.ofHours(1)));
  }

  @Test
  void addressesOfOneSlash24ShareTheNetworkLimit() {
    open(Map.of("relay.limits.per-network", "2/1m"));
    admitted("a-1", number(1), IP_A, null);
    admitted("a-2", number(2), IP_A_NEIGHBOUR, null);

    assertThat(refused("a-3", number(3), "203.0.113.150", null).getError()).isEqualTo(RequestLimiter.ERROR_NETWORK);
    admitted("b-1", number(4), IP_B, null);
  }

  @Test
  void ipv6AddressesShareTheirSlash48() {
    open(Map.of("relay.limits.per-network", "1/1m"));
    admitted("a-1", number(1), "2001:db8:0:1::1", null);

    // Another /64 of the same /48: one subscriber's allocation, one budget.
    assertThat(refused("a-2", number(2), "2001:db8:0:ffff::2", null).getError()).isEqualTo(RequestLimiter.ERROR_NETWORK);
    admitted("b-1", number(3), "2001:db8:1:1::1", null);
  }

  @Test
  void anApiKeyHasItsOwnLimit() {
    open(Map.of("relay.limits.per-api-key", "2/1m"));
    admitted("k-1", number(1), IP_A, "shop");
    admitted("k-2", number(2), IP_B, "shop");

    assertThat(refused("k-3", number(3), "192.0.2.1", "shop").getError()).isEqualTo(RequestLimiter.ERROR_API_KEY);
    admitted("o-1", number(4), "192.0.2.1", "other");
  }

  @Test
  void statusAndCancelAreNeverCountedAndRequestsWithoutAnAddressPassTheIpStage() {
    open(Map.of("relay.limits.per-ip", "1/1m"));
    admitted("a-1", DispatcherTestBed.NUMBER, IP_A, null);
    for (int i = 0; i < 3; i++) {
      bed.request(RequestAction.STATUS, "s-" + i, DispatcherTestBed.NUMBER, IP_A, null);
      assertThat(bed.onlyReply().getKind()).isEqualTo(ReplyKind.STATUS);
    }
    bed.request(RequestAction.CANCEL, "c-1", DispatcherTestBed.NUMBER, IP_A, null);
    assertThat(bed.onlyReply().getKind()).isEqualTo(ReplyKind.CANCELED);
    bed.onlyEvent();

    admitted("k-1", number(2), null, null);
    admitted("k-2", number(3), null, null);
  }

  @Test
  void aNumbersSendsAreLimitedAcrossItsVerificationsAndTheVerificationStaysUsable() {
    // A window longer than the test's steps: no failover spends the budget here (FailoverBudgetTopologyTest).
    open(Map.of("relay.limits.per-number", "3/10m", "relay.verification.delivery-window", "5m"));
    SendCommand first = admitted("n-1", DispatcherTestBed.NUMBER, null, null);
    advance(Duration.ofMinutes(1));
    admitted("n-2", DispatcherTestBed.NUMBER, null, null);
    bed.request(RequestAction.CANCEL, "c-1", DispatcherTestBed.NUMBER, null, null);
    bed.onlyReply();
    bed.onlyEvent();
    admitted("n-3", DispatcherTestBed.NUMBER, null, null);

    VerificationReply reply = refused("n-4", DispatcherTestBed.NUMBER, null, null);

    assertThat(reply.getError()).isEqualTo(VerificationLifecycle.ERROR_NUMBER_LIMIT);
    assertThat(reply.getRetryAfter()).isEqualTo(DispatcherTestBed.T0.plus(Duration.ofMinutes(10)));
    assertThat(reply.getStatus()).isEqualTo(VerificationStatus.PENDING);
    bed.request(RequestAction.RESEND, "r-1", DispatcherTestBed.NUMBER, null, null);
    assertThat(bed.onlyReply().getError()).as("a resend is a send too").isEqualTo(VerificationLifecycle.ERROR_NUMBER_LIMIT);
    assertThat(bed.nothingOut()).isTrue();

    // The pending verification's window closes at 6 minutes: its failover is withheld, the budget is used up.
    advance(Duration.ofMinutes(6));
    advance(Duration.ofMinutes(3));
    admitted("n-5", DispatcherTestBed.NUMBER, null, null);
  }

  @Test
  void oneNetworkCannotSpendTheWholeBudgetOfANumberSoItsOwnerStillGetsACode() {
    open(Map.of("relay.limits.per-number", "5/10m", "relay.limits.per-number-per-network", "3/10m"));
    for (int i = 1; i <= 3; i++) {
      admitted("attacker-" + i, DispatcherTestBed.NUMBER, IP_A, null);
    }

    VerificationReply attacker = refused("attacker-4", DispatcherTestBed.NUMBER, IP_A_NEIGHBOUR, null);

    assertThat(attacker.getError()).isEqualTo(VerificationLifecycle.ERROR_NUMBER_NETWORK_LIMIT);
    SendCommand owner = admitted("owner-1", DispatcherTestBed.NUMBER, IP_B, null);
    assertThat(owner.getAttempt()).isEqualTo(4);
  }

  // ---------------------------------------------------------------- the number's sends, in its state

  private void cancel(String requestId) {
    bed.request(RequestAction.CANCEL, requestId, DispatcherTestBed.NUMBER, IP_A, null);
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
    open(Map.of("relay.limits.per-number", "5/10m"));
    TestOutputTopic<byte[], byte[]> states = changelog(DispatcherNames.VERIFICATIONS_STORE);
    TestOutputTopic<byte[], byte[]> numberSends = changelog(DispatcherNames.NUMBER_SENDS_STORE);

    Instant at = bed.now();
    admitted("s-1", DispatcherTestBed.NUMBER, IP_A, null);

    assertThat(states.readRecordsToList()).hasSize(1);
    assertThat(numberSends.isEmpty()).as("the number-sends store is no longer written").isTrue();
    assertThat(bed.state().getNumberSends()).containsExactly(new NumberSend(at.toEpochMilli(), "203.0.113.0/24"));
  }

  @Test
  void aNewVerificationOfTheNumberTakesOverTheSendsALimitStillCounts() {
    open(Map.of("relay.limits.per-number", "3/1d"));
    Instant first = bed.now();
    admittedWithinTheInterval("s-1", DispatcherTestBed.NUMBER, IP_A, null);
    cancel("c-1");
    advance(Duration.ofHours(23));
    Instant second = bed.now();
    admittedWithinTheInterval("s-2", DispatcherTestBed.NUMBER, IP_A, null);
    assertThat(sendTimes()).containsExactly(first, second);
    cancel("c-2");

    // The first send leaves the day-long window; the second is still in it.
    advance(Duration.ofHours(2));
    admittedWithinTheInterval("s-3", DispatcherTestBed.NUMBER, IP_A, null);

    assertThat(sendTimes()).containsExactly(second, bed.now());
  }

  @Test
  void aFinishedVerificationIsKeptWhileItsSendsStillCountEvenWithAShorterRetention() {
    open(Map.of("relay.verification.retention", "1h", "relay.limits.per-number", "2/1d"));
    admittedWithinTheInterval("s-1", DispatcherTestBed.NUMBER, IP_A, null);
    cancel("c-1");

    // Hours past the retention, the state (and with it the number's one send) is still there.
    advance(Duration.ofHours(5));
    assertThat(bed.state()).isNotNull();
    admittedWithinTheInterval("s-2", DispatcherTestBed.NUMBER, IP_A, null);
    cancel("c-2");
    assertThat(refused("s-3", DispatcherTestBed.NUMBER, IP_A, null).getError())
        .as("the third send in a day").isEqualTo(VerificationLifecycle.ERROR_NUMBER_LIMIT);

    // A day after it finished, nothing of it is counted any more, and it goes.
    advance(Duration.ofDays(1).plusMinutes(1));
    assertThat(bed.state()).isNull();
  }
}
