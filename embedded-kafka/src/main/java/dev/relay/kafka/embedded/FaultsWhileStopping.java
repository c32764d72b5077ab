package dev.relay.kafka.embedded;

import org.apache.kafka.common.utils.internals.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a node's own shutdown from ending the JVM. Kafka answers a fatal fault by halting the process,
 * and while a node stops, its threads can still read the logs it has just closed: seen once in ten
 * repeated runs of a three-node test, the metadata loader read a closed log segment
 * ({@code ClosedChannelException}), Kafka called it fatal and halted the JVM in the middle of an
 * orderly stop. In this JVM that is the launcher's services or a test run, not a broker process.
 *
 * <p>While any node of this JVM is stopping, a halt or exit that Kafka asks for is logged and skipped;
 * the fault handler still logs the fault itself. Outside stops Kafka's own procedures stay in place, so
 * a fault in a running broker still ends the process as Kafka intends.
 */
final class FaultsWhileStopping {

    private static final Logger LOG = LoggerFactory.getLogger(FaultsWhileStopping.class);

    private static int nodesStopping;

    private FaultsWhileStopping() {
    }

    /** Runs {@code stop} with halts and exits skipped; nested and parallel stops share one guard. */
    static void guard(Runnable stop) {
        enter();
        try {
            stop.run();
        } finally {
            leave();
        }
    }

    private static synchronized void enter() {
        if (nodesStopping++ == 0) {
            Exit.setHaltProcedure((status, message) -> skipped("halt", status, message));
            Exit.setExitProcedure((status, message) -> skipped("exit", status, message));
        }
    }

    private static synchronized void leave() {
        if (--nodesStopping == 0) {
            Exit.resetHaltProcedure();
            Exit.resetExitProcedure();
        }
    }

    private static void skipped(String procedure, int status, String message) {
        LOG.warn("Kafka asked for a JVM {} ({}, status {}) while a node was stopping; skipped, the node stops anyway",
                procedure, message, status);
    }
}
