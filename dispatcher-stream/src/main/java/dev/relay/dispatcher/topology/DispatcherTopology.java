package dev.relay.dispatcher.topology;

import dev.relay.dispatcher.config.DispatcherSettings;
import dev.relay.dispatcher.config.LimitSettings;
import dev.relay.dispatcher.config.PumpingSettings;
import dev.relay.dispatcher.facts.RouteFacts;
import dev.relay.dispatcher.limits.PrefixActivity;
import dev.relay.dispatcher.routing.RouteStanding;
import dev.relay.dispatcher.routing.RoutingTable;
import dev.relay.dispatcher.routing.ScoredRouting;
import dev.relay.schemas.DeliveryReceipt;
import dev.relay.schemas.PrefixBlock;
import dev.relay.schemas.RequestBlock;
import dev.relay.schemas.RoutingTableVersion;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.VerificationRequest;
import dev.relay.schemas.serde.AvroSerde;
import dev.relay.schemas.serde.StateSerde;
import dev.relay.schemas.state.NumberSends;
import dev.relay.schemas.state.PrefixTally;
import dev.relay.schemas.state.RateCounts;
import dev.relay.schemas.state.RequestTally;
import dev.relay.schemas.state.VerificationState;
import dev.relay.schemas.topics.Topic;
import dev.relay.schemas.topics.Topics;
import dev.relay.support.kafka.KafkaAccess;
import dev.relay.support.kafka.KafkaSettings;
import dev.relay.support.streams.LatestPerKeyUpdater;
import dev.relay.support.streams.WallClockWakes;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The dispatcher's topology, as a pure function of its inputs: requests, checks, send results and
 * receipts, all keyed by number, meet in one lifecycle processor with its stores, which writes three
 * sinks; the request limits are decided beside it and reach it as a global store of blocks;
 * two global stores decide each send's routes: the route standings, fed from
 * {@code provider-scores}, and the latest routing table published to {@code routing-table}.
 * Anti-pumping reads the lifecycle's own events back, keyed by destination prefix, and its blocks
 * reach every lifecycle through a third global store, fed from {@code blocked-prefixes}.
 */
public final class DispatcherTopology {

  /** A window store only needs a window; receipts are held by arrival time, so the smallest will do. */
  private static final Duration EARLY_RECEIPT_WINDOW = Duration.ofMillis(1);

