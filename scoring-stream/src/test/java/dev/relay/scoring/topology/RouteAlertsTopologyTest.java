package dev.relay.scoring.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.relay.schemas.AlertKind;
import dev.relay.schemas.AlertMetric;
import dev.relay.schemas.Channel;
import dev.relay.schemas.ProviderAlert;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.WindowStats;
import dev.relay.schemas.topics.ProviderScoreKeys;
import dev.relay.schemas.topics.Topics;
import dev.relay.scoring.config.AlertSettings;
import dev.relay.support.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.WindowStore;
import java.time.Instant;
import java.util.Properties;
import dev.relay.schemas.serde.AvroSerde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rule on synthetic published scores: a sharp drop of the short window against the rest of
 * the long window raises one DROP per episode, a recovery ends it, and thin samples raise nothing.
 * Thresholds: 30 points to drop, back within 10 points to recover, 20 accepted sends on each side.
 */
class RouteAlertsTopologyTest {

  private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
  private static final String ROUTE = ProviderScoreKeys.key("twilio", "DE", Channel.SMS);

  @TempDir
  Path stateDir;

  private final Topics topics = Topics.defaults();
  private TopologyTestDriver driver;
  private TestInputTopic<String, ProviderScore> scores;
  private TestOutputTopic<String, ProviderAlert> alerts;

