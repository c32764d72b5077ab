package dev.relay.scoring.console;

import dev.relay.schemas.ProviderAlert;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.RoutingTableVersion;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the console shows over time, held in memory and bounded: per route the closed windows of
 * {@code provider-score-history} (at most {@code maxPoints}, none older than {@code retention}), the
 * moments scoring published a demotion or a promotion on {@code provider-scores}, the alerts of
 * {@code provider-alerts}, each route's latest score and the latest routing table. Rebuilt from the
 * topics at every start ({@link ConsoleFeed}), so it needs no store of its own. Written by the feed's
 * thread, read by HTTP threads: every method holds the one lock.
 */
public final class ConsoleHistory {

  /**
   * One closed window of one route; rates and figures null where the window had no samples;
   * {@code sendShare} is the route's share of its country's and channel's first sends in the window.
   */
  public record Point(long at, Double deliveryRate, Double completionRate, Double sendShare, long tried,
      Long timeToDeliveryP95Millis, Long costPerSuccessMicros, Double score, boolean demoted) {}

  /** A change of standing as scoring published it: {@code DEMOTED} or {@code PROMOTED}, at the record's time. */
  public record Mark(long at, String kind, Double score) {}

  /** One alert as the console lists it, {@code route} being {@code provider|COUNTRY|channel}. */
  public record Alert(String alertId, String route, String provider, String country, String channel, String kind,
      String metric, double baselineRate, double currentRate, long raisedAt) {}

  /** One route's series over a span. */
  public record Series(String route, String provider, String country, String channel, List<Point> points,
      List<Mark> marks) {}

  static final String DEMOTED = "DEMOTED";
  static final String PROMOTED = "PROMOTED";

  private final Clock clock;
  private final Duration retention;
  private final int maxPoints;
  private final int maxAlerts;
  private final Map<String, Deque<ProviderScore>> windows = new HashMap<>();
  private final Map<String, Deque<Mark>> marks = new HashMap<>();
  private final Map<String, ProviderScore> latest = new HashMap<>();
  private final Deque<Alert> alerts = new ArrayDeque<>();
  private RoutingTableVersion table;

  public ConsoleHistory(Clock clock, Duration retention, int maxPoints) {
    this.clock = clock;
    this.retention = retention;
    this.maxPoints = maxPoints;
    // Alerts are rare (one per episode and route); a bound still keeps a flapping route from growing the list.
    this.maxAlerts = maxPoints;
  }

  /** A closed window from {@code provider-score-history}. */
  public synchronized void addWindow(ProviderScore window) {
    if (window.getWindowEnd() == null) {
      return;
    }
    Deque<ProviderScore> series = windows.computeIfAbsent(route(window), key -> new ArrayDeque<>());
    ProviderScore last = series.peekLast();
    if (last != null && !window.getWindowEnd().isAfter(last.getWindowEnd())) {
      // A window is published once; one at or before the last is a replay of what is held.
      if (window.getWindowEnd().equals(last.getWindowEnd())) {
        series.pollLast();
        series.addLast(window);
      }
      return;
    }
    series.addLast(window);
    while (series.size() > maxPoints) {
      series.pollFirst();
    }
    evict();
  }

  /** A score as published on {@code provider-scores} at {@code publishedAt}: a change of standing is marked. */
  public synchronized void addScore(ProviderScore score, Instant publishedAt) {
    String route = route(score);
    ProviderScore before = latest.put(route, score);
    if (before != null && before.getDemoted() != score.getDemoted()) {
      Deque<Mark> routeMarks = marks.computeIfAbsent(route, key -> new ArrayDeque<>());
      routeMarks.addLast(new Mark(publishedAt.toEpochMilli(), score.getDemoted() ? DEMOTED : PROMOTED, score.getScore()));
      while (routeMarks.size() > maxPoints) {
        routeMarks.pollFirst();
      }
    }
    evict();
  }

  public synchronized void addAlert(ProviderAlert alert) {
    String channel = alert.getChannel().name().toLowerCase(Locale.ROOT);
    alerts.addLast(new Alert(alert.getAlertId(), alert.getProvider() + "|" + alert.getCountry() + "|" + channel,
        alert.getProvider(), alert.getCountry(), channel, alert.getKind().name(), alert.getMetric().name(),
        alert.getBaselineRate(), alert.getCurrentRate(), alert.getRaisedAt().toEpochMilli()));
    while (alerts.size() > maxAlerts) {
      alerts.pollFirst();
    }
    evict();
  }

  /** The highest version published wins, as in the dispatcher. */
  public synchronized void setTable(RoutingTableVersion version) {
    if (table == null || version.getVersion() >= table.getVersion()) {
      table = version;
    }
  }

