package dev.relay.kafka.embedded;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Builds the server properties of one node of an {@link EmbeddedKafkaCluster}: the settings that
 * make a small, quiet dev/test broker, then the caller's overrides, then the identity settings
 * (node id, listeners, quorum, data directory) that only the cluster may choose because it owns
 * the ports and directories they point at.
 */
final class BrokerConfig {

    static final String CLIENT_LISTENER = "PLAINTEXT";
    static final String CONTROLLER_LISTENER = "CONTROLLER";
    static final String HOST = "127.0.0.1";

    /** Keys the cluster derives from its own layout; an override would point a node elsewhere. */
    static final Set<String> RESERVED_KEYS = Set.of(
            "process.roles",
            "node.id",
            "broker.id",
            "controller.quorum.voters",
            "controller.quorum.bootstrap.servers",
            "controller.listener.names",
            "listeners",
            "advertised.listeners",
            "listener.security.protocol.map",
            "inter.broker.listener.name",
            "log.dirs",
            "log.dir",
            "metadata.log.dir");

    private static final int DEDUPE_BUFFER_BYTES = 4 * 1024 * 1024;

    private BrokerConfig() {
    }

    /**
     * Defaults for a development or test cluster of {@code brokerCount} nodes, before overrides.
     * Every key here must be one Kafka knows; a test checks that, since Kafka only logs unknown
     * keys and a typo would silently keep the production default.
     */
    static Map<String, String> defaults(int brokerCount) {
        String replication = Integer.toString(Math.min(3, brokerCount));
        // Two in-sync copies where there are two brokers to hold them: a transactional producer
        // then still commits with one broker of three down, and a single broker still works.
        String internalMinIsr = Integer.toString(Math.min(2, brokerCount));

        Map<String, String> defaults = new LinkedHashMap<>();
        // Topics are contracts declared in `schemas`; a typo must fail, not create a topic.
        defaults.put("auto.create.topics.enable", "false");
        defaults.put("num.partitions", "1");
        defaults.put("default.replication.factor", replication);
        defaults.put("min.insync.replicas", "1");
        // Internal topics are created on first use with these settings; a replication factor above
        // the broker count makes that creation fail and exactly-once stalls without a clear error.
        defaults.put("offsets.topic.replication.factor", replication);
        defaults.put("transaction.state.log.replication.factor", replication);
        defaults.put("transaction.state.log.min.isr", internalMinIsr);
        defaults.put("share.coordinator.state.topic.replication.factor", replication);
        defaults.put("share.coordinator.state.topic.min.isr", internalMinIsr);
        // A test's consumer group should start consuming at once, not after the 3 s grace period.
        defaults.put("group.initial.rebalance.delay.ms", "0");
        // The controller refuses a restarted broker (DUPLICATE_BROKER_REGISTRATION) until the old
        // incarnation's session expires, even after a clean shutdown: with the 9 s default every
        // stopBroker/startBroker in a failure test took over 10 s. Four missed heartbeats still
        // tolerate a busy 2-core machine.
        defaults.put("broker.heartbeat.interval.ms", "1000");
        defaults.put("broker.session.timeout.ms", "4000");
        // The controller appends a no-op record to the metadata log every 500 ms by default, which the
        // broker fetches and applies: on an idle stack its raft thread's busiest work. Every 5 s will do.
        defaults.put("metadata.max.idle.interval.ms", "5000");
        // The default 128 MiB buffer is allocated on the heap when the cleaner starts, which alone
        // would not fit the 128 MiB heap the local launcher runs the broker in.
        defaults.put("log.cleaner.dedupe.buffer.size", Integer.toString(DEDUPE_BUFFER_BYTES));
        return defaults;
    }

    /** The complete properties of node {@code nodeId}, in the order defaults, overrides, identity. */
    static Map<String, String> forNode(
            int nodeId,
            int brokerCount,
            Path logDir,
            int clientPort,
            int controllerPort,
            String quorumVoters,
            Map<String, String> overrides) {
        Map<String, String> config = defaults(brokerCount);
        // The controller's listener carries a node's own heartbeat and its quorum's traffic, a few
        // requests a second: one network thread, not three each waking three times a second idle.
        config.put(listenerPrefix(CONTROLLER_LISTENER) + "num.network.threads", "1");
        config.putAll(overrides);

        config.put("process.roles", "broker,controller");
        config.put("node.id", Integer.toString(nodeId));
        config.put("controller.quorum.voters", quorumVoters);
        config.put("controller.listener.names", CONTROLLER_LISTENER);
        config.put("listeners", listener(CLIENT_LISTENER, clientPort) + "," + listener(CONTROLLER_LISTENER, controllerPort));
        config.put("advertised.listeners", listener(CLIENT_LISTENER, clientPort));
        config.put("listener.security.protocol.map",
                CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        config.put("inter.broker.listener.name", CLIENT_LISTENER);
        // One directory holds both the partitions and the metadata log, so one meta.properties
        // tells whether the node is formatted.
        config.put("log.dirs", logDir.toAbsolutePath().toString());
        return config;
    }

    /** The static quorum: every node is a voter, {@code id@host:controllerPort}. */
    static String quorumVoters(List<Integer> controllerPorts) {
        return IntStream.range(0, controllerPorts.size())
                .mapToObj(id -> id + "@" + HOST + ":" + controllerPorts.get(id))
                .collect(Collectors.joining(","));
    }

    /** Where a setting for one listener alone goes: {@code listener.name.<name in lower case>.}. */
    static String listenerPrefix(String listenerName) {
        return "listener.name." + listenerName.toLowerCase(Locale.ROOT) + ".";
    }

    private static String listener(String name, int port) {
        return name + "://" + HOST + ":" + port;
    }
}
