package dev.relay.dispatcher.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.schemas.Channel;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.Route;
import dev.relay.schemas.SendCommand;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.topics.ProviderScoreKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A send whose receipt is overdue against its route's own record fails over before the delivery window
 * closes (issue 16: a silently dropping route is seen while the person still waits). At the defaults:
 * twice the route's p95 time to delivery, at least 5 s, once its published score has 20 deliveries; the
 * window (30 s) still bounds it. The bed's DE SMS routes are twilio, then vonage.
 */
class OverdueReceiptTopologyTest {

  private static final Duration WINDOW = Duration.ofSeconds(30);

  @TempDir
  Path stateDir;

  private DispatcherTestBed bed;

  @AfterEach
  void tearDown() {
    bed.close();
  }

  @Test
  void aReceiptOverdueAtTwiceTheRoutesUsualTimeSendsTheSameCodeThroughTheNextRoute() {
    bed = new DispatcherTestBed(stateDir);
    publishTwilio(100, 3_000L);
    SendCommand first = acceptedByTwilio();

    bed.advance(Duration.ofMillis(6_000 - 200));
    assertThat(bed.nothingOut()).as("not overdue before twice twilio's p95 of 3 s").isTrue();
    bed.advance(Duration.ofMillis(200));

    SendCommand second = bed.onlyCommand();
    assertThat(second.getReason()).isEqualTo(SendReason.TIMEOUT);
    assertThat(second.getRoutes()).extracting(Route::getProvider).containsExactly("vonage");
    assertThat(bed.codeOf(second).equals(bed.codeOf(first))).as("the same code is resent").isTrue();
    assertThat(bed.onlyEvent().getReason()).isEqualTo("failover:timeout");
  }

  @Test
  void aReceiptInTimeEndsTheWaitWithoutFailover() {
    bed = new DispatcherTestBed(stateDir);
    publishTwilio(100, 3_000L);
    acceptedByTwilio();

    bed.advance(Duration.ofSeconds(4));
    bed.receipt("twilio", "sm1", DeliveryStatus.DELIVERED, null);
    bed.advance(WINDOW.multipliedBy(2));

    assertThat(bed.commands.isEmpty()).as("no failover after a receipt in time").isTrue();
    assertThat(bed.state().getDeliveryDeadline()).isNull();
  }

  @Test
  void aRouteWithTooFewReceiptsOrNoReceiptTimesKeepsTheWholeWindow() {
    bed = new DispatcherTestBed(stateDir);
    publishTwilio(19, 3_000L);
    acceptedByTwilio();
    assertFailoverOnlyAfter(WINDOW);

    bed.close();
    bed = new DispatcherTestBed(stateDir.resolve("no-times"));
    publishTwilio(100, null);
    acceptedByTwilio();
    assertFailoverOnlyAfter(WINDOW);
  }

  @Test
  void fastReceiptsStillWaitTheFloorAndSlowOnesNeverLongerThanTheWindow() {
    bed = new DispatcherTestBed(stateDir);
    publishTwilio(100, 1_000L);
    acceptedByTwilio();
    assertFailoverOnlyAfter(Duration.ofSeconds(5));

    bed.close();
    bed = new DispatcherTestBed(stateDir.resolve("slow"));
    publishTwilio(100, 20_000L);
    acceptedByTwilio();
    assertFailoverOnlyAfter(WINDOW);
  }

  @Test
  void aFactorOfZeroOrRoutingWithoutScoresKeepsTheWholeWindow() {
    bed = new DispatcherTestBed(stateDir, Map.of(DispatcherConfig.OVERDUE_RECEIPT_FACTOR.name(), "0"));
    publishTwilio(100, 3_000L);
    acceptedByTwilio();
    assertFailoverOnlyAfter(WINDOW);

    bed.close();
    bed = new DispatcherTestBed(stateDir.resolve("no-scores"), Map.of(DispatcherConfig.USE_SCORES.name(), "false"));
    publishTwilio(100, 3_000L);
    acceptedByTwilio();
    assertFailoverOnlyAfter(WINDOW);
  }

  @Test
  void theOperatorsFactorAndFloorHold() {
    bed = new DispatcherTestBed(stateDir, Map.of(DispatcherConfig.OVERDUE_RECEIPT_FACTOR.name(), "1.5",
        DispatcherConfig.OVERDUE_RECEIPT_FLOOR.name(), "8s"));
    publishTwilio(100, 6_000L);
    acceptedByTwilio();
    assertFailoverOnlyAfter(Duration.ofSeconds(9));

    bed.close();
    bed = new DispatcherTestBed(stateDir.resolve("floor"), Map.of(DispatcherConfig.OVERDUE_RECEIPT_FACTOR.name(), "1.5",
        DispatcherConfig.OVERDUE_RECEIPT_FLOOR.name(), "8s"));
    publishTwilio(100, 2_000L);
    acceptedByTwilio();
    assertFailoverOnlyAfter(Duration.ofSeconds(8));
  }

  private void publishTwilio(long delivered, Long p95Millis) {
    bed.driver.createInputTopic(bed.topics.providerScores.name(), new StringSerializer(),
            bed.topics.providerScores.valueSerde().serializer())
        .pipeInput(ProviderScoreKeys.key("twilio", "DE", Channel.SMS), ProviderScore.newBuilder()
            .setProvider("twilio")
            .setCountry("DE")
            .setChannel(Channel.SMS)
            .setTried(delivered)
            .setAccepted(delivered)
            .setDelivered(delivered)
            .setTimeToDeliveryP50Millis(p95Millis == null ? null : p95Millis / 2)
            .setTimeToDeliveryP95Millis(p95Millis)
            .setScore(0.9)
            .setUpdatedAt(DispatcherTestBed.T0)
            .build());
  }

  /** A fresh verification whose first send twilio accepts now. */
  private SendCommand acceptedByTwilio() {
    bed.start("req-1");
    SendCommand first = bed.onlyCommand();
    bed.onlyReply();
    bed.onlyEvent();
    assertThat(first.getRoutes()).extracting(Route::getProvider).startsWith("twilio");
    bed.accepted(first, 0, "sm1");
    return first;
  }

  private void assertFailoverOnlyAfter(Duration wait) {
    bed.advance(wait.minusMillis(200));
    assertThat(bed.nothingOut()).as("no failover before %s", wait).isTrue();
    bed.advance(Duration.ofMillis(200));
    assertThat(bed.onlyCommand().getReason()).isEqualTo(SendReason.TIMEOUT);
    bed.onlyEvent();
  }
}
