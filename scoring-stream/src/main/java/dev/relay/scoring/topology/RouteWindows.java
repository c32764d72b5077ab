package dev.relay.scoring.topology;

import dev.relay.schemas.ProviderScore;
import dev.relay.scoring.config.ScoringSettings;
import dev.relay.scoring.model.RouteKey;
import dev.relay.scoring.model.RouteMark;
import dev.relay.scoring.model.RouteScore;
import dev.relay.scoring.model.RouteStats;
import dev.relay.scoring.model.ScoreFact;
import dev.relay.scoring.model.WindowFigures;
import dev.relay.scoring.score.ScoreFormula;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each route's facts in panes one window-advance long and publishes its rolling windows.
 *
 * <p>A fact is added to the pane of its timestamp. Every emit interval (wall-clock), each route
 * with new facts, or whose windows have hopped since it was last published, gets its windows
 * rebuilt by merging panes: the long window is the panes of the last {@code window} of stream time,
 * the short window the last {@code shortWindow} of them. So both hop by one pane, in event time,
 * and a restart or a replay computes the same windows. The newest window always ends at the end of
 * the pane holding stream time, so the published window is the latest hopping window. A route whose
 * facts have all aged out is published once more, empty, and forgotten.
 */
final class RouteWindows implements Processor<String, ScoreFact, String, ProviderScore> {

  private static final Logger LOG = LoggerFactory.getLogger(RouteWindows.class);

  private final ScoringSettings settings;
  private final ScoreFormula formula;
  private final long hop;
  private ProcessorContext<String, ProviderScore> context;
  private WindowStore<String, RouteStats> panes;
  private KeyValueStore<String, RouteMark> marks;
  private KeyValueStore<String, RouteScore> scores;

  RouteWindows(ScoringSettings settings) {
    this.settings = settings;
    this.formula = new ScoreFormula(settings.priorSamples());
    this.hop = settings.windowAdvance().toMillis();
  }

  @Override
  public void init(ProcessorContext<String, ProviderScore> context) {
    this.context = context;
    this.panes = context.getStateStore(ScoringTopology.ROUTE_PANES_STORE);
    this.marks = context.getStateStore(ScoringTopology.ROUTE_MARKS_STORE);
    this.scores = context.getStateStore(ScoringTopology.ROUTE_SCORES_STORE);
    context.schedule(settings.emitInterval(), PunctuationType.WALL_CLOCK_TIME, this::publish);
  }

  @Override
  public void process(Record<String, ScoreFact> record) {
    if (record.value() == null) {
      return;
    }
    long paneStart = paneStart(record.timestamp());
    long oldestPane = windowEnd(context.currentStreamTimeMs()) - settings.window().toMillis();
    if (paneStart < oldestPane) {
      // Outside every window still to be published: it could only rewrite history nobody reads.
      LOG.debug("dropped a fact {} ms older than the window", oldestPane - paneStart);
      return;
    }
    String route = record.key();
    RouteStats pane = panes.fetch(route, paneStart);
    panes.put(route, (pane == null ? RouteStats.empty() : pane).add(record.value()), paneStart);
    RouteMark mark = marks.get(route);
    long lastFactAt = mark == null ? record.timestamp() : Math.max(mark.lastFactAt(), record.timestamp());
    marks.put(route, new RouteMark(lastFactAt, mark == null ? RouteMark.NEVER : mark.publishedWindowEnd(), true));
  }

  private void publish(long wallClockTime) {
    long streamTime = context.currentStreamTimeMs();
    if (streamTime < 0) {
      // No record seen since this task started: there is no "now" in event time yet.
      return;
    }
    long windowEnd = windowEnd(streamTime);
    List<KeyValue<String, RouteMark>> due = new ArrayList<>();
    try (KeyValueIterator<String, RouteMark> all = marks.all()) {
      while (all.hasNext()) {
        KeyValue<String, RouteMark> entry = all.next();
        if (entry.value.dirty() || entry.value.publishedWindowEnd() != windowEnd) {
          due.add(entry);
        }
      }
    }
    for (KeyValue<String, RouteMark> entry : due) {
      RouteKey route = RouteKey.parse(entry.key);
      RouteScore score = evaluate(route, windowEnd, wallClockTime);
      context.forward(new Record<>(entry.key, toProviderScore(route, score), streamTime));
      if (entry.value.lastFactAt() < windowEnd - settings.window().toMillis()) {
        marks.delete(entry.key);
        scores.delete(entry.key);
      } else {
        marks.put(entry.key, new RouteMark(entry.value.lastFactAt(), windowEnd, false));
        scores.put(entry.key, score);
      }
    }
  }

  private RouteScore evaluate(RouteKey route, long windowEnd, long now) {
    long windowStart = windowEnd - settings.window().toMillis();
    long shortStart = windowEnd - settings.shortWindow().toMillis();
    RouteStats baseline = RouteStats.empty();
    RouteStats recent = RouteStats.empty();
    try (WindowStoreIterator<RouteStats> window = panes.fetch(route.value(), windowStart, windowEnd - 1)) {
      while (window.hasNext()) {
        KeyValue<Long, RouteStats> pane = window.next();
        (pane.key >= shortStart ? recent : baseline).merge(pane.value);
      }
    }
    RouteStats whole = RouteStats.empty().merge(baseline).merge(recent);
    return new RouteScore(route.provider(), route.country(), route.channel().name(),
        WindowFigures.of(Instant.ofEpochMilli(windowStart), Instant.ofEpochMilli(windowEnd), whole),
        WindowFigures.of(Instant.ofEpochMilli(shortStart), Instant.ofEpochMilli(windowEnd), recent),
        formula.evaluate(baseline, recent),
        Instant.ofEpochMilli(now));
  }

  private static ProviderScore toProviderScore(RouteKey route, RouteScore score) {
    WindowFigures window = score.window();
    return ProviderScore.newBuilder()
        .setProvider(route.provider())
        .setCountry(route.country())
        .setChannel(route.channel())
        .setWindowStart(window.start())
        .setWindowEnd(window.end())
        .setTried(window.tried())
        .setAccepted(window.accepted())
        .setDelivered(window.delivered())
        .setUndelivered(window.undelivered())
        .setUpdatedAt(score.updatedAt())
        .build();
  }

  private long paneStart(long timestamp) {
    return Math.floorDiv(timestamp, hop) * hop;
  }

  /** End of the newest window: the end of the pane that holds {@code streamTime}. */
  private long windowEnd(long streamTime) {
    return paneStart(streamTime) + hop;
  }
}
