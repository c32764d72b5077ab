package dev.relay.kafka.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka cluster in this JVM: {@code n} KRaft nodes, each broker and controller at
 * once, listening on 127.0.0.1 only. The local launcher runs the whole system on it with a kept
 * data directory, so a restart resumes where it stopped; integration tests run it on a temporary
 * directory and stop single brokers to exercise failures.
 *
 * <p>Brokers are numbered from 0; broker {@code i} has node id {@code i}. Ports are chosen once, at
 * {@link Builder#build()}, and kept for the life of the object, so a stopped broker comes back on
 * the address clients already know.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);

    /** Generous for a 2-core CI machine; a single node is usually ready in about 3 seconds. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration READY_POLL_INTERVAL = Duration.ofMillis(100);
    /**
     * How long a node stopping with its whole cluster waits for its controlled shutdown to be approved:
     * a live quorum answers within a heartbeat or two, so this only ever cuts short a wait that
     * nobody would end.
     */
    static final Duration WHOLE_CLUSTER_LEADERSHIP_MOVE = Duration.ofSeconds(10);
    /**
     * Set by the build for its fast test layer ({@code mvn test}, Surefire), which must start no
     * broker: a test class added there with a broker would slow every developer's run down unnoticed.
     */
    static final String FAST_TEST_LAYER_PROPERTY = "relay.tests.fast-layer";

    private final List<KafkaNode> nodes;
    private final Path dataDirectory;
    private final boolean ownsDataDirectory;
    /** Null for the plaintext cluster. */
    private final SaslSecurity security;

    private String clusterId;
    private boolean closed;

    private EmbeddedKafkaCluster(List<KafkaNode> nodes, Path dataDirectory, boolean ownsDataDirectory) {
        this(nodes, dataDirectory, ownsDataDirectory, null);
    }

    private EmbeddedKafkaCluster(List<KafkaNode> nodes, Path dataDirectory, boolean ownsDataDirectory,
            SaslSecurity security) {
        this.security = security;
        this.nodes = List.copyOf(nodes);
        this.dataDirectory = dataDirectory;
        this.ownsDataDirectory = ownsDataDirectory;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Formats the nodes that were never formatted, starts every stopped broker and returns once all
     * of them answer a metadata request as live brokers, i.e. once topics can be created.
     * On a running cluster it only checks that every broker is live.
     *
     * @throws IllegalStateException if the cluster is closed, the data directory holds nodes of
     *     different clusters, or the brokers are not ready within 60 seconds
     */
    public synchronized void start() {
        requireOpen();
        if (Boolean.getBoolean(FAST_TEST_LAYER_PROPERTY)) {
            throw new IllegalStateException("A test in the fast layer (mvn test) starts a Kafka broker: tag its class"
                    + " @Tag(\"integration\") so that it runs with the integration tests (mvn verify)");
        }
        long begin = System.nanoTime();
        clusterId = formatNodes();
        List<KafkaNode> stopped = nodes.stream().filter(node -> !node.isRunning()).toList();
        try {
            // A node's start blocks until a controller quorum has elected a leader, which needs a
            // majority of the nodes up: started one after another, the first would wait for the rest.
            inParallel(stopped, "start", KafkaNode::start);
            awaitLiveBrokers(nodes);
        } catch (RuntimeException e) {
            stopQuietly(e);
            throw e;
        }
        LOG.info("Kafka cluster {} with {} broker(s) ready at {} in {} ms (data in {})",
                clusterId, nodes.size(), bootstrapServers(), millisSince(begin), dataDirectory);
    }

    /** {@code host:port} of every broker, stopped ones included, ready for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return nodes.stream().map(KafkaNode::clientAddress).collect(Collectors.joining(","));
    }

    /**
     * What a client adds to {@code bootstrap.servers} to act as the super user: empty for a plaintext
     * cluster, the PLAIN login of {@link Builder#saslScram} for a secured one.
     */
    public Map<String, String> superUserClientProperties() {
        return security == null ? Map.of() : security.superUserClientProperties();
    }

    /** Client properties that log in as a SCRAM-SHA-512 user of a secured cluster ({@link Builder#scramUser}). */
    public static Map<String, String> scramClientProperties(String user, String password) {
        return SaslSecurity.scramClientProperties(user, password);
    }

    /** The id stored in the data directory; it survives restarts on the same directory. */
    public synchronized String clusterId() {
        if (clusterId == null) {
            throw new IllegalStateException("The cluster id is known once the cluster has started");
        }
        return clusterId;
    }

    /** Shuts broker {@code index} (0-based) down cleanly, keeping its data and ports. */
    public synchronized void stopBroker(int index) {
        requireOpen();
        long begin = System.nanoTime();
        node(index).stop();
        LOG.info("Stopped Kafka broker {} in {} ms", index, millisSince(begin));
    }

    /**
     * Starts broker {@code index} (0-based) again on its data and ports and waits until the
     * cluster reports it live.
     */
    public synchronized void startBroker(int index) {
        requireOpen();
        if (clusterId == null) {
            throw new IllegalStateException("start() the cluster before restarting single brokers");
        }
        long begin = System.nanoTime();
        KafkaNode node = node(index);
        node.start();
        awaitLiveBrokers(List.of(node));
        LOG.info("Started Kafka broker {} in {} ms", index, millisSince(begin));
    }

    /**
     * Stops every running broker, all at once: stopped one by one, the last nodes would lose their
     * controller quorum and hang in controlled shutdown. Even all at once, a node slow to ask for its
     * controlled shutdown can find the quorum gone, so each asks for at most
     * {@link #WHOLE_CLUSTER_LEADERSHIP_MOVE} (see {@link KafkaNode#stopWithinCluster}). The data
     * directory is kept.
     */
    public synchronized void stop() {
        List<KafkaNode> running = nodes.stream().filter(KafkaNode::isRunning).toList();
        if (running.isEmpty()) {
            return;
        }
        long begin = System.nanoTime();
        inParallel(running, "stop", node -> node.stopWithinCluster(WHOLE_CLUSTER_LEADERSHIP_MOVE));
        LOG.info("Stopped Kafka cluster {} in {} ms", clusterId, millisSince(begin));
    }

    /** Stops the cluster and deletes its data directory if the cluster created it. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop();
        } finally {
            if (ownsDataDirectory) {
                deleteRecursively(dataDirectory);
            }
        }
    }

    private String formatNodes() {
        try {
            Map<String, Set<Integer>> storedIds = new LinkedHashMap<>();
            for (KafkaNode node : nodes) {
                Optional<String> stored = node.storedClusterId();
                stored.ifPresent(id -> storedIds.computeIfAbsent(id, k -> new TreeSet<>()).add(node.nodeId()));
            }
            if (storedIds.size() > 1) {
                throw new IllegalStateException("Data directory " + dataDirectory
                        + " holds nodes of different Kafka clusters (cluster id -> node ids): " + storedIds);
            }
            String id = storedIds.isEmpty() ? Uuid.randomUuid().toString() : storedIds.keySet().iterator().next();
            for (KafkaNode node : nodes) {
                node.formatIfNeeded(id);
            }
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or format the Kafka data in " + dataDirectory, e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("Cannot format the Kafka data in " + dataDirectory, e);
        }
    }

    /**
     * Polls the cluster's metadata until every given node is listed as a live broker. Kafka offers
     * no readiness signal across nodes, and a broker joins the other brokers' metadata a moment
     * after its own start returns.
     */
    private void awaitLiveBrokers(Collection<KafkaNode> expected) {
        Set<Integer> expectedIds = expected.stream().map(KafkaNode::nodeId).collect(Collectors.toSet());
        String runningServers = nodes.stream().filter(KafkaNode::isRunning)
                .map(KafkaNode::clientAddress).collect(Collectors.joining(","));
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Set<Integer> live = Set.of();
        Map<String, Object> adminSettings = new java.util.HashMap<>(superUserClientProperties());
        adminSettings.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, runningServers);
        try (Admin admin = Admin.create(adminSettings)) {
            while (true) {
                long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                try {
                    live = liveBrokerIds(admin, remainingMillis);
                } catch (TimeoutException | ExecutionException e) {
                    // Not answering yet is what we are waiting out; the deadline below decides.
                }
                if (live.containsAll(expectedIds)) {
                    return;
                }
                if (System.nanoTime() >= deadline) {
                    throw new IllegalStateException("Kafka brokers " + expectedIds + " were not all live within "
                            + READY_TIMEOUT + "; live brokers: " + live);
                }
                TimeUnit.MILLISECONDS.sleep(READY_POLL_INTERVAL.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for Kafka brokers " + expectedIds, e);
        }
    }

    private static Set<Integer> liveBrokerIds(Admin admin, long timeoutMillis)
            throws InterruptedException, ExecutionException, TimeoutException {
        int timeout = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeoutMillis));
        Collection<Node> live = admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeout))
                .nodes()
                .get(timeout, TimeUnit.MILLISECONDS);
        Set<Integer> ids = new HashSet<>();
        live.forEach(node -> ids.add(node.id()));
        return ids;
    }

    /** Runs {@code action} on all nodes at once, each on its own thread, and rethrows the first failure. */
    private static void inParallel(List<KafkaNode> targets, String action, Consumer<KafkaNode> operation) {
        if (targets.isEmpty()) {
            return;
        }
        // A dedicated pool: the common pool has a single thread on a 2-core machine, which would
        // serialise the starts and deadlock the quorum.
        ExecutorService pool = Executors.newFixedThreadPool(targets.size(), runnable -> {
            Thread thread = new Thread(runnable, "embedded-kafka-" + action);
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<?>> pending = new ArrayList<>();
            for (KafkaNode node : targets) {
                pending.add(pool.submit(() -> operation.accept(node)));
            }
            RuntimeException failure = null;
            for (int i = 0; i < pending.size(); i++) {
                try {
                    pending.get(i).get();
                } catch (ExecutionException e) {
                    RuntimeException nodeFailure = new IllegalStateException(
                            "Kafka node " + targets.get(i).nodeId() + " failed to " + action, e.getCause());
                    if (failure == null) {
                        failure = nodeFailure;
                    } else {
                        failure.addSuppressed(nodeFailure);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while waiting for Kafka nodes to " + action, e);
                }
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            pool.shutdown();
        }
    }

    private void stopQuietly(RuntimeException cause) {
        try {
            stop();
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private static long millisSince(long nanoTime) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanoTime);
    }

    private KafkaNode node(int index) {
        Objects.checkIndex(index, nodes.size());
        return nodes.get(index);
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("The embedded Kafka cluster is closed");
        }
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // Leaving a temp directory behind must not fail the test that just passed.
            LOG.warn("Could not delete the Kafka data directory {}", root, e);
        }
    }

    /**
     * Describes a cluster before it exists. Only the settings a caller can sensibly choose are
     * here; listeners, node ids and the quorum follow from the broker count and ports.
     */
    public static final class Builder {

        private int brokers = 1;
        private Path dataDirectory;
        private int port;
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();
        private SaslSecurity security;

        private Builder() {
        }

        /**
         * Secures the cluster as a production one would be: SASL on every listener (SCRAM-SHA-512 for
         * applications, PLAIN for the super user), the standard authorizer denying whatever no ACL
         * allows, and {@code superUser} as the one super user (the brokers and the operator's admin).
         * Clients then need {@link #superUserClientProperties()} or {@link #scramClientProperties}.
         */
        public Builder saslScram(String superUser, String superUserPassword) {
            this.security = new SaslSecurity(superUser, superUserPassword);
            return this;
        }

        /**
         * A SCRAM-SHA-512 user of the secured cluster, written into the metadata when the nodes are
         * formatted, so it can log in from the first moment (it holds no ACL until someone grants one).
         */
        public Builder scramUser(String name, String password) {
            if (security == null) {
                throw new IllegalStateException("scramUser needs saslScram(...) first");
            }
            security.addScramUser(name, password);
            return this;
        }

        /** Number of nodes, each broker and controller; 1 by default. */
        public Builder brokers(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("brokers must be at least 1, was " + count);
            }
            this.brokers = count;
            return this;
        }

        /**
         * Keeps the cluster's data in {@code directory} (one sub-directory per node) and resumes
         * it on the next start. Without it the cluster uses a fresh temporary directory that
         * {@link #close()} deletes.
         */
        public Builder dataDirectory(Path directory) {
            this.dataDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * Client port of broker 0; broker {@code i} listens on {@code port + i}. 0, the default,
         * picks free ports. Controller ports are always picked free.
         */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Sets a broker configuration key on every node, over the defaults (for example
         * {@code min.insync.replicas}). Listeners, node ids, the quorum and the log directories
         * belong to the cluster and cannot be overridden.
         */
        public Builder brokerProperty(String key, String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (BrokerConfig.RESERVED_KEYS.contains(key)) {
                throw new IllegalArgumentException("Broker property '" + key
                        + "' is set by the embedded cluster itself and cannot be overridden");
            }
            brokerProperties.put(key, value);
            return this;
        }

        /** Chooses the ports and, without a data directory, creates a temporary one. */
        public EmbeddedKafkaCluster build() {
            if (port != 0 && port + brokers - 1 > 65535) {
                throw new IllegalArgumentException("port " + port + " leaves no room for " + brokers + " brokers");
            }
            Set<Integer> fixedClientPorts = new HashSet<>();
            List<Integer> clientPorts = new ArrayList<>();
            for (int i = 0; i < brokers; i++) {
                if (port != 0) {
                    fixedClientPorts.add(port + i);
                    clientPorts.add(port + i);
                }
            }
            List<Integer> freePorts = freePorts(port == 0 ? 2 * brokers : brokers, fixedClientPorts);
            List<Integer> controllerPorts = freePorts.subList(0, brokers);
            if (port == 0) {
                clientPorts = freePorts.subList(brokers, 2 * brokers);
            }

            boolean temporary = dataDirectory == null;
            Path root;
            try {
                root = temporary ? Files.createTempDirectory("relay-kafka-") : dataDirectory;
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create a temporary Kafka data directory", e);
            }

            String quorumVoters = BrokerConfig.quorumVoters(controllerPorts);
            List<KafkaNode> nodes = new ArrayList<>();
            for (int id = 0; id < brokers; id++) {
                Path logDir = root.resolve("node-" + id);
                Map<String, String> config = BrokerConfig.forNode(id, brokers, logDir,
                        clientPorts.get(id), controllerPorts.get(id), quorumVoters, brokerProperties);
                if (security != null) {
                    config = security.secure(config, clientPorts.get(id), controllerPorts.get(id));
                }
                nodes.add(new KafkaNode(id, logDir, clientPorts.get(id), config,
                        security == null ? List.of() : security.scramArguments()));
            }
            return new EmbeddedKafkaCluster(nodes, root, temporary, security);
        }

        /** {@code count} distinct ports from {@link FreePorts}' safe range, none of them {@code excluded}. */
        private static List<Integer> freePorts(int count, Set<Integer> excluded) {
            List<Integer> ports = new ArrayList<>();
            while (ports.size() < count) {
                int port = FreePorts.pick();
                if (!excluded.contains(port)) {
                    ports.add(port);
                }
            }
            return ports;
        }
    }
}
