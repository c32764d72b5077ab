package dev.relay.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.utils.internals.Exit;
import org.junit.jupiter.api.Test;

/** Without the guard, each halt below would end the test JVM and Surefire would report a crashed fork. */
class FaultsWhileStoppingTest {

    @Test
    void aHaltOrExitThatKafkaAsksForWhileANodeStopsIsSkipped() {
        List<String> reached = new ArrayList<>();

        FaultsWhileStopping.guard(() -> {
            Exit.halt(1, "fatal fault in MetadataLoader#handleCommit");
            reached.add("after halt");
            Exit.exit(1, "fatal fault");
            reached.add("after exit");
        });

        assertThat(reached).containsExactly("after halt", "after exit");
    }

    @Test
    void theGuardHoldsUntilTheLastOfOverlappingStopsEnds() {
        List<String> reached = new ArrayList<>();

        FaultsWhileStopping.guard(() -> {
            FaultsWhileStopping.guard(() -> reached.add("inner stop done"));
            Exit.halt(1, "fault in the outer node after the inner one stopped");
            reached.add("outer stop continued");
        });

        assertThat(reached).containsExactly("inner stop done", "outer stop continued");
    }
}
