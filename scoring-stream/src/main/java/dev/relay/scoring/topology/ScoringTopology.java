package dev.relay.scoring.topology;

import dev.relay.schemas.ProviderAlert;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.serde.AvroSerde;
import dev.relay.schemas.topics.Topic;
import dev.relay.schemas.topics.Topics;
import dev.relay.scoring.config.AlertSettings;
import dev.relay.scoring.config.DemotionSettings;
import dev.relay.scoring.config.ScoringSettings;
import dev.relay.scoring.model.RouteStats;
import dev.relay.scoring.model.ScoreFact;
import dev.relay.scoring.serde.ScoringSerdes;
import dev.relay.support.kafka.KafkaAccess;
import dev.relay.support.kafka.KafkaSettings;
import dev.relay.support.streams.DeadLetters;
import dev.relay.support.streams.LatestPerKeyUpdater;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The scoring app as a pure function of its topics and settings.
 *
 * <pre>
 * route-facts ─────── told-route-facts ───────┐
 * delivery-outcomes ─ delivery-outcome-facts ─┴─ merge ─ route-windows ─┬─ provider-scores
 *                                  (stores: panes, marks, scores)        └─ provider-score-history
 *                                  route-windows ─ route-alerts ─ provider-alerts
 *                                    (stores: open alert episodes, recent alerts)
 * provider-scores ─ peer-scores (global store: every route's latest score, read by route-windows)
 * </pre>
 *
 * Every input comes keyed by route: the dispatcher, which holds each attempt, tells each try, failover,
 * completion and excused send on route-facts, and each send's delivery outcome (it matches the receipts)
 * on delivery-outcomes, once, so scoring matches nothing and keeps no state per verification. The two
 * topics are partitioned alike, so a route's facts meet in one task, which owns the route's panes,
 * publishes its windows and writes the closed ones to the history;
 * {@link RouteWindows} addresses each record to one of its two sinks by name. Every node, store and
 * internal topic is named here, and {@code ScoringTopologyDescriptionTest} pins them.
 */
public final class ScoringTopology {

  public static final String ROUTE_FACTS_SOURCE = "route-facts-source";
  public static final String DELIVERY_OUTCOMES_SOURCE = "delivery-outcomes-source";
  public static final String TOLD_ROUTE_FACTS = "told-route-facts";
  public static final String DELIVERY_OUTCOME_FACTS = "delivery-outcome-facts";
  public static final String MERGE_DELIVERY_OUTCOME_FACTS = "merge-delivery-outcome-facts";
  public static final String ROUTE_WINDOWS = "route-windows";
  /** Child of {@link #ROUTE_WINDOWS} that gets each publication of a route's current window. */
  public static final String PROVIDER_SCORES_SINK = "provider-scores-sink";
  /** Child of {@link #ROUTE_WINDOWS} that gets each published window of a route once, when it closes. */
  public static final String PROVIDER_SCORE_HISTORY_SINK = "provider-score-history-sink";

  /** Reads provider-scores back into the global peer-scores store. */
  public static final String PEER_SCORES_SOURCE = "peer-scores-source";
  /** Child of {@link #ROUTE_WINDOWS}: each published score is checked for a sharp drop or a recovery. */
  public static final String ROUTE_ALERTS = "route-alerts";
  public static final String PROVIDER_ALERTS_SINK = "provider-alerts-sink";

  public static final String ROUTE_PANES_STORE = "scoring-route-panes";
  public static final String ROUTE_MARKS_STORE = "scoring-route-marks";
  /** The latest {@code RouteScore} per route; queried by {@code GET /scores}. */
  public static final String ROUTE_SCORES_STORE = "scoring-route-scores";
  /** The open alert episode (its DROP) per route and metric. */
  public static final String ROUTE_ALERTS_STORE = "scoring-route-alerts";
  /** Every alert raised, by route and time, for {@link #RECENT_ALERTS_RETENTION}; queried by {@code GET /alerts}. */
  public static final String RECENT_ALERTS_STORE = "scoring-recent-alerts";
  /**
   * Global: every route's latest published score, so a route is judged against its peers (its
   * country's other routes, the other countries) wherever they are scored. No changelog: provider-scores is its source.
   */
  public static final String PEER_SCORES_STORE = "scoring-peer-scores";
  /** How long raised alerts stay queryable. */
  public static final Duration RECENT_ALERTS_RETENTION = Duration.ofDays(1);

  /** Alerts are written at one instant, not over a span. */
  private static final Duration INSTANT = Duration.ofMillis(1);

  /**
   * How long scoring's threads wait in a poll that finds nothing (Kafka Streams' default {@code poll.ms} is 100 ms).
   * The service's clients are {@code IdlePollClients}, whose main and restore consumers do not wait this long while
   * the thread starts or restores, nor right after records; a publication may come up to this much after it is due.
   */
  static final Duration IDLE_POLL = Duration.ofSeconds(1);

  /** Room for the cached stores' latest values between two commits: the routes' panes and marks. */
  private static final long STORE_CACHE_BYTES = 4L << 20;

  private ScoringTopology() {}

  /**
   * The Streams settings the service runs with: exactly-once, the commit interval as configured,
   * every unreadable or unprocessable record to the dead-letter topic.
   */
  public static Properties streamsProperties(KafkaAccess kafka, String applicationId, Path stateDir,
      Duration commitInterval, Topics topics) {
    Properties properties = KafkaSettings.streams(kafka, applicationId, stateDir, commitInterval,
        topics.providerScores.replicationFactor());
    DeadLetters.install(properties, topics.deadLetters);
    // Nobody waits on scoring: the stores it marks as cached (those many facts rewrite: a route's panes and
    // its mark) write one changelog record per key and commit instead of one per fact.
    properties.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, STORE_CACHE_BYTES);
    // Nor on a fact or a peer's score. Each stream and global thread wakes every poll.ms when there is nothing
    // to read (records end a poll at once): 1 s wakes an idle scoring once a second, not 10 times.
    properties.put(StreamsConfig.POLL_MS_CONFIG, IDLE_POLL.toMillis());
    return properties;
  }

  /** With the default alert thresholds. */
  public static Topology build(Topics topics, ScoringSettings settings) {
    return build(topics, settings, AlertSettings.defaults());
  }

  /** With the default demotion thresholds. */
  public static Topology build(Topics topics, ScoringSettings settings, AlertSettings alerts) {
    return build(topics, settings, alerts, DemotionSettings.defaults());
  }

  public static Topology build(Topics topics, ScoringSettings settings, AlertSettings alerts, DemotionSettings demotion) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.addGlobalStore(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PEER_SCORES_STORE), Serdes.String(),
            AvroSerde.of(ProviderScore.class)).withLoggingDisabled(),
        topics.providerScores.name(),
        Consumed.with(topics.providerScores.keySerde(), topics.providerScores.valueSerde()).withName(PEER_SCORES_SOURCE),
        () -> new LatestPerKeyUpdater<ProviderScore>(PEER_SCORES_STORE));
    builder.addStateStore(paneStore(settings));
    builder.addStateStore(keyValueStore(ROUTE_MARKS_STORE, ScoringSerdes.ROUTE_MARK).withCachingEnabled());
    builder.addStateStore(keyValueStore(ROUTE_SCORES_STORE, ScoringSerdes.ROUTE_SCORE));

    // Both inputs are keyed by route and partitioned alike, so each route's facts meet in one task.
    KStream<String, ScoreFact> toldFacts = source(builder, topics.routeFacts, ROUTE_FACTS_SOURCE)
        .process(ToldRouteFacts::new, Named.as(TOLD_ROUTE_FACTS));
    KStream<String, ScoreFact> deliveryFacts = source(builder, topics.deliveryOutcomes, DELIVERY_OUTCOMES_SOURCE)
        .process(DeliveryOutcomeFacts::new, Named.as(DELIVERY_OUTCOME_FACTS));

    KStream<String, ProviderScore> published = toldFacts
        .merge(deliveryFacts, Named.as(MERGE_DELIVERY_OUTCOME_FACTS))
        .process(() -> new RouteWindows(settings, alerts, demotion), Named.as(ROUTE_WINDOWS),
            ROUTE_PANES_STORE, ROUTE_MARKS_STORE, ROUTE_SCORES_STORE);
    // Both sinks hang directly off route-windows, which forwards each record to one of them by name.
    sink(published, topics.providerScores, PROVIDER_SCORES_SINK);
    sink(published, topics.providerScoreHistory, PROVIDER_SCORE_HISTORY_SINK);

    // Alerts hang off route-windows and see exactly the records routing and dashboards get; provider-scores
    // itself is read back only into the global peer-scores store (a topic feeds one kind of source).
    builder.addStateStore(keyValueStore(ROUTE_ALERTS_STORE, AvroSerde.of(ProviderAlert.class)));
    // Several alerts of one route may share a millisecond (a delivery and a completion drop): keep them all.
    builder.addStateStore(Stores.windowStoreBuilder(
        Stores.persistentWindowStore(RECENT_ALERTS_STORE, RECENT_ALERTS_RETENTION, INSTANT, true),
        Serdes.String(), AvroSerde.of(ProviderAlert.class)));
    KStream<String, ProviderAlert> alertStream = published
        .process(() -> new RouteAlerts(alerts), Named.as(ROUTE_ALERTS), ROUTE_ALERTS_STORE, RECENT_ALERTS_STORE);
    sink(alertStream, topics.providerAlerts, PROVIDER_ALERTS_SINK);
    return builder.build();
  }

  private static <V> void sink(KStream<String, V> stream, Topic<String, V> topic, String name) {
    stream.to(topic.name(), Produced.with(topic.keySerde(), topic.valueSerde()).withName(name));
  }

  private static <V> KStream<String, V> source(StreamsBuilder builder, Topic<String, V> topic, String name) {
    return builder.stream(topic.name(), Consumed.with(topic.keySerde(), topic.valueSerde()).withName(name));
  }

  private static StoreBuilder<WindowStore<String, RouteStats>> paneStore(ScoringSettings settings) {
    // One extra pane of retention keeps the oldest pane of the current window while it is read; the judged
    // windows of completion reach further back (ScoringSettings.judgedReach).
    Duration retention = settings.window().plus(settings.windowAdvance()).plus(settings.judgedReach());
    return Stores.windowStoreBuilder(
        Stores.persistentWindowStore(ROUTE_PANES_STORE, retention, settings.windowAdvance(), false),
        Serdes.String(), ScoringSerdes.ROUTE_STATS).withCachingEnabled();
  }

  private static <V> StoreBuilder<KeyValueStore<String, V>> keyValueStore(String name, Serde<V> values) {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), values);
  }
}
