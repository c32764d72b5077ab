package dev.relay.support.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedPunctuator;
import org.junit.jupiter.api.Test;

/** The due times a poll is told: when each punctuation scheduled through the wakes comes due next. */
class WallClockWakesTest {

  private final AtomicLong clock = new AtomicLong(10_000);
  private final WallClockWakes wakes = new WallClockWakes(clock::get);
  private final MockProcessorContext<String, String> context = new MockProcessorContext<>();
  private final List<Long> fired = new ArrayList<>();

  @Test
  void aPollIsToldHowLongUntilThePunctuationIsDue() {
    wakes.schedule(context, Duration.ofMillis(500), fired::add);

    assertThat(wakes.untilNext(10_000)).contains(Duration.ofMillis(500));
    assertThat(wakes.untilNext(10_200)).contains(Duration.ofMillis(300));
  }

  @Test
  void theEarliestOfSeveralPunctuationsCounts() {
    wakes.schedule(context, Duration.ofSeconds(30), fired::add);
    wakes.schedule(context, Duration.ofSeconds(2), fired::add);

    assertThat(wakes.untilNext(10_000)).contains(Duration.ofSeconds(2));
  }

  @Test
  void aRepeatingPunctuationIsToldAgainForItsNextDueTimeAndOwesACommit() {
    wakes.schedule(context, Duration.ofMillis(500), fired::add);
    assertThat(wakes.takePunctuated()).isFalse();

    fire(10_500);

    assertThat(fired).containsExactly(10_500L);
    assertThat(wakes.takePunctuated()).isTrue();
    assertThat(wakes.takePunctuated()).isFalse();
    assertThat(wakes.untilNext(10_500)).contains(Duration.ofMillis(500));
  }

  @Test
  void aPunctuationFiredLateIsDueNextAsKafkaStreamsSchedulesIt() {
    wakes.schedule(context, Duration.ofMillis(500), fired::add);

    // Streams skips the missed steps of the schedule and keeps to it: 10,500, 11,000, 11,500 missed, next 12,000.
    fire(11_700);

    assertThat(wakes.untilNext(11_700)).contains(Duration.ofMillis(300));
  }

  @Test
  void aCancelledPunctuationIsNoLongerDue() {
    Cancellable wake = wakes.schedule(context, Duration.ofMillis(500), fired::add);

    wake.cancel();

    assertThat(captured().cancelled()).isTrue();
    assertThat(wakes.untilNext(10_000)).isEmpty();
  }

  @Test
  void aPunctuatorThatCancelsItselfWhenItFiresIsNotToldAgain() {
    Cancellable[] self = new Cancellable[1];
    self[0] = wakes.schedule(context, Duration.ofMillis(500), timestamp -> self[0].cancel());

    fire(10_500);

    assertThat(wakes.untilNext(10_500)).isEmpty();
    assertThat(wakes.takePunctuated()).isTrue();
  }

  @Test
  void aDueTimeThatPassedIsForgottenWhetherOrNotItsPunctuatorRan() {
    // Its task may have closed without cancelling it: a poll must not keep ending at once for it.
    wakes.schedule(context, Duration.ofMillis(500), fired::add);

    assertThat(wakes.untilNext(10_501)).isEmpty();
    // Gone, not only passed: a poll that asks as if earlier is not told it either.
    assertThat(wakes.untilNext(10_000)).isEmpty();
  }

  @Test
  void twoPunctuationsDueInTheSameMillisecondAreBothKept() {
    Cancellable first = wakes.schedule(context, Duration.ofMillis(500), fired::add);
    wakes.schedule(context, Duration.ofMillis(500), fired::add);

    first.cancel();

    assertThat(wakes.untilNext(10_000)).contains(Duration.ofMillis(500));
  }

  @Test
  void theDueTimeIsTakenAfterKafkaStreamsTookItsOwnSoAPollEndingThenFindsItDue() {
    // Streams reads the clock inside schedule(); the wakes read it after: never earlier than Streams' due time.
    MockProcessorContext<String, String> advancing = new MockProcessorContext<>() {
      @Override
      public Cancellable schedule(Duration interval, PunctuationType type, Punctuator punctuator) {
        Cancellable scheduled = super.schedule(interval, type, punctuator);
        clock.addAndGet(3);
        return scheduled;
      }
    };

    wakes.schedule(advancing, Duration.ofMillis(500), fired::add);

    assertThat(wakes.untilNext(10_000)).contains(Duration.ofMillis(503));
  }

  private void fire(long at) {
    captured().getPunctuator().punctuate(at);
  }

  private CapturedPunctuator captured() {
    return context.scheduledPunctuators().get(0);
  }
}
