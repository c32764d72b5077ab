package dev.relay.scoring.topology;

import static dev.relay.scoring.testing.ExpectedScore.facts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.Channel;
import dev.relay.schemas.ProviderScore;
import dev.relay.scoring.config.AlertSettings;
import dev.relay.scoring.config.DemotionSettings;
import dev.relay.scoring.config.ScoringSettings;
import dev.relay.scoring.model.RouteMark;
import dev.relay.scoring.model.RouteScore;
import dev.relay.scoring.model.RouteStats;
import dev.relay.scoring.model.ScoreFact;
import dev.relay.scoring.serde.ScoringSerdes;
import dev.relay.scoring.testing.EarlierLayout;
import dev.relay.scoring.testing.ExpectedScore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedPunctuator;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RouteWindows} alone, on stores as a restarted instance finds them: the in-memory marker of
 * closed windows is gone, so the first publication closes what the stores still hold open. Each
 * record goes to one of the two sinks by name, never to both.
 */
class RouteWindowsTest {

  /** Every first send judged at once, so the expected figures are exactly the facts sent. */
  private static final ScoringSettings SETTINGS = ScoringSettings.defaults().withCompletionSettle(Duration.ZERO);
  private static final ExpectedScore EXPECTED = new ExpectedScore(SETTINGS);
  private static final String TWILIO_SMS = "twilio|DE|SMS";
  private static final Instant WALL_CLOCK = Instant.parse("2026-03-02T12:00:00Z");
  /** Values stored by a release before state was Avro (see {@link EarlierLayout}). */
  private static final RouteStats EARLIER_PANE = RouteStats.empty();
  private static final RouteMark EARLIER_MARK = new RouteMark(0, RouteMark.NONE, true);
  private static final RouteScore EARLIER_SCORE = new RouteScore("twilio", "DE", "SMS", null, null, null, null, true, false);

  private final MockProcessorContext<String, ProviderScore> context = new MockProcessorContext<>();
  private WindowStore<String, RouteStats> panes;
  private KeyValueStore<String, RouteMark> marks;
  private KeyValueStore<String, RouteScore> scores;

  @BeforeEach
  void createStores() {
    panes = Stores.windowStoreBuilder(Stores.inMemoryWindowStore(ScoringTopology.ROUTE_PANES_STORE,
            SETTINGS.window().plus(SETTINGS.windowAdvance()), SETTINGS.windowAdvance(), false),
            Serdes.String(), EarlierLayout.storing(ScoringSerdes.ROUTE_STATS, EARLIER_PANE))
        .withLoggingDisabled().build();
    panes.init(context.getStateStoreContext(), panes);
    context.addStateStore(panes);
    marks = keyValueStore(ScoringTopology.ROUTE_MARKS_STORE, EarlierLayout.storing(ScoringSerdes.ROUTE_MARK, EARLIER_MARK));
    scores = keyValueStore(ScoringTopology.ROUTE_SCORES_STORE, EarlierLayout.storing(ScoringSerdes.ROUTE_SCORE, EARLIER_SCORE));
    keyValueStore(ScoringTopology.PEER_SCORES_STORE, dev.relay.schemas.serde.AvroSerde.of(ProviderScore.class));
  }

  @Test
  void aWindowLeftOpenBeforeARestartIsClosedByTheFirstPublication() {
    panes.put(TWILIO_SMS, RouteStats.empty().add(new ScoreFact.Tried(true, OptionalLong.empty())), at("10:00:00").toEpochMilli());
    marks.put(TWILIO_SMS, new RouteMark(at("10:00:10").toEpochMilli(), at("10:01:00").toEpochMilli(), false));
    // Stream time comes back from the committed offsets' metadata; no record has been processed yet.
    context.setCurrentStreamTimeMs(at("10:05:30").toEpochMilli());
    RouteWindows windows = new RouteWindows(SETTINGS, AlertSettings.defaults(), DemotionSettings.defaults());
    windows.init(context);

    CapturedPunctuator punctuator = context.scheduledPunctuators().get(0);
    assertThat(punctuator.getType()).isEqualTo(PunctuationType.WALL_CLOCK_TIME);
    assertThat(punctuator.getInterval()).isEqualTo(SETTINGS.emitInterval());
    punctuator.getPunctuator().punctuate(WALL_CLOCK.toEpochMilli());

    List<CapturedForward<? extends String, ? extends ProviderScore>> forwarded = context.forwarded();
    assertThat(forwarded).hasSize(3);
    assertForward(forwarded.get(0), ScoringTopology.PROVIDER_SCORE_HISTORY_SINK, "twilio|DE|SMS|2026-03-02T10:01:00Z",
        EXPECTED.recent("twilio", Channel.SMS, at("10:01:00"), facts().accepted(1), WALL_CLOCK), at("10:01:00"));
    assertForward(forwarded.get(1), ScoringTopology.PROVIDER_SCORES_SINK, TWILIO_SMS,
        EXPECTED.of("twilio", Channel.SMS, at("10:06:00"), facts().accepted(1), facts(), WALL_CLOCK), at("10:05:30"));
    assertForward(forwarded.get(2), ScoringTopology.ROUTE_ALERTS, TWILIO_SMS,
        EXPECTED.of("twilio", Channel.SMS, at("10:06:00"), facts().accepted(1), facts(), WALL_CLOCK), at("10:05:30"));
    assertThat(marks.get(TWILIO_SMS))
        .isEqualTo(new RouteMark(at("10:00:10").toEpochMilli(), at("10:06:00").toEpochMilli(), false));

    context.resetForwards();
    punctuator.getPunctuator().punctuate(WALL_CLOCK.plus(SETTINGS.emitInterval()).toEpochMilli());
    assertThat(context.forwarded()).as("closed once, published once").isEmpty();
  }

