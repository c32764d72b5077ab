package dev.relay.scoring.testing;

import dev.relay.dispatcher.facts.RouteFactSettings;
import dev.relay.schemas.DeadLetter;
import dev.relay.schemas.DeliveryOutcome;
import dev.relay.schemas.DeliveryReceipt;
import dev.relay.schemas.ProviderAlert;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.RouteFact;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.serde.AvroSerde;
import dev.relay.schemas.topics.Topics;
import dev.relay.scoring.config.AlertSettings;
import dev.relay.scoring.config.DemotionSettings;
import dev.relay.scoring.config.ScoringSettings;
import dev.relay.scoring.model.RouteScore;
import dev.relay.scoring.topology.ScoringTopology;
import dev.relay.support.kafka.KafkaAccess;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

/** The scoring topology in a {@link TopologyTestDriver}, with typed inputs and outputs. */
public final class ScoringDriver implements AutoCloseable {

  /** The driver's wall clock at start; punctuations are counted from here. */
  /** The driver commits after every record; the interval only has to be one the service accepts. */
  private static final Duration COMMIT_INTERVAL = Duration.ofSeconds(1);

  private static final String APPLICATION_ID = "scoring-test";

  public static final Instant WALL_CLOCK_START = Instant.parse("2026-03-02T12:00:00Z");

  public final Topics topics = Topics.defaults();
  private final ScoringSettings settings;
  private final TopologyTestDriver driver;
  private final TestInputTopic<String, RouteFact> routeFacts;
  private final TestInputTopic<String, DeliveryOutcome> deliveryOutcomes;
  private final DispatcherOutcomes dispatcher;
  private final DispatcherFacts dispatcherFacts;
  /** The record time of the input being piped: an outcome it settles is piped at that time too. */
  private Instant piping;
  private final TestInputTopic<String, byte[]> rawRouteFacts;
  private final TestOutputTopic<String, ProviderScore> scores;
  private final TestOutputTopic<String, ProviderScore> history;
  private final TestOutputTopic<byte[], DeadLetter> deadLetters;
  private final TestOutputTopic<String, ProviderAlert> alerts;
  private Instant wallClock = WALL_CLOCK_START;

  public ScoringDriver(ScoringSettings settings, Path stateDir) {
    this(settings, DemotionSettings.defaults(), stateDir);
  }

  public ScoringDriver(ScoringSettings settings, DemotionSettings demotion, Path stateDir) {
    this.settings = settings;
    Properties properties = ScoringTopology.streamsProperties(KafkaAccess.plaintext("unused:9092"), APPLICATION_ID,
        stateDir, COMMIT_INTERVAL, topics);
    // Under exactly-once the driver drops what the deserialization handler returns (the dead letter of an
    // unreadable record, which a broker does get: ScoringServiceIntegrationTest); the driver commits after
    // every record either way.
    properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    driver = new TopologyTestDriver(ScoringTopology.build(topics, settings, AlertSettings.defaults(), demotion), properties, WALL_CLOCK_START);
    routeFacts = driver.createInputTopic(topics.routeFacts.name(),
        topics.routeFacts.keySerde().serializer(), topics.routeFacts.valueSerde().serializer());
    deliveryOutcomes = driver.createInputTopic(topics.deliveryOutcomes.name(),
        topics.deliveryOutcomes.keySerde().serializer(), topics.deliveryOutcomes.valueSerde().serializer());
    dispatcher = new DispatcherOutcomes((route, outcome) -> deliveryOutcomes.pipeInput(route, outcome, piping));
    dispatcherFacts = new DispatcherFacts(topics, RouteFactSettings.defaults(), stateDir.resolve("dispatcher-facts"), WALL_CLOCK_START,
        told -> routeFacts.pipeInput(told.key(), told.value(), told.getRecordTime()));
    rawRouteFacts = driver.createInputTopic(topics.routeFacts.name(), new StringSerializer(), new ByteArraySerializer());
    scores = driver.createOutputTopic(topics.providerScores.name(),
        topics.providerScores.keySerde().deserializer(), topics.providerScores.valueSerde().deserializer());
    history = driver.createOutputTopic(topics.providerScoreHistory.name(),
        topics.providerScoreHistory.keySerde().deserializer(), topics.providerScoreHistory.valueSerde().deserializer());
    alerts = driver.createOutputTopic(topics.providerAlerts.name(),
        topics.providerAlerts.keySerde().deserializer(), topics.providerAlerts.valueSerde().deserializer());
    deadLetters = driver.createOutputTopic(topics.deadLetters.name(),
        new ByteArrayDeserializer(), AvroSerde.of(DeadLetter.class).deserializer());
  }

