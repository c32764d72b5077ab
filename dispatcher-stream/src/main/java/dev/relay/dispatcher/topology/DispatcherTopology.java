package dev.relay.dispatcher.topology;

import dev.relay.dispatcher.config.DispatcherSettings;
import dev.relay.dispatcher.routing.RouteStanding;
import dev.relay.dispatcher.routing.RoutingTable;
import dev.relay.dispatcher.routing.ScoredRouting;
import dev.relay.schemas.DeliveryReceipt;
import dev.relay.schemas.RoutingTableVersion;
import dev.relay.schemas.serde.AvroSerde;
import dev.relay.schemas.state.VerificationState;
import dev.relay.schemas.topics.Topic;
import dev.relay.schemas.topics.Topics;
import dev.relay.support.kafka.KafkaSettings;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The dispatcher's topology, as a pure function of its inputs: four number-keyed sources into one
 * lifecycle processor with its three RocksDB stores (each with a changelog), and three sinks; plus
 * two global stores that decide each send's routes: the route standings, fed from
 * {@code provider-scores}, and the latest routing table published to {@code routing-table}.
 */
public final class DispatcherTopology {

  /** A window store only needs a window; receipts are held by arrival time, so the smallest will do. */
  private static final Duration EARLY_RECEIPT_WINDOW = Duration.ofMillis(1);

  private DispatcherTopology() {}

  /** Routing with the default policy and no pins. */
  public static Topology build(Topics topics, DispatcherSettings settings, RoutingTable routing,
      VerificationSecrets secrets, MeterRegistry metrics) {
    return build(topics, settings, ScoredRouting.withDefaults(routing), secrets, metrics);
  }

  public static Topology build(Topics topics, DispatcherSettings settings, ScoredRouting routing,
      VerificationSecrets secrets, MeterRegistry metrics) {
    VerificationLifecycle lifecycle = new VerificationLifecycle(settings, routing.table(), secrets, metrics);
    // StreamsBuilder's global store, unlike Topology's, replays the topic through the updater when the
    // store is rebuilt (KAFKA-7663): the standings are derived, not a copy of the records.
    StreamsBuilder builder = new StreamsBuilder();
    builder.addGlobalStore(routeStandingsStore(),
        topics.providerScores.name(),
        Consumed.with(topics.providerScores.keySerde(), topics.providerScores.valueSerde())
            .withName(DispatcherNames.ROUTE_STANDINGS_PROCESSOR),
        () -> new RouteStandingsUpdater(routing.policy()));
    builder.addGlobalStore(routingTableStore(),
        topics.routingTable.name(),
        Consumed.with(topics.routingTable.keySerde(), topics.routingTable.valueSerde())
            .withName(DispatcherNames.ROUTING_TABLE_PROCESSOR),
        RoutingTableUpdater::new);
    Topology topology = builder.build();
    source(topology, DispatcherNames.VERIFICATION_REQUESTS_SOURCE, topics.verificationRequests);
    source(topology, DispatcherNames.CODE_CHECKS_SOURCE, topics.codeChecks);
    source(topology, DispatcherNames.SEND_RESULTS_SOURCE, topics.sendResults);
    source(topology, DispatcherNames.DELIVERY_RECEIPTS_SOURCE, topics.deliveryReceipts);

    topology.addProcessor(DispatcherNames.LIFECYCLE_PROCESSOR,
        () -> new VerificationProcessor(lifecycle, routing, settings),
        DispatcherNames.VERIFICATION_REQUESTS_SOURCE, DispatcherNames.CODE_CHECKS_SOURCE,
        DispatcherNames.SEND_RESULTS_SOURCE, DispatcherNames.DELIVERY_RECEIPTS_SOURCE);
    topology.addStateStore(verificationsStore(), DispatcherNames.LIFECYCLE_PROCESSOR);
    topology.addStateStore(deadlinesStore(), DispatcherNames.LIFECYCLE_PROCESSOR);
    topology.addStateStore(earlyReceiptsStore(settings), DispatcherNames.LIFECYCLE_PROCESSOR);

    sink(topology, DispatcherNames.SEND_COMMANDS_SINK, topics.sendCommands);
    sink(topology, DispatcherNames.VERIFICATION_EVENTS_SINK, topics.verificationEvents);
    sink(topology, DispatcherNames.VERIFICATION_REPLIES_SINK, topics.verificationReplies);
    return topology;
  }

  /**
   * The Streams settings the service runs with: exactly-once, the commit interval as configured,
   * and every unreadable or unprocessable record to the dead-letter topic.
   */
  public static Properties streamsProperties(String bootstrapServers, DispatcherSettings settings, Topics topics) {
    Properties props = KafkaSettings.streams(bootstrapServers, settings.applicationId(), settings.stateDir(),
        settings.commitInterval(), topics.verificationRequests.replicationFactor());
    props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
    props.put(DeadLetterHandler.TOPIC_CONFIG, topics.deadLetters.name());
    // The route standings' global source gets the same handling as every other source.
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    // Every internal topic name comes from DispatcherNames; Streams must refuse to invent one.
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    return props;
  }

  // Caching stays off on every store (the builders' default): a cached write would reach the
  // changelog only at commit, while the punctuator and the next record must see it at once anyway.

  private static StoreBuilder<KeyValueStore<String, VerificationState>> verificationsStore() {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DispatcherNames.VERIFICATIONS_STORE),
        Serdes.String(), AvroSerde.of(VerificationState.class));
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

  private static StoreBuilder<KeyValueStore<Deadline, String>> deadlinesStore() {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DispatcherNames.DEADLINES_STORE),
        Deadline.SERDE, Serdes.String());
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
