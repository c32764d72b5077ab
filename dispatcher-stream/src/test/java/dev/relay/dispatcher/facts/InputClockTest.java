package dev.relay.dispatcher.facts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InputClockTest {

  private static final long MIN_OUTAGE = 10_000;

  @Test
  void aSilenceOfEveryInputLongerThanTheMinimumAndFiftyMeanIntervalsIsAnOutage() {
    InputClock clock = steady(InputClock.EMPTY, 0, 100, 200);
    long lastInput = clock.lastInputAt();

    InputClock after = clock.observe(lastInput + 30_000, MIN_OUTAGE);

    assertThat(after.outageStart()).isEqualTo(lastInput);
    assertThat(after.outageEnd()).isEqualTo(lastInput + 30_000);
    assertThat(after.outageWithin(lastInput - 5_000, lastInput + 30_000)).isTrue();
    assertThat(after.outageWithin(lastInput + 1, lastInput + 40_000)).as("began after Relay went down").isFalse();
    assertThat(after.outageWithin(lastInput - 5_000, lastInput + 29_999)).as("ended before Relay came back").isFalse();
    assertThat(after.meanGapMillis()).as("the silence is no sample of normal traffic").isEqualTo(clock.meanGapMillis());
  }

  @Test
  void aSilenceShorterThanTheMinimumIsNone() {
    InputClock clock = steady(InputClock.EMPTY, 0, 100, 200);

    assertThat(clock.observe(clock.lastInputAt() + MIN_OUTAGE - 1, MIN_OUTAGE).outageStart()).isEqualTo(InputClock.NONE);
  }

  @Test
  void inQuietTrafficOnlyASilenceOfFiftyMeanIntervalsIsAnOutage() {
    // An input every 5 s: 30 s of silence is normal there, 250 s is not.
    InputClock clock = steady(InputClock.EMPTY, 0, 5_000, 200);

    assertThat(clock.observe(clock.lastInputAt() + 30_000, MIN_OUTAGE).outageStart()).isEqualTo(InputClock.NONE);
    assertThat(clock.observe(clock.lastInputAt() + 260_000, MIN_OUTAGE).outageStart()).isEqualTo(clock.lastInputAt());
  }

  @Test
  void nothingIsAnOutageBeforeFiftyInputsWereSeen() {
    InputClock clock = steady(InputClock.EMPTY, 0, 100, 10);

    assertThat(clock.observe(clock.lastInputAt() + 600_000, MIN_OUTAGE).outageStart()).isEqualTo(InputClock.NONE);
  }

  @Test
  void anInputOutOfOrderDoesNotMoveTheClockBack() {
    InputClock clock = steady(InputClock.EMPTY, 0, 100, 200);

    InputClock after = clock.observe(clock.lastInputAt() - 50_000, MIN_OUTAGE);

    assertThat(after.lastInputAt()).isEqualTo(clock.lastInputAt());
    assertThat(after.outageStart()).isEqualTo(InputClock.NONE);
  }

  private static InputClock steady(InputClock clock, long from, long every, int inputs) {
    InputClock result = clock;
    for (int i = 0; i < inputs; i++) {
      result = result.observe(from + i * every, MIN_OUTAGE);
    }
    return result;
  }
}
