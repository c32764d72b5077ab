package dev.relay.kafka.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import kafka.server.BrokerServer;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * One combined broker and controller ({@code process.roles=broker,controller}) running in this JVM
 * on its own data directory and ports. It formats its storage only once, so stopping and starting
 * it again resumes the same node of the same cluster, which restarts and failure tests rely on.
 */
final class KafkaNode {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaNode.class);

    private final int nodeId;
    private final Path logDir;
    private final int clientPort;
    private final Map<String, String> config;
    /** SCRAM credentials written into the bootstrap metadata at format time (secured mode); empty otherwise. */
    private final List<String> scramArguments;

    /** Null while stopped; a stopped KafkaRaftServer cannot be started again, so each start makes one. */
    private KafkaRaftServer server;

    KafkaNode(int nodeId, Path logDir, int clientPort, Map<String, String> config) {
        this(nodeId, logDir, clientPort, config, List.of());
    }

    KafkaNode(int nodeId, Path logDir, int clientPort, Map<String, String> config, List<String> scramArguments) {
        this.nodeId = nodeId;
        this.logDir = logDir;
        this.clientPort = clientPort;
        this.config = Map.copyOf(config);
        this.scramArguments = List.copyOf(scramArguments);
    }

    int nodeId() {
        return nodeId;
    }

    String clientAddress() {
        return BrokerConfig.HOST + ":" + clientPort;
    }

    /** The cluster id in this node's {@code meta.properties}; empty when it was never formatted. */
    Optional<String> storedClusterId() throws IOException {
        if (!Files.exists(logDir.resolve(MetaPropertiesEnsemble.META_PROPERTIES_NAME))) {
            return Optional.empty();
        }
        String dir = logDir.toAbsolutePath().toString();
        return new MetaPropertiesEnsemble.Loader()
                .addLogDirs(List.of(dir))
                .addMetadataLogDir(dir)
                .load()
                .clusterId();
    }

    /**
     * Writes {@code meta.properties} and the bootstrap metadata, as {@code kafka-storage format}
     * does, unless the directory already holds a node: formatting again would need a new cluster
     * id and so throw away the data a restart is meant to resume.
     */
    void formatIfNeeded(String clusterId) throws Exception {
        Files.createDirectories(logDir);
        if (storedClusterId().isPresent()) {
            return;
        }
        String dir = logDir.toAbsolutePath().toString();
        Formatter formatter = new Formatter();
        if (!scramArguments.isEmpty()) {
            formatter.setScramArguments(scramArguments);
        }
        formatter
                // The formatter narrates to stdout; the line below says the same in the log.
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(nodeId)
                .setClusterId(clusterId)
                .setDirectories(List.of(dir))
                .setMetadataLogDirectory(dir)
                .setControllerListenerName(BrokerConfig.CONTROLLER_LISTENER)
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .run();
        LOG.info("Formatted Kafka node {} in {} for cluster {}", nodeId, dir, clusterId);
    }

    synchronized boolean isRunning() {
        return server != null;
    }

    /**
     * Starts the node and returns once its broker has caught up with the metadata log and been
     * unfenced. With several nodes that needs a controller quorum, so their starts must overlap.
     */
    synchronized void start() {
        if (server != null) {
            return;
        }
        KafkaRaftServer starting = new KafkaRaftServer(new KafkaConfig(config, false), Time.SYSTEM);
        try {
            starting.startup();
        } catch (RuntimeException e) {
            // A half-started server holds its ports and a lock on the log directory.
            try {
                FaultsWhileStopping.guard(() -> {
                    starting.shutdown();
                    starting.awaitShutdown();
                });
            } catch (RuntimeException shutdownFailure) {
                e.addSuppressed(shutdownFailure);
            }
            throw e;
        }
        server = starting;
    }

    /** Controlled shutdown: leadership moves away first, then logs are flushed and closed. */
    synchronized void stop() {
        if (server == null) {
            return;
        }
        KafkaRaftServer stopping = server;
        server = null;
        FaultsWhileStopping.guard(() -> {
            stopping.shutdown();
            stopping.awaitShutdown();
        });
    }

    /**
     * Stops the node as part of stopping its whole cluster: controlled shutdown is tried for at most
     * {@code leadershipMoveBound}, then the node stops anyway. The controller quorum that approves a
     * controlled shutdown is the cluster's own nodes; when the others finish stopping first, Kafka's
     * broker waits out its fixed five minutes for an approval nobody is left to give (seen in 2 of 10
     * repeated runs of a three-node test on a loaded machine). With every node going, there is nowhere
     * to move leadership to anyway; logs are still flushed and closed.
     */
    synchronized void stopWithinCluster(Duration leadershipMoveBound) {
        if (server == null) {
            return;
        }
        FaultsWhileStopping.guard(() -> {
            brokerOf(server).ifPresent(broker -> broker.shutdown(leadershipMoveBound));
            stop();
        });
    }

    /**
     * The broker half of a combined node. {@link KafkaRaftServer} keeps it private and shuts it down
     * with the fixed five-minute bound; this is the one place that reaches past that. Should a Kafka
     * upgrade rename the field, the node stops as {@link #stop()} does, and says so.
     */
    private static Optional<BrokerServer> brokerOf(KafkaRaftServer server) {
        try {
            Field field = KafkaRaftServer.class.getDeclaredField("broker");
            field.setAccessible(true);
            Option<?> broker = (Option<?>) field.get(server);
            return broker.isDefined() ? Optional.of((BrokerServer) broker.get()) : Optional.empty();
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("cannot bound the controlled shutdown of this Kafka version's broker; stopping it as usual", e);
            return Optional.empty();
        }
    }
}