  public synchronized Optional<RoutingTableVersion> table() {
    return Optional.ofNullable(table);
  }

  /** The latest score of every route, by {@code provider|COUNTRY|channel}. */
  public synchronized Map<String, ProviderScore> latestScores() {
    return Map.copyOf(latest);
  }

  /** Every country any route was seen in, sorted. */
  public synchronized List<String> countries() {
    return windows.values().stream().map(series -> series.peekLast().getCountry())
        .distinct().sorted().toList();
  }

  /**
   * The routes of one country over the last {@code span}: their windows (each with the share of the
   * country's and channel's tries it took in that window) and their marks.
   */
  public synchronized List<Series> series(String country, Duration span) {
    evict();
    long since = clock.instant().minus(span).toEpochMilli();
    Map<String, List<ProviderScore>> routes = new LinkedHashMap<>();
    windows.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> {
      ProviderScore any = entry.getValue().peekLast();
      if (any != null && any.getCountry().equalsIgnoreCase(country)) {
        routes.put(entry.getKey(), List.copyOf(entry.getValue()));
      }
    });
    List<Series> result = new ArrayList<>();
    routes.forEach((route, held) -> {
      List<Point> points = held.stream().filter(window -> window.getWindowEnd().toEpochMilli() >= since).map(window -> {
        long all = firstSendsAt(routes.values(), window.getChannel().name(), window.getWindowEnd().toEpochMilli());
        return new Point(window.getWindowEnd().toEpochMilli(), window.getDeliveryRate(), window.getCompletionRate(),
            all == 0 ? null : (double) firstSends(window) / all, window.getTried(), window.getTimeToDeliveryP95Millis(),
            window.getCostPerSuccessMicros(), window.getScore(), window.getDemoted());
      }).toList();
      List<Mark> routeMarks = marks.getOrDefault(route, new ArrayDeque<>()).stream().filter(mark -> mark.at() >= since).toList();
      ProviderScore any = held.get(held.size() - 1);
      result.add(new Series(route, any.getProvider(), any.getCountry(), any.getChannel().name().toLowerCase(Locale.ROOT),
          points, routeMarks));
    });
    return result;
  }

  /**
   * The first sends of every route of one channel as they stood at {@code at}: each route's latest
   * window ending at or before it, while that window still covers {@code at}. A route's window is
   * published only when it closes with figures, so routes' windows need not end at the same moments.
   */
  private static long firstSendsAt(Iterable<List<ProviderScore>> routes, String channel, long at) {
    long total = 0;
    for (List<ProviderScore> held : routes) {
      if (held.isEmpty() || !held.get(0).getChannel().name().equals(channel)) {
        continue;
      }
      ProviderScore latest = null;
      for (ProviderScore window : held) {
        if (window.getWindowEnd().toEpochMilli() > at) {
          break;
        }
        latest = window;
      }
      if (latest != null && covers(latest, at)) {
        total += firstSends(latest);
      }
    }
    return total;
  }

  private static boolean covers(ProviderScore window, long at) {
    long end = window.getWindowEnd().toEpochMilli();
    long length = window.getWindowStart() == null ? 0 : end - window.getWindowStart().toEpochMilli();
    return at == end || at < end + length;
  }

  /** The alerts of the last {@code span}, oldest first. */
  public synchronized List<Alert> alerts(Duration span) {
    evict();
    long since = clock.instant().minus(span).toEpochMilli();
    return alerts.stream().filter(alert -> alert.raisedAt() >= since)
        .sorted(Comparator.comparingLong(Alert::raisedAt)).toList();
  }

  /**
   * The first sends of a window: the sends routing chose the route for (failovers follow another
   * route's failure). A score written before scores counted them (ProviderScore before v5) reads 0.
   */
  static long firstSends(ProviderScore window) {
    return window.getFirstSends();
  }

  static String route(ProviderScore score) {
    return score.getProvider() + "|" + score.getCountry() + "|" + score.getChannel().name().toLowerCase(Locale.ROOT);
  }

  private void evict() {
    long oldest = clock.instant().minus(retention).toEpochMilli();
    windows.values().removeIf(series -> {
      while (!series.isEmpty() && series.peekFirst().getWindowEnd().toEpochMilli() < oldest) {
        series.pollFirst();
      }
      return series.isEmpty();
    });
    marks.values().removeIf(routeMarks -> {
      while (!routeMarks.isEmpty() && routeMarks.peekFirst().at() < oldest) {
        routeMarks.pollFirst();
      }
      return routeMarks.isEmpty();
    });
    while (!alerts.isEmpty() && alerts.peekFirst().raisedAt() < oldest) {
      alerts.pollFirst();
    }
  }
}