  /**
   * A send result as scoring learns of it, at the given record timestamp (the event time scoring windows by):
   * the facts the dispatcher tells of it, and the delivery outcome it settles.
   */
  public void send(SendResult result, Instant timestamp) {
    dispatcherFacts.onSend(result, timestamp);
    piping = timestamp;
    dispatcher.onSend(result);
  }

  public void send(SendResult result) {
    send(result, result.getCompletedAt());
  }

  /**
   * A receipt as scoring learns of it: the delivery outcome the dispatcher tells once it matched the
   * receipt to its accepted send (at this time, or when the send comes, for a receipt that came first).
   */
  public void receipt(DeliveryReceipt receipt, Instant timestamp) {
    piping = timestamp;
    dispatcher.onReceipt(receipt);
  }

  public void receipt(DeliveryReceipt receipt) {
    receipt(receipt, receipt.getReceivedAt());
  }

  /** A lifecycle event as scoring learns of it: the facts the dispatcher tells of it. */
  public void event(VerificationEvent event) {
    dispatcherFacts.onEvent(event);
    dispatcher.onEvent(event);
  }

  /** A route fact as the dispatcher writes it, when a scenario needs one the dispatcher would not tell. */
  public void routeFact(String route, RouteFact fact, Instant timestamp) {
    routeFacts.pipeInput(route, fact, timestamp);
  }

  public void rawRouteFact(String key, byte[] value, Instant timestamp) {
    rawRouteFacts.pipeInput(key, value, timestamp);
  }

  /**
   * Lets one emit interval of wall-clock time pass, which fires the publishing punctuator once.
   *
   * @return the driver's wall clock afterwards: the {@code updatedAt} of what was published
   */
  public Instant publish() {
    driver.advanceWallClockTime(settings.emitInterval());
    wallClock = wallClock.plus(settings.emitInterval());
    return wallClock;
  }

  /** The driver's wall clock: the {@code updatedAt} of a window closed by an input record now. */
  public Instant wallClock() {
    return wallClock;
  }

  public List<KeyValue<String, ProviderScore>> publishedScores() {
    return scores.readKeyValuesToList();
  }

  public boolean noScoresPublished() {
    return scores.isEmpty();
  }

  public List<KeyValue<String, ProviderScore>> history() {
    return history.readKeyValuesToList();
  }

  public boolean noHistoryWritten() {
    return history.isEmpty();
  }

  public List<ProviderAlert> alerts() {
    return alerts.readValuesToList();
  }

  public List<KeyValue<byte[], DeadLetter>> deadLetters() {
    return deadLetters.readKeyValuesToList();
  }

  /**
   * The records written to a store's changelog so far (the driver commits after every input record, so a
   * cached store writes each key it changed once per input).
   */
  public int changelogRecords(String store) {
    return changelogValues(store).size();
  }

  /** How many of the records written to a store's changelog so far are tombstones (deletes). */
  public long changelogTombstones(String store) {
    return changelogValues(store).stream().filter(value -> value == null).count();
  }

  private List<byte[]> changelogValues(String store) {
    String changelog = APPLICATION_ID + "-" + store + "-changelog";
    if (!driver.producedTopicNames().contains(changelog)) {
      return List.of();
    }
    return driver.createOutputTopic(changelog, new ByteArrayDeserializer(), new ByteArrayDeserializer())
        .readValuesToList();
  }

  public RouteScore routeScore(String route) {
    KeyValueStore<String, RouteScore> store = driver.getKeyValueStore(ScoringTopology.ROUTE_SCORES_STORE);
    return store.get(route);
  }

  @Override
  public void close() {
    dispatcherFacts.close();
    driver.close();
  }
}
