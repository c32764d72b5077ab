package dev.relay.support.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How long the main consumer lets a poll wait: the whole {@code poll.ms} only when its thread is idle. */
class IdlePollConsumerTest {

  private static final Duration COMMIT_INTERVAL = Duration.ofMillis(20);
  private static final Duration IDLE_POLL = Duration.ofSeconds(1);

  @Test
  void anIdlePollWaitsAsLongAsStreamsAsks() {
    assertThat(IdlePollConsumer.boundedPoll(IDLE_POLL, false, false, COMMIT_INTERVAL)).isEqualTo(IDLE_POLL);
  }

  @Test
  void aPollRightAfterRecordsWaitsNoLongerThanTheCommitInterval() {
    assertThat(IdlePollConsumer.boundedPoll(IDLE_POLL, true, false, COMMIT_INTERVAL)).isEqualTo(COMMIT_INTERVAL);
  }

  @Test
  void aPollWhileTheThreadStartsOrRestoresWaitsNoLongerThanKafkaStreamsDefault() {
    assertThat(IdlePollConsumer.boundedPoll(IDLE_POLL, false, true, COMMIT_INTERVAL))
        .isEqualTo(IdlePollConsumer.SETTLING_POLL).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void theShorterBoundHoldsWhenBothApply() {
    assertThat(IdlePollConsumer.boundedPoll(IDLE_POLL, true, true, COMMIT_INTERVAL)).isEqualTo(COMMIT_INTERVAL);
    assertThat(IdlePollConsumer.boundedPoll(IDLE_POLL, true, true, Duration.ofSeconds(5)))
        .isEqualTo(IdlePollConsumer.SETTLING_POLL);
  }

  @Test
  void aShorterPollThanEitherBoundStaysShort() {
    assertThat(IdlePollConsumer.boundedPoll(Duration.ZERO, true, true, COMMIT_INTERVAL)).isEqualTo(Duration.ZERO);
  }
}
