package dev.relay.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.kafka.embedded.FreePorts.Slice;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void sideBySideForksGetDisjointSlicesBelowTheEphemeralRange() {
        Slice first = Slice.of(1, 2);
        Slice second = Slice.of(2, 2);

        assertThat(first.last()).isLessThanOrEqualTo(second.first());
        assertThat(first.first()).isEqualTo(20_000);
        assertThat(second.last()).isLessThanOrEqualTo(32_768);
        assertThat(second.last() - second.first()).isEqualTo(first.last() - first.first()).isGreaterThan(1_000);
    }

    @Test
    void aJvmOutsideForksOrWithANumberOutOfRangeGetsAWholeOrValidSlice() {
        assertThat(Slice.of(1, 1)).isEqualTo(new Slice(20_000, 32_000));
        assertThat(Slice.of(0, 0)).isEqualTo(new Slice(20_000, 32_000));
        assertThat(Slice.of(5, 2)).isEqualTo(Slice.of(2, 2));
    }

    @Test
    void theSlicePropertyNamesNumberAndCountAndAnythingElseGivesTheWholeRange() {
        assertThat(Slice.parse("2/3")).isEqualTo(Slice.of(2, 3));
        assertThat(Slice.parse(" 1 / 2 ")).isEqualTo(Slice.of(1, 2));
        // What Failsafe's fork gets when Maven evaluated a bare ${surefire.forkNumber} away, or left it unreplaced.
        assertThat(Slice.parse("")).isEqualTo(new Slice(20_000, 32_000));
        assertThat(Slice.parse("${surefire.forkNumber}/3")).isEqualTo(new Slice(20_000, 32_000));
        assertThat(Slice.parse("2")).isEqualTo(new Slice(20_000, 32_000));
    }

    @Test
    void picksLieInThisJvmsSliceAndAreNeverHandedOutTwice() {
        int a = FreePorts.pick();
        int b = FreePorts.pick();

        assertThat(a).isNotEqualTo(b);
        assertThat(a).isBetween(20_000, 31_999);
    }
}
