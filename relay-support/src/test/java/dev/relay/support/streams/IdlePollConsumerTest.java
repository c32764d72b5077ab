package dev.relay.support.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How long the main consumer lets a poll wait: the whole {@code poll.ms} only when its thread is idle. */
class IdlePollConsumerTest {

  private static final Duration COMMIT_INTERVAL = Duration.ofMillis(20);
  private static final Duration IDLE_POLL = Duration.ofSeconds(1);
  private static final Optional<Duration> NONE_DUE = Optional.empty();

  @Test
  void anIdlePollWaitsAsLongAsStreamsAsks() {
    assertThat(IdlePollConsumer.boundedPoll(IDLE_POLL, false, false, COMMIT_INTERVAL, NONE_DUE)).isEqualTo(IDLE_POLL);
  }

  @Test
  void aPollRightAfterRecordsWaitsNoLongerThanTheCommitInterval() {
    assertThat(IdlePollConsumer.boundedPoll(IDLE_POLL, true, false, COMMIT_INTERVAL, NONE_DUE)).isEqualTo(COMMIT_INTERVAL);
  }

  @Test
  void aPollWhileTheThreadStartsOrRestoresWaitsNoLongerThanKafkaStreamsDefault() {
    assertThat(IdlePollConsumer.boundedPoll(IDLE_POLL, false, true, COMMIT_INTERVAL, NONE_DUE))
        .isEqualTo(IdlePollConsumer.SETTLING_POLL).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void theShorterBoundHoldsWhenBothApply() {
    assertThat(IdlePollConsumer.boundedPoll(IDLE_POLL, true, true, COMMIT_INTERVAL, NONE_DUE)).isEqualTo(COMMIT_INTERVAL);
    assertThat(IdlePollConsumer.boundedPoll(IDLE_POLL, true, true, Duration.ofSeconds(5), NONE_DUE))
        .isEqualTo(IdlePollConsumer.SETTLING_POLL);
  }

  @Test
  void aShorterPollThanEitherBoundStaysShort() {
    assertThat(IdlePollConsumer.boundedPoll(Duration.ZERO, true, true, COMMIT_INTERVAL, NONE_DUE)).isEqualTo(Duration.ZERO);
  }

  @Test
  void anIdlePollEndsWhenThePunctuationIsDue() {
    Optional<Duration> due = Optional.of(Duration.ofMillis(300));
    assertThat(IdlePollConsumer.boundedPoll(IDLE_POLL, false, false, COMMIT_INTERVAL, due))
        .isEqualTo(Duration.ofMillis(300));
  }

  @Test
  void aPunctuationDueLaterThanTheOtherBoundsChangesNothing() {
    Optional<Duration> due = Optional.of(Duration.ofSeconds(5));
    assertThat(IdlePollConsumer.boundedPoll(IDLE_POLL, false, false, COMMIT_INTERVAL, due)).isEqualTo(IDLE_POLL);
    assertThat(IdlePollConsumer.boundedPoll(IDLE_POLL, true, false, COMMIT_INTERVAL, due)).isEqualTo(COMMIT_INTERVAL);
  }
}