  /** How long a silent instance keeps its partitions (see {@link #streamsProperties}). */
  public static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);
  /**
   * The record cache of the stream thread: the counters of limit groups and prefixes (a few hundred bytes
   * per key) and the verifications changed since the last commit (a few kilobytes each).
   */
  private static final long RECORD_CACHE_BYTES = 8L << 20;
  /**
   * How long the dispatcher's threads wait in a poll that finds nothing (Kafka Streams' default {@code poll.ms} is
   * 100 ms): an idle thread wakes once a second, not 10 times. Neither a commit owed nor a due deadline or tally
   * waits for it: the service's main consumers are {@code IdlePollClients}', and the processors schedule their
   * punctuations through the {@link WallClockWakes} those read.
   */
  static final Duration IDLE_POLL = Duration.ofSeconds(1);

  private DispatcherTopology() {}

  /** Routing with the default policy and no pins. */
  public static Topology build(Topics topics, DispatcherSettings settings, RoutingTable routing,
      VerificationSecrets secrets, MeterRegistry metrics) {
    return build(topics, settings, LimitSettings.defaults(), ScoredRouting.withDefaults(routing), secrets, metrics);
  }

  /** The given limits, routing with the default policy and no pins. */
  public static Topology build(Topics topics, DispatcherSettings settings, LimitSettings limits, RoutingTable routing,
      VerificationSecrets secrets, MeterRegistry metrics) {
    return build(topics, settings, limits, ScoredRouting.withDefaults(routing), secrets, metrics);
  }

  /** The given routing, default limits. */
  public static Topology build(Topics topics, DispatcherSettings settings, ScoredRouting routing,
      VerificationSecrets secrets, MeterRegistry metrics) {
    return build(topics, settings, LimitSettings.defaults(), routing, secrets, metrics);
  }

  /** The given limits and routing, the default anti-pumping settings. */
  public static Topology build(Topics topics, DispatcherSettings settings, LimitSettings limits, ScoredRouting routing,
      VerificationSecrets secrets, MeterRegistry metrics) {
    return build(topics, settings, limits, PumpingSettings.defaults(), routing, secrets, metrics);
  }

  /** Punctuations scheduled through wakes of their own, which no consumer reads: a topology test's. */
  public static Topology build(Topics topics, DispatcherSettings settings, LimitSettings limits, PumpingSettings pumping,
      ScoredRouting routing, VerificationSecrets secrets, MeterRegistry metrics) {
    return build(topics, settings, limits, pumping, routing, secrets, metrics, new WallClockWakes());
  }

  /**
   * @param wakes where the deadlines' and the tallies' punctuations are scheduled: the service's main consumers
   *     ({@code IdlePollClients}) end an idle poll when one is due
   */
  public static Topology build(Topics topics, DispatcherSettings settings, LimitSettings limits, PumpingSettings pumping,
      ScoredRouting routing, VerificationSecrets secrets, MeterRegistry metrics, WallClockWakes wakes) {
    VerificationLifecycle lifecycle = new VerificationLifecycle(settings, limits, routing.table(), secrets, metrics);
    StreamsBuilder builder = requests(topics, limits, settings.commitInterval(), wakes);
    pumpingDetector(builder, topics, pumping, metrics, wakes);
    // StreamsBuilder's global store, unlike Topology's, replays the topic through the updater when the
    // store is rebuilt (KAFKA-7663): the standings are derived, not a copy of the records.
    builder.addGlobalStore(routeStandingsStore(),
        topics.providerScores.name(),
        Consumed.with(topics.providerScores.keySerde(), topics.providerScores.valueSerde())
            .withName(DispatcherNames.ROUTE_STANDINGS_PROCESSOR),
        RouteStandingsUpdater::new);
    builder.addGlobalStore(routingTableStore(),
        topics.routingTable.name(),
        Consumed.with(topics.routingTable.keySerde(), topics.routingTable.valueSerde())
            .withName(DispatcherNames.ROUTING_TABLE_PROCESSOR),
        RoutingTableUpdater::new);
    builder.addGlobalStore(blockedPrefixesStore(),
        topics.blockedPrefixes.name(),
        Consumed.with(topics.blockedPrefixes.keySerde(), topics.blockedPrefixes.valueSerde())
            .withName(DispatcherNames.BLOCKED_PREFIXES_PROCESSOR),
        () -> new LatestPerKeyUpdater<>(DispatcherNames.BLOCKED_PREFIXES_STORE));
    builder.addGlobalStore(requestBlocksStore(),
        topics.requestBlocks.name(),
        Consumed.with(topics.requestBlocks.keySerde(), topics.requestBlocks.valueSerde())
            .withName(DispatcherNames.REQUEST_BLOCKS_PROCESSOR),
        () -> new LatestPerKeyUpdater<>(DispatcherNames.REQUEST_BLOCKS_STORE));
    Topology topology = builder.build();
    source(topology, DispatcherNames.CODE_CHECKS_SOURCE, topics.codeChecks);
    source(topology, DispatcherNames.SEND_RESULTS_SOURCE, topics.sendResults);
    source(topology, DispatcherNames.DELIVERY_RECEIPTS_SOURCE, topics.deliveryReceipts);

    topology.addProcessor(DispatcherNames.LIFECYCLE_PROCESSOR,
        () -> new VerificationProcessor(lifecycle, routing, settings, pumping, limits, wakes),
        DispatcherNames.REQUESTS_INPUT, DispatcherNames.CODE_CHECKS_SOURCE,
        DispatcherNames.SEND_RESULTS_SOURCE, DispatcherNames.DELIVERY_RECEIPTS_SOURCE);
    topology.addStateStore(verificationsStore(), DispatcherNames.LIFECYCLE_PROCESSOR);
    topology.addStateStore(deadlinesStore(), DispatcherNames.LIFECYCLE_PROCESSOR);
    topology.addStateStore(earlyReceiptsStore(settings), DispatcherNames.LIFECYCLE_PROCESSOR);
    topology.addStateStore(numberSendsStore(), DispatcherNames.LIFECYCLE_PROCESSOR);

    sink(topology, DispatcherNames.SEND_COMMANDS_SINK, topics.sendCommands);
    sink(topology, DispatcherNames.VERIFICATION_EVENTS_SINK, topics.verificationEvents);
    sink(topology, DispatcherNames.DELIVERY_OUTCOMES_SINK, topics.deliveryOutcomes);
    sink(topology, DispatcherNames.RECEIPT_POLLS_SINK, topics.receiptPolls);
    sink(topology, DispatcherNames.VERIFICATION_REPLIES_SINK, topics.verificationReplies);
    // The lifecycle hands the fact processors each send result it reads and each event it writes.
    RouteFacts.addTo(topology, topics.routeFacts, settings.routeFacts(), DispatcherNames.LIFECYCLE_PROCESSOR,
        DispatcherNames.LIFECYCLE_PROCESSOR);
    return topology;
  }

  /**
   * Requests go straight to the lifecycle (keyed by number, co-partitioned with its other inputs). Beside
   * them, the request limits: each task's starts and resends tallied per limit group (client network,
   * API key) by {@link RequestTallies} and sent on once per commit interval, re-keyed by group so each
   * counter has one writer, counted by the {@link RequestLimiter}, whose blocks go to the compacted
   * request-blocks topic that every instance reads into a global store.
   */
  private static StreamsBuilder requests(Topics topics, LimitSettings limits, Duration tallyInterval,
      WallClockWakes wakes) {
    StreamsBuilder builder = new StreamsBuilder();
    Topic<String, VerificationRequest> requests = topics.verificationRequests;
    Topic<String, RequestBlock> blocks = topics.requestBlocks;
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DispatcherNames.REQUEST_COUNTERS_STORE),
        Serdes.String(), AvroSerde.of(RateCounts.class)).withCachingEnabled());
    KStream<String, VerificationRequest> incoming = builder.stream(requests.name(),
        Consumed.with(requests.keySerde(), requests.valueSerde()).withName(DispatcherNames.VERIFICATION_REQUESTS_SOURCE));
    // The lifecycle processor is added below by name, with this node as one of its parents.
    incoming.processValues(PassThrough::new, Named.as(DispatcherNames.REQUESTS_INPUT));
    incoming
        .process(() -> new RequestTallies(limits, tallyInterval, wakes), Named.as(DispatcherNames.REQUEST_TALLIES))
        .repartition(Repartitioned.<String, RequestTally>as(DispatcherNames.TALLIES_BY_LIMIT_GROUP)
            .withKeySerde(Serdes.String())
            .withValueSerde(AvroSerde.of(RequestTally.class))
            .withNumberOfPartitions(requests.partitions()))
        .process(() -> new RequestLimiter(limits), Named.as(DispatcherNames.REQUEST_LIMITER),
            DispatcherNames.REQUEST_COUNTERS_STORE)
        .to(blocks.name(), Produced.with(blocks.keySerde(), blocks.valueSerde()).withName(DispatcherNames.REQUEST_BLOCKS_SINK));
    return builder;
  }

  /**
   * Anti-pumping: the lifecycle's own sends and approvals, read back from verification-events, collected
   * per destination prefix by {@link PrefixTallies} and sent on once per second, re-keyed by prefix into
   * a repartition with blocked-prefixes' partition count, judged per prefix by the {@link PumpingDetector};
   * its blocks go to blocked-prefixes, which every instance reads into a global store.
   */
  private static void pumpingDetector(StreamsBuilder builder, Topics topics, PumpingSettings pumping, MeterRegistry metrics,
      WallClockWakes wakes) {
    Topic<String, VerificationEvent> events = topics.verificationEvents;
    Topic<String, PrefixBlock> blocks = topics.blockedPrefixes;
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DispatcherNames.PREFIX_ACTIVITY_STORE),
        Serdes.String(), PrefixActivity.SERDE).withCachingEnabled());
    builder.stream(events.name(), Consumed.with(events.keySerde(), events.valueSerde())
            .withName(DispatcherNames.PUMPING_EVENTS_SOURCE))
        .process(() -> new PrefixTallies(pumping, wakes), Named.as(DispatcherNames.PREFIX_TALLIES))
        .repartition(Repartitioned.<String, PrefixTally>as(DispatcherNames.TALLIES_BY_PREFIX)
            .withKeySerde(Serdes.String())
            .withValueSerde(AvroSerde.of(PrefixTally.class))
            .withNumberOfPartitions(blocks.partitions()))
        .process(() -> new PumpingDetector(pumping, metrics), Named.as(DispatcherNames.PUMPING_DETECTOR),
            DispatcherNames.PREFIX_ACTIVITY_STORE)
        .to(blocks.name(), Produced.with(blocks.keySerde(), blocks.valueSerde()).withName(DispatcherNames.BLOCKED_PREFIXES_SINK));
  }

  /** Hands records on unchanged: a named node the lifecycle processor can take as its parent. */
  private static final class PassThrough implements FixedKeyProcessor<String, VerificationRequest, VerificationRequest> {

    private FixedKeyProcessorContext<String, VerificationRequest> context;

    @Override
    public void init(FixedKeyProcessorContext<String, VerificationRequest> context) {
      this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, VerificationRequest> record) {
      context.forward(record);
    }
  }

  /** Empty but for what a version before VerificationState v8 left there (see {@link LegacyNumberSends}). */
  private static StoreBuilder<KeyValueStore<String, NumberSends>> numberSendsStore() {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DispatcherNames.NUMBER_SENDS_STORE),
        Serdes.String(), StateSerde.of(NumberSends.class));
  }

  /**
   * The Streams settings the service runs with: exactly-once, the commit interval as configured,
   * and every unreadable or unprocessable record to the dead-letter topic.
   */
  public static Properties streamsProperties(KafkaAccess kafka, DispatcherSettings settings, Topics topics) {
    Properties props = KafkaSettings.streams(kafka, settings.applicationId(), settings.stateDir(),
        settings.commitInterval(), topics.verificationRequests.replicationFactor());
    props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
    props.put(DeadLetterHandler.TOPIC_CONFIG, topics.deadLetters.name());
    // The route standings' global source gets the same handling as every other source.
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    // Every internal topic name comes from DispatcherNames; Streams must refuse to invent one.
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    // Room for the cached counters and verifications between two commits (see the stores below).
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, RECORD_CACHE_BYTES);
    // A crashed instance's partitions, and the delivery windows pending on them, move to a live one
    // only after the session expires: the 45 s default would delay those resends by as much.
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), (int) SESSION_TIMEOUT.toMillis());
    props.put(StreamsConfig.POLL_MS_CONFIG, IDLE_POLL.toMillis());
    return props;
  }

  // The lifecycle's stores are not cached: each verification's state changes a few times, seconds
  // apart, so a cache would collapse nothing. The counters of limit groups and prefixes are: one
  // network, API key or prefix counts many requests within a commit interval, and with the cache each
  // counter reaches its changelog once per commit instead of once per request (reads see the cache).

  /**
   * Cached: the changes to one verification within a commit (its send result and receipt, often) reach
   * RocksDB and the changelog once, at the commit, as the last state; under exactly-once nothing of it is
   * visible downstream before then anyway.
   */
  private static StoreBuilder<KeyValueStore<String, VerificationState>> verificationsStore() {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DispatcherNames.VERIFICATIONS_STORE),
        Serdes.String(), AvroSerde.of(VerificationState.class)).withCachingEnabled();
  }

  private static StoreBuilder<KeyValueStore<String, RouteStanding>> routeStandingsStore() {
    // A global store must not log: provider-scores itself is its source of truth.
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DispatcherNames.ROUTE_STANDINGS_STORE),
        Serdes.String(), RouteStanding.SERDE).withLoggingDisabled();
  }

  private static StoreBuilder<KeyValueStore<String, RoutingTableVersion>> routingTableStore() {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DispatcherNames.ROUTING_TABLE_STORE),
        Serdes.String(), AvroSerde.of(RoutingTableVersion.class)).withLoggingDisabled();
  }

  private static StoreBuilder<KeyValueStore<String, PrefixBlock>> blockedPrefixesStore() {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DispatcherNames.BLOCKED_PREFIXES_STORE),
        Serdes.String(), AvroSerde.of(PrefixBlock.class)).withLoggingDisabled();
  }

  private static StoreBuilder<KeyValueStore<String, RequestBlock>> requestBlocksStore() {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DispatcherNames.REQUEST_BLOCKS_STORE),
        Serdes.String(), AvroSerde.of(RequestBlock.class)).withLoggingDisabled();
  }

  private static StoreBuilder<KeyValueStore<Deadline, String>> deadlinesStore() {
    // Derived from the verifications, and rebuilt from them when a task starts (VerificationProcessor.init):
    // a changelog would only double every state change's records. RocksDB, not in memory: its iterators
    // are lazy, where the in-memory store copies every key into a new set for each iterator.
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DispatcherNames.DEADLINES_STORE),
        Deadline.SERDE, Serdes.String()).withLoggingDisabled();
  }

  private static StoreBuilder<WindowStore<String, DeliveryReceipt>> earlyReceiptsStore(DispatcherSettings settings) {
    // A receipt older than a code's whole life can no longer matter.
    return Stores.windowStoreBuilder(
        Stores.persistentWindowStore(DispatcherNames.EARLY_RECEIPTS_STORE, settings.ttl(), EARLY_RECEIPT_WINDOW, false),
        Serdes.String(), AvroSerde.of(DeliveryReceipt.class));
  }

  private static void source(Topology topology, String name, Topic<String, ?> topic) {
    topology.addSource(name, topic.keySerde().deserializer(), topic.valueSerde().deserializer(), topic.name());
  }

  private static void sink(Topology topology, String name, Topic<String, ?> topic) {
    topology.addSink(name, topic.name(), topic.keySerde().serializer(), topic.valueSerde().serializer(),
        DispatcherNames.LIFECYCLE_PROCESSOR);
  }
}
