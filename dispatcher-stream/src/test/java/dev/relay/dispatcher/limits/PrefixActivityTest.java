package dev.relay.dispatcher.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.relay.dispatcher.config.PumpingSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The anti-pumping rules on one prefix: the floor, the spike against the baseline, the completion collapse, blocks and releases. */
class PrefixActivityTest {

  private static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");
  /** Floor 10 in a 10-minute window, x5 spike, below 20 % completion, completion judged after 1 minute. */
  private static final PumpingSettings SETTINGS = PumpingSettings.defaultsWith(Map.of(
      PumpingSettings.WINDOW, "10m",
      PumpingSettings.BUCKET, "1m",
      PumpingSettings.BASELINE, "6h",
      PumpingSettings.MIN_STARTS, "10",
      PumpingSettings.SPIKE_FACTOR, "5",
      PumpingSettings.MAX_COMPLETION, "0.2",
      PumpingSettings.COMPLETION_DELAY, "1m",
      PumpingSettings.BLOCK_FOR, "1h",
      PumpingSettings.RELEASE_GRACE, "30m"));

  private static PrefixActivity starts(PrefixActivity activity, Instant at, int count) {
    for (int i = 0; i < count; i++) {
      activity = activity.started(at, SETTINGS);
    }
    return activity;
  }

  private static PrefixActivity approvals(PrefixActivity activity, Instant at, int count) {
    for (int i = 0; i < count; i++) {
      activity = activity.approved(at, SETTINGS);
    }
    return activity;
  }

  @Test
  void startsNobodyCompletesAboveTheFloorAreBlocked() {
    PrefixActivity activity = starts(PrefixActivity.empty(), T0, 10);
    Instant judged = T0.plus(Duration.ofMinutes(2));

    Optional<PrefixActivity.Verdict> verdict = activity.judge(judged, SETTINGS);

    assertThat(verdict).hasValueSatisfying(v -> {
      assertThat(v.started()).isEqualTo(10);
      assertThat(v.approved()).isZero();
      assertThat(v.matured()).isEqualTo(10);
      assertThat(v.completion()).isZero();
      assertThat(v.baselinePerWindow()).isZero();
      assertThat(v.windowStart()).isEqualTo(judged.minus(Duration.ofMinutes(10)));
      assertThat(v.reason(SETTINGS)).contains("10 sends dispatched in the last 10m", "0 approvals for the 10", "below 20%");
    });
  }

  @Test
  void belowTheFloorNothingIsBlocked() {
    PrefixActivity activity = starts(PrefixActivity.empty(), T0, 9);

    assertThat(activity.judge(T0.plus(Duration.ofMinutes(2)), SETTINGS)).isEmpty();
  }

  @Test
  void aPrefixWhoseCodesAreTypedInIsNotBlocked() {
    PrefixActivity activity = starts(PrefixActivity.empty(), T0, 10);
    activity = approvals(activity, T0.plusSeconds(30), 2);

    // 2 of 10 is 20 %, not below it.
    assertThat(activity.judge(T0.plus(Duration.ofMinutes(2)), SETTINGS)).isEmpty();
    assertThat(approvals(activity, T0.plusSeconds(40), 6).judge(T0.plus(Duration.ofMinutes(2)), SETTINGS)).isEmpty();
  }

  @Test
  void startsTooYoungToHaveBeenCompletedAreNotJudgedYet() {
    PrefixActivity activity = starts(PrefixActivity.empty(), T0, 10);

    // Within the completion delay: nobody could have typed the codes in yet.
    assertThat(activity.judge(T0.plusSeconds(30), SETTINGS)).isEmpty();
    // The bucket [T0, T0+1m) is all older than one minute from T0+2m on.
    assertThat(activity.judge(T0.plus(Duration.ofMinutes(2)), SETTINGS)).isPresent();
  }

  @Test
  void steadyTrafficAtItsBaselineIsNoSpikeEvenWhenFewComplete() {
    // Six hours of 20 starts every 10 minutes, two approved: a poorly converting but steady prefix.
    PrefixActivity activity = PrefixActivity.empty();
    Instant at = T0;
    for (int i = 0; i < 36; i++) {
      activity = starts(activity, at, 20);
      activity = approvals(activity, at.plusSeconds(30), 2);
      at = at.plus(Duration.ofMinutes(10));
    }
    Instant now = at.minus(Duration.ofMinutes(8));

    assertThat(activity.baselinePerWindow(now, SETTINGS)).isBetween(10.0, 20.0);
    assertThat(activity.judge(now, SETTINGS)).isEmpty();

    // Five times its baseline within one window, nobody completing: pumping.
    PrefixActivity spiked = starts(activity, now, 100);
    assertThat(spiked.judge(now.plus(Duration.ofMinutes(2)), SETTINGS)).hasValueSatisfying(v ->
        assertThat(v.started()).isGreaterThanOrEqualTo(100));
  }

  @Test
  void theBaselineFollowsAnExponentialAverageWithTheConfiguredTimeConstant() {
    // One bucket of 60 starts, folded once it leaves the window: 60 per minute weighted by 1 - e^(-1m/6h).
    PrefixActivity activity = starts(PrefixActivity.empty(), T0, 60);
    Instant now = T0.plus(Duration.ofMinutes(11));

    double expected = 60.0 / 60_000 * (1 - Math.exp(-1.0 / 360)) * 600_000;
    assertThat(activity.baselinePerWindow(now, SETTINGS)).isCloseTo(expected, within(1e-9));
    // Six hours of silence later it has decayed by e.
    assertThat(activity.baselinePerWindow(now.plus(Duration.ofHours(6)), SETTINGS)).isCloseTo(expected / Math.E, within(1e-9));
  }