  @Test
  void aRouteWhoseFactsAgedOutIsForgottenOnceItsLastWindowIsClosed() {
    // Published empty at 11:01 (its only fact, 10:00:10, is older than that window), not closed yet.
    marks.put(TWILIO_SMS, new RouteMark(at("10:00:10").toEpochMilli(), at("11:01:00").toEpochMilli(), false));
    context.setCurrentStreamTimeMs(at("11:01:30").toEpochMilli());
    RouteWindows windows = new RouteWindows(SETTINGS, AlertSettings.defaults(), DemotionSettings.defaults());
    windows.init(context);

    context.scheduledPunctuators().get(0).getPunctuator().punctuate(WALL_CLOCK.toEpochMilli());

    assertThat(context.forwarded()).singleElement().satisfies(forward -> assertForward(forward,
        ScoringTopology.PROVIDER_SCORE_HISTORY_SINK, "twilio|DE|SMS|2026-03-02T11:01:00Z",
        EXPECTED.recent("twilio", Channel.SMS, at("11:01:00"), facts(), WALL_CLOCK), at("11:01:00")));
    assertThat(marks.get(TWILIO_SMS)).isNull();
    assertThat(scores.get(TWILIO_SMS)).isNull();
  }

  @Test
  void panesMarksAndScoresAnEarlierReleaseStoredAreNothingKnown() {
    // Upgraded from a release before state was Avro: its pane, its score (demoted) and another route's mark read as absent.
    panes.put(TWILIO_SMS, EARLIER_PANE, at("10:00:00").toEpochMilli());
    scores.put(TWILIO_SMS, EARLIER_SCORE);
    marks.put("vonage|DE|SMS", EARLIER_MARK);
    context.setCurrentStreamTimeMs(at("10:05:30").toEpochMilli());
    context.setCurrentSystemTimeMs(WALL_CLOCK.toEpochMilli());
    RouteWindows windows = new RouteWindows(SETTINGS, AlertSettings.defaults(), DemotionSettings.defaults());
    windows.init(context);

    // A fact the earlier release put on the repartition topic reads as null too.
    windows.process(new Record<>(TWILIO_SMS, null, at("10:05:00").toEpochMilli()));
    windows.process(new Record<>(TWILIO_SMS, new ScoreFact.Tried(true, OptionalLong.empty()), at("10:05:10").toEpochMilli()));
    context.scheduledPunctuators().get(0).getPunctuator().punctuate(WALL_CLOCK.toEpochMilli());

    ProviderScore expected = EXPECTED.of("twilio", Channel.SMS, at("10:06:00"), facts(), facts().accepted(1), WALL_CLOCK);
    List<CapturedForward<? extends String, ? extends ProviderScore>> forwarded = context.forwarded();
    assertThat(forwarded).hasSize(2);
    assertForward(forwarded.get(0), ScoringTopology.PROVIDER_SCORES_SINK, TWILIO_SMS, expected, at("10:05:30"));
    assertForward(forwarded.get(1), ScoringTopology.ROUTE_ALERTS, TWILIO_SMS, expected, at("10:05:30"));
    assertThat(scores.get(TWILIO_SMS).demoted()).as("the earlier standing is forgotten with its score").isFalse();
  }

  private static void assertForward(CapturedForward<? extends String, ? extends ProviderScore> forward, String sink,
      String key, ProviderScore value, Instant timestamp) {
    assertThat(forward.childName()).isEqualTo(Optional.of(sink));
    assertThat(forward.record().key()).isEqualTo(key);
    assertThat(forward.record().value()).isEqualTo(value);
    assertThat(forward.record().timestamp()).isEqualTo(timestamp.toEpochMilli());
  }

  private <V> KeyValueStore<String, V> keyValueStore(String name, Serde<V> values) {
    KeyValueStore<String, V> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), values)
        .withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    return store;
  }

  private static Instant at(String timeOfDay) {
    return Instant.parse("2026-03-02T" + timeOfDay + "Z");
  }
}
