package dev.relay.kafka.embedded;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.TransactionResult;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.coordinator.transaction.generated.TransactionLogValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes the transactions a killed single-node cluster leaves open on its partitions after the
 * transaction coordinator has already finished them. Killed while a transaction was being committed
 * (its PrepareCommit written, its markers partly written), the restarted node's coordinator resends the
 * markers while the node is still fenced and its partitions have no leader; Kafka skips markers for
 * partitions without a leader ("likely deleted") and records the transaction as complete. Those
 * partitions then keep an open transaction that nobody will ever end: their last stable offset stays
 * put, read_committed consumers (Streams restoring a changelog, the API's reply listener) wait for ever,
 * and an offset fetch of a group with pending offsets on them times out every minute.
 *
 * <p>Each such transaction is ended as its coordinator decided (its PrepareCommit or PrepareAbort in
 * {@code __transaction_state}), so a commit that was acknowledged stays committed on every partition;
 * one the coordinator never prepared is aborted, as its timeout would have done.
 */
public final class HangingTransactions {

    private static final Logger LOG = LoggerFactory.getLogger(HangingTransactions.class);
    /** Coordinator states in which it is still writing markers itself. */
    private static final Set<TransactionState> ENDING = EnumSet.of(
            TransactionState.PREPARE_COMMIT, TransactionState.PREPARE_ABORT);
    private static final short PREPARE_COMMIT = 2;
    private static final short PREPARE_ABORT = 3;
    private static final Duration SETTLE_POLL = Duration.ofMillis(500);

    private HangingTransactions() {}

    /** An open transaction on one partition: the producer, its epoch there and where it began. */
    public record Open(TopicPartition partition, long producerId, short producerEpoch, int coordinatorEpoch, long firstOffset) {}

    /**
     * Finds the partitions whose open transaction the coordinator no longer tracks and ends each as
     * the coordinator decided. Waits first (within {@code timeout}) for transactions the coordinator is
     * still ending itself.
     *
     * @return the open transactions that were ended
     */
    public static List<Open> complete(String bootstrapServers, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            List<Open> hanging = find(admin, deadline);
            if (hanging.isEmpty()) {
                return hanging;
            }
            Map<Long, List<TransactionLogValue>> decisions = decisions(bootstrapServers, deadline);
            Map<Integer, Node> brokers = new HashMap<>();
            for (Node node : admin.describeCluster().nodes().get(remaining(deadline), TimeUnit.MILLISECONDS)) {
                brokers.put(node.id(), node);
            }
            Map<TopicPartition, Integer> leaders = leaders(admin, hanging, deadline);
            for (Open open : hanging) {
                TransactionResult result = decision(open, decisions.getOrDefault(open.producerId(), List.of()));
                Node leader = brokers.get(leaders.get(open.partition()));
                LOG.warn("Ending the transaction of producer {} left open on {} since offset {} with {}: its coordinator"
                        + " finished it without writing this partition's marker", open.producerId(), open.partition(),
                        open.firstOffset(), result);
                writeMarker(leader, open, result, deadline);
            }
            List<Open> left = openTransactions(admin, deadline).stream()
                    .filter(o -> hanging.stream().anyMatch(h -> h.partition().equals(o.partition())
                            && h.producerId() == o.producerId() && h.firstOffset() == o.firstOffset()))
                    .toList();
            if (!left.isEmpty()) {
                throw new IllegalStateException("transactions still open after their markers: " + left);
            }
            return hanging;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while completing open transactions", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot complete open transactions on " + bootstrapServers, e);
        }
    }

    /**
     * The open transactions no coordinator will end (see the class comment), after waiting (within
     * {@code timeout}) for those the coordinator is still ending itself; nothing is changed.
     */
    public static List<Open> find(String bootstrapServers, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            return find(admin, deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while looking for open transactions", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot look for open transactions on " + bootstrapServers, e);
        }
    }

    /** The open transactions of producers whose coordinator has none open on that partition. */
    static List<Open> find(Admin admin, long deadline) throws InterruptedException, ExecutionException, TimeoutException {
        while (true) {
            List<Open> open = openTransactions(admin, deadline);
            if (open.isEmpty()) {
                return open;
            }
            Set<Long> producers = new HashSet<>();
            open.forEach(o -> producers.add(o.producerId()));
            Map<Long, TransactionDescription> byProducer = coordinatorView(admin, producers, deadline);
            boolean settling = byProducer.values().stream().anyMatch(d -> ENDING.contains(d.state()));
            if (settling && System.nanoTime() < deadline) {
                Thread.sleep(SETTLE_POLL.toMillis());
                continue;
            }
            // Open before and after the coordinator was asked: a live transaction that ended or began in
            // between is not mistaken for one the coordinator lost.
            List<Open> stillOpen = openTransactions(admin, deadline);
            List<Open> hanging = new ArrayList<>();
            for (Open o : open) {
                TransactionDescription known = byProducer.get(o.producerId());
                boolean tracked = known != null && known.state() == TransactionState.ONGOING
                        && known.topicPartitions().contains(o.partition());
                boolean same = stillOpen.stream().anyMatch(later -> later.partition().equals(o.partition())
                        && later.producerId() == o.producerId() && later.firstOffset() == o.firstOffset());
                if (!tracked && same) {
                    hanging.add(o);
                }
            }
            return hanging;
        }
    }

    private static List<Open> openTransactions(Admin admin, long deadline)
            throws InterruptedException, ExecutionException, TimeoutException {
        Set<String> names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names()
                .get(remaining(deadline), TimeUnit.MILLISECONDS);
        Map<String, TopicDescription> topics = admin.describeTopics(names).allTopicNames()
                .get(remaining(deadline), TimeUnit.MILLISECONDS);
        List<TopicPartition> partitions = new ArrayList<>();
        topics.forEach((name, description) -> description.partitions()
                .forEach(p -> partitions.add(new TopicPartition(name, p.partition()))));
        List<Open> open = new ArrayList<>();
        admin.describeProducers(partitions).all().get(remaining(deadline), TimeUnit.MILLISECONDS)
                .forEach((partition, description) -> {
                    for (ProducerState state : description.activeProducers()) {
                        if (state.currentTransactionStartOffset().isPresent()) {
                            open.add(new Open(partition, state.producerId(), (short) state.producerEpoch(),
                                    state.coordinatorEpoch().orElse(0), state.currentTransactionStartOffset().getAsLong()));
                        }
                    }
                });
        return open;
    }

    private static Map<Long, TransactionDescription> coordinatorView(Admin admin, Set<Long> producers, long deadline)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<String> ids = new ArrayList<>();
        for (TransactionListing listing : admin.listTransactions().all().get(remaining(deadline), TimeUnit.MILLISECONDS)) {
            if (producers.contains(listing.producerId())) {
                ids.add(listing.transactionalId());
            }
        }
        Map<Long, TransactionDescription> byProducer = new HashMap<>();
        if (!ids.isEmpty()) {
            admin.describeTransactions(ids).all().get(remaining(deadline), TimeUnit.MILLISECONDS)
                    .values().forEach(d -> byProducer.put(d.producerId(), d));
        }
        return byProducer;
    }

    /** Every Prepare record of {@code __transaction_state}, by producer id, oldest first. */
    private static Map<Long, List<TransactionLogValue>> decisions(String bootstrapServers, long deadline) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.EXCLUDE_INTERNAL_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Map<Long, List<TransactionLogValue>> decisions = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topic.TRANSACTION_STATE_TOPIC_NAME,
                    Duration.ofMillis(remaining(deadline))).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofMillis(remaining(deadline)));
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + Topic.TRANSACTION_STATE_TOPIC_NAME + " in time");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() == null || record.value() == null) {
                        continue;
                    }
                    ByteBuffer value = ByteBuffer.wrap(record.value());
                    TransactionLogValue decision = new TransactionLogValue(new ByteBufferAccessor(value), value.getShort());
                    if (decision.transactionStatus() == PREPARE_COMMIT || decision.transactionStatus() == PREPARE_ABORT) {
                        decisions.computeIfAbsent(decision.producerId(), id -> new ArrayList<>()).add(decision);
                    }
                }
            }
        }
        return decisions;
    }

    /**
     * The coordinator's decision for this partition's open transaction: the last Prepare record of the
     * producer that names the partition, written at that transaction's end: at its epoch under
     * transactions V1, at the epoch after it under V2 (which bumps the epoch when a transaction ends, so
     * the next transaction, written at that bumped epoch, is not mistaken for the one that prepared).
     * None: the transaction never got that far, and is aborted, as its coordinator would have.
     */
    static TransactionResult decision(Open open, List<TransactionLogValue> prepared) {
        for (int i = prepared.size() - 1; i >= 0; i--) {
            TransactionLogValue record = prepared.get(i);
            int endEpochBump = record.clientTransactionVersion() >= 2 ? 1 : 0;
            boolean names = record.transactionPartitions() != null && record.transactionPartitions().stream()
                    .anyMatch(p -> p.topic().equals(open.partition().topic())
                            && p.partitionIds().contains(open.partition().partition()));
            if (names && record.producerEpoch() == open.producerEpoch() + endEpochBump) {
                return record.transactionStatus() == PREPARE_COMMIT ? TransactionResult.COMMIT : TransactionResult.ABORT;
            }
        }
        return TransactionResult.ABORT;
    }

    private static Map<TopicPartition, Integer> leaders(Admin admin, List<Open> hanging, long deadline)
            throws InterruptedException, ExecutionException, TimeoutException {
        Set<String> topics = new HashSet<>();
        hanging.forEach(o -> topics.add(o.partition().topic()));
        Map<TopicPartition, Integer> leaders = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get(remaining(deadline), TimeUnit.MILLISECONDS)
                .forEach((name, description) -> description.partitions().forEach(p ->
                        leaders.put(new TopicPartition(name, p.partition()), p.leader() == null ? -1 : p.leader().id())));
        return leaders;
    }

    /**
     * Writes the marker as a coordinator does ({@code WriteTxnMarkers}, which the Admin client offers
     * for aborts only), at the epoch the partition knows, so the partition accepts it.
     */
    private static void writeMarker(Node leader, Open open, TransactionResult result, long deadline) {
        if (leader == null) {
            throw new IllegalStateException(open.partition() + " has no leader to write its marker to");
        }
        short version = ApiKeys.WRITE_TXN_MARKERS.latestVersion();
        WriteTxnMarkersRequest request = new WriteTxnMarkersRequest.Builder(List.of(new WriteTxnMarkersRequest.TxnMarkerEntry(
                open.producerId(), open.producerEpoch(), open.coordinatorEpoch(), result, List.of(open.partition()), (short) 0)))
                .build(version);
        RequestHeader header = new RequestHeader(ApiKeys.WRITE_TXN_MARKERS, version, "relay-hanging-transactions", 1);
        ByteBuffer bytes = request.serializeWithHeader(header);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(leader.host(), leader.port()), (int) remaining(deadline));
            socket.setSoTimeout((int) remaining(deadline));
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(bytes.remaining());
            out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] answer = new byte[in.readInt()];
            in.readFully(answer);
            WriteTxnMarkersResponse response = (WriteTxnMarkersResponse) AbstractResponse.parseResponse(ByteBuffer.wrap(answer), header);
            Errors error = response.errorsByProducerId().getOrDefault(open.producerId(), Map.of())
                    .getOrDefault(open.partition(), Errors.UNKNOWN_SERVER_ERROR);
            if (error == Errors.INVALID_PRODUCER_EPOCH || error == Errors.PRODUCER_FENCED) {
                // A newer epoch wrote there meanwhile (the coordinator ending it after all): checked below.
                LOG.info("{} moved past the transaction of producer {} on its own ({})", open.partition(), open.producerId(), error);
            } else if (error != Errors.NONE) {
                throw new IllegalStateException("the " + result + " marker for " + open + " was refused: " + error);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the " + result + " marker for " + open, e);
        }
    }

    /** Milliseconds left until {@code deadline}, at least 1: a wait given them times out once it has passed. */
    static long remaining(long deadline) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }
}