  @Test
  void startsThatLeftTheWindowNoLongerCount() {
    PrefixActivity activity = starts(PrefixActivity.empty(), T0, 9);
    activity = starts(activity, T0.plus(Duration.ofMinutes(10)), 1);

    // The first nine started in [T0, T0+1m), which ended more than 10 minutes before T0+11m.
    assertThat(activity.judge(T0.plus(Duration.ofMinutes(11)), SETTINGS)).isEmpty();
    assertThat(activity.inWindow(T0.plus(Duration.ofMinutes(11)), SETTINGS)).containsExactly(1, 0);
  }

  @Test
  void aBlockHoldsItsTimeAndTheSpikeDoesNotBlockAgainWhenItLapses() {
    PrefixActivity activity = starts(PrefixActivity.empty(), T0, 10);
    Instant blockedAt = T0.plus(Duration.ofMinutes(2));
    PrefixActivity blocked = activity.blocked(blockedAt, SETTINGS);

    assertThat(blocked.isBlocked(blockedAt.plus(Duration.ofMinutes(59)))).isTrue();
    assertThat(blocked.isBlocked(blockedAt.plus(Duration.ofHours(1)))).isFalse();
    assertThat(blocked.judge(blockedAt.plusSeconds(1), SETTINGS)).isEmpty();
    // The window was emptied: when the block lapses, only new starts count.
    assertThat(blocked.inWindow(blockedAt.plusSeconds(1), SETTINGS)).containsExactly(0, 0);
    assertThat(blocked.judge(blockedAt.plus(Duration.ofHours(1)), SETTINGS)).isEmpty();
    // The spike did not become the baseline either.
    assertThat(blocked.baselinePerWindow(blockedAt.plus(Duration.ofHours(1)), SETTINGS)).isZero();
  }

  @Test
  void aReleaseEmptiesTheWindowAndHoldsOffNewBlocksForTheGracePeriod() {
    PrefixActivity blocked = starts(PrefixActivity.empty(), T0, 10).blocked(T0.plus(Duration.ofMinutes(2)), SETTINGS);
    Instant releasedAt = T0.plus(Duration.ofMinutes(5));
    PrefixActivity released = blocked.released(releasedAt, SETTINGS);

    assertThat(released.isBlocked(releasedAt)).isFalse();
    // Twenty more unanswered starts right after the release: still within the grace period.
    PrefixActivity pumpedAgain = starts(released, releasedAt.plusSeconds(1), 20);
    assertThat(pumpedAgain.judge(releasedAt.plus(Duration.ofMinutes(2)), SETTINGS)).isEmpty();
    // Once the grace period is over the same pattern blocks again.
    Instant afterGrace = releasedAt.plus(Duration.ofMinutes(30));
    assertThat(starts(released, afterGrace, 10).judge(afterGrace.plus(Duration.ofMinutes(2)), SETTINGS)).isPresent();
    // Applying the same release twice changes nothing; events from before it no longer count.
    assertThat(pumpedAgain.released(releasedAt, SETTINGS)).isEqualTo(pumpedAgain);
    assertThat(released.started(releasedAt.minusSeconds(1), SETTINGS)).isEqualTo(released);
  }

  @Test
  void anIdleEntryCanGoButNotOneWithAMarkOrACountLeft() {
    PrefixActivity activity = starts(PrefixActivity.empty(), T0, 1);

    assertThat(activity.isIdle(T0.plus(Duration.ofMinutes(5)), SETTINGS)).isFalse();
    assertThat(activity.isIdle(T0.plus(Duration.ofMinutes(12)), SETTINGS)).isTrue();
    PrefixActivity blocked = activity.blocked(T0, SETTINGS);
    assertThat(blocked.isIdle(T0.plus(Duration.ofMinutes(12)), SETTINGS)).isFalse();
    assertThat(blocked.isIdle(T0.plus(Duration.ofHours(1)), SETTINGS)).isTrue();
  }

  @Test
  void theSerdeKeepsEverything() {
    PrefixActivity activity = approvals(starts(PrefixActivity.empty(), T0, 3), T0.plus(Duration.ofMinutes(3)), 1)
        .blocked(T0.plus(Duration.ofMinutes(4)), SETTINGS)
        .released(T0.plus(Duration.ofMinutes(6)), SETTINGS);
    activity = starts(activity, T0.plus(Duration.ofMinutes(7)), 2);
    activity = starts(activity, T0.plus(Duration.ofMinutes(30)), 1);

    byte[] bytes = PrefixActivity.SERDE.serializer().serialize("t", activity);

    assertThat(PrefixActivity.SERDE.deserializer().deserialize("t", bytes)).isEqualTo(activity);
    assertThat(activity.baselineRate()).isPositive();
    assertThat(activity.buckets()).isNotEmpty();
    // Avro's single-object marker: the value is the released PumpingCounts contract.
    assertThat(bytes[0]).isEqualTo((byte) 0xC3);
  }

  @Test
  void aValueOfTheLayoutBeforeAvroReadsAsAFreshPrefix() {
    // Format byte 1, the baseline rate and four marks, no buckets: what releases before 2026-12-04 stored.
    java.nio.ByteBuffer earlier = java.nio.ByteBuffer.allocate(1 + 8 * 5 + 4).put((byte) 1).putDouble(0.5)
        .putLong(1L).putLong(2L).putLong(3L).putLong(4L).putInt(0);

    assertThat(PrefixActivity.SERDE.deserializer().deserialize("t", earlier.array())).isNull();
  }
}