  @BeforeEach
  void start() {
    Properties properties = new Properties();
    properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "scoring-test");
    properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver = new TopologyTestDriver(alertsOnly(new AlertSettings(30, 10, 20)), properties, T0);
    scores = driver.createInputTopic(topics.providerScores.name(), topics.providerScores.keySerde().serializer(),
        topics.providerScores.valueSerde().serializer());
    alerts = driver.createOutputTopic(topics.providerAlerts.name(), topics.providerAlerts.keySerde().deserializer(),
        topics.providerAlerts.valueSerde().deserializer());
  }

  /**
   * The alert processor with its stores, fed synthetic scores: in the app it hangs off route-windows,
   * which publishes exactly these records.
   */
  private Topology alertsOnly(AlertSettings settings) {
    Topology topology = new Topology();
    topology.addSource("scores", topics.providerScores.keySerde().deserializer(),
        topics.providerScores.valueSerde().deserializer(), topics.providerScores.name());
    topology.addProcessor(ScoringTopology.ROUTE_ALERTS, () -> new RouteAlerts(settings), "scores");
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ScoringTopology.ROUTE_ALERTS_STORE),
        Serdes.String(), AvroSerde.of(ProviderAlert.class)), ScoringTopology.ROUTE_ALERTS);
    topology.addStateStore(Stores.windowStoreBuilder(Stores.persistentWindowStore(ScoringTopology.RECENT_ALERTS_STORE,
        ScoringTopology.RECENT_ALERTS_RETENTION, Duration.ofMillis(1), true), Serdes.String(), AvroSerde.of(ProviderAlert.class)),
        ScoringTopology.ROUTE_ALERTS);
    topology.addSink("alerts", topics.providerAlerts.name(), topics.providerAlerts.keySerde().serializer(),
        topics.providerAlerts.valueSerde().serializer(), ScoringTopology.ROUTE_ALERTS);
    return topology;
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  @Test
  void aSharpDeliveryDropRaisesOneDropPerEpisodeAndARecoveryEndsIt() {
    // Baseline 95 of 100 delivered (and completed 70), short window 30 of 50: 35 points down.
    publish(0, 150, 125, 100, 50, 30, 25);

    ProviderAlert drop = alerts.readValue();
    assertThat(drop.getKind()).isEqualTo(AlertKind.DROP);
    assertThat(drop.getMetric()).isEqualTo(AlertMetric.DELIVERY_RATE);
    assertThat(drop.getBaselineRate()).isCloseTo(0.95, within(1e-9));
    assertThat(drop.getCurrentRate()).isCloseTo(0.60, within(1e-9));
    assertThat(drop.getDropPoints()).isCloseTo(35.0, within(1e-9));
    assertThat(drop.getThresholdPoints()).isEqualTo(30.0);
    assertThat(drop.getBaselineSamples()).isEqualTo(100);
    assertThat(drop.getCurrentSamples()).isEqualTo(50);
    assertThat(drop.getAlertId()).isEqualTo(ROUTE + "|DELIVERY_RATE|" + T0);
    assertThat(drop.getProvider()).isEqualTo("twilio");
    assertThat(alerts.isEmpty()).as("completion fell 20 points only: no alert").isTrue();

    // Still down a minute later: the episode is open, no second DROP.
    publish(1, 160, 130, 100, 60, 35, 30);
    assertThat(alerts.isEmpty()).isTrue();

    // Back to 45 of 50 (0.90 >= 0.95 - 0.10): one RECOVERY with the drop's id and baseline.
    publish(2, 150, 140, 100, 50, 45, 35);
    ProviderAlert recovery = alerts.readValue();
    assertThat(recovery.getKind()).isEqualTo(AlertKind.RECOVERY);
    assertThat(recovery.getAlertId()).isEqualTo(drop.getAlertId());
    assertThat(recovery.getBaselineRate()).isCloseTo(0.95, within(1e-9));
    assertThat(recovery.getCurrentRate()).isCloseTo(0.90, within(1e-9));
    assertThat(recovery.getRaisedAt()).isEqualTo(T0.plus(Duration.ofMinutes(2)));
    assertThat(alerts.isEmpty()).isTrue();

    // A new drop after the recovery is a new episode.
    publish(3, 150, 125, 100, 50, 30, 25);
    ProviderAlert again = alerts.readValue();
    assertThat(again.getKind()).isEqualTo(AlertKind.DROP);
    assertThat(again.getAlertId()).isNotEqualTo(drop.getAlertId());
    assertThat(alerts.isEmpty()).isTrue();

    // GET /alerts reads them back, by time, from the recent-alerts store.
    List<ProviderAlert> kept = new ArrayList<>();
    WindowStore<String, ProviderAlert> store = driver.getWindowStore(ScoringTopology.RECENT_ALERTS_STORE);
    try (KeyValueIterator<Windowed<String>, ProviderAlert> all = store.fetchAll(T0, T0.plus(Duration.ofHours(1)))) {
      all.forEachRemaining(entry -> kept.add(entry.value));
    }
    assertThat(kept).containsExactly(drop, recovery, again);
  }

  @Test
  void aCompletionDropIsItsOwnEpisode() {
    // Delivery steady (95 %), completion from 80 % to 40 %.
    publish(0, 150, 142, 100, 50, 47, 20);
    publish(0, 150, 142, 100, 50, 47, 20);

    ProviderAlert drop = alerts.readValue();
    assertThat(drop.getMetric()).isEqualTo(AlertMetric.COMPLETION_RATE);
    assertThat(drop.getBaselineRate()).isCloseTo(0.80, within(1e-9));
    assertThat(drop.getCurrentRate()).isCloseTo(0.40, within(1e-9));
    assertThat(alerts.isEmpty()).isTrue();
  }

  @Test
  void aCompletionDropSharedByTheWholeCountryOrEveryCountryIsRaisedAsDemandOrRelaySideNamingWhatFell() {
    publishShared(0, SharedDrops.COUNTRY);
    ProviderAlert demand = alerts.readValue();
    assertThat(demand.getKind()).isEqualTo(AlertKind.DEMAND_SIDE_DROP);
    assertThat(demand.getMetric()).isEqualTo(AlertMetric.COMPLETION_RATE);
    assertThat(demand.getScope()).isEqualTo("country DE, SMS");
    assertThat(alerts.isEmpty()).isTrue();
    publish(1, 150, 142, 100, 50, 47, 40);
    assertThat(alerts.readValue().getKind()).isEqualTo(AlertKind.RECOVERY);

    publishShared(2, SharedDrops.ALL_COUNTRIES);
    ProviderAlert relay = alerts.readValue();
    assertThat(relay.getKind()).isEqualTo(AlertKind.RELAY_SIDE_DROP);
    assertThat(relay.getScope()).isEqualTo("all countries, SMS");

    // The same drop the route's peers do not share is the route's own.
    publish(3, 150, 142, 100, 50, 47, 40);
    publish(4, 150, 142, 100, 50, 47, 20);
    assertThat(alerts.readValuesToList()).extracting(ProviderAlert::getKind)
        .containsExactly(AlertKind.RECOVERY, AlertKind.DROP);
  }

  @Test
  void aDropJustUnderTheThresholdOrOnTooFewSamplesRaisesNothing() {
    // 29 points down.
    publish(0, 200, 161, 100, 100, 66, 50);
    // 60 points down but only 19 sends in the short window.
    publish(1, 119, 95, 80, 19, 5, 5);
    // 60 points down but only 19 sends in the baseline.
    publish(2, 69, 25, 15, 50, 7, 5);
    // No short window at all.
    scores.pipeInput(ROUTE, ProviderScore.newBuilder().setProvider("twilio").setCountry("DE").setChannel(Channel.SMS)
        .setAccepted(100).setDelivered(10).setUpdatedAt(T0).build(), T0);

    assertThat(alerts.isEmpty()).isTrue();
  }

  @Test
  void aDropAtExactlyTheThresholdAlerts() {
    // Baseline 0.9, current 0.6: 30 points.
    publish(0, 150, 120, 100, 50, 30, 40);
    assertThat(alerts.readValue().getDropPoints()).isCloseTo(30.0, within(1e-9));
    assertThat(alerts.isEmpty()).isTrue();
  }

  @Test
  void thresholdsAreValidated() {
    assertThatThrownBy(() -> new AlertSettings(0, 0, 20)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("relay.scoring.alert-drop-points");
    assertThatThrownBy(() -> new AlertSettings(30, 30, 20)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("relay.scoring.alert-recovery-points");
    assertThatThrownBy(() -> new AlertSettings(30, 10, 0)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("relay.scoring.alert-min-samples");
  }

  /**
   * A published score {@code minutes} after T0: the long window's accepted, delivered and completed
   * sends, then the short window's (which the long window includes).
   */
  private void publish(int minutes, long accepted, long delivered, long completed,
      long shortAccepted, long shortDelivered, long shortCompleted) {
    Instant at = T0.plus(Duration.ofMinutes(minutes));
    scores.pipeInput(ROUTE, score(at, accepted, delivered, completed, shortAccepted, shortDelivered, shortCompleted)
        .build(), at);
  }

  /** Delivery steady, completion from 80 % to 40 %, shared as the scope says. */
  private void publishShared(int minutes, String sharedDrop) {
    Instant at = T0.plus(Duration.ofMinutes(minutes));
    scores.pipeInput(ROUTE, score(at, 150, 142, 100, 50, 47, 20).setSharedDrop(sharedDrop).build(), at);
  }

  private static ProviderScore.Builder score(Instant at, long accepted, long delivered, long completed,
      long shortAccepted, long shortDelivered, long shortCompleted) {
    return ProviderScore.newBuilder()
        .setProvider("twilio")
        .setCountry("DE")
        .setChannel(Channel.SMS)
        .setWindowStart(at.minus(Duration.ofHours(1)))
        .setWindowEnd(at)
        .setTried(accepted)
        .setAccepted(accepted)
        .setDelivered(delivered)
        .setCompleted(completed)
        .setFirstSends(accepted)
        .setFirstCompleted(completed)
        .setScore(0.5)
        .setShortWindow(WindowStats.newBuilder()
            .setStart(at.minus(Duration.ofMinutes(5)))
            .setEnd(at)
            .setTried(shortAccepted)
            .setAccepted(shortAccepted)
            .setDelivered(shortDelivered)
            .setCompleted(shortCompleted)
            .setFirstSends(shortAccepted)
            .setFirstCompleted(shortCompleted)
            .build())
        .setUpdatedAt(at);
  }
}
