package dev.relay.bench.study;

import dev.relay.bench.study.SendTries.Mark;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * When routes were demoted, promoted, left and regained first place, pure: from the scores
 * scoring-stream published ({@link Mark}) and from where each verification's first send went.
 */
final class RouteTimeline {

  /** Where one verification's first send went and why ({@code table}, {@code score}, {@code demotion}, {@code exploration}). */
  record FirstSend(Scenario scenario, Instant startedAt, String provider, String reason) {}

  /** A route published demoted after being published standing (or first published demoted). */
  record Demotion(String provider, String country, Instant at) {}

  private RouteTimeline() {}

  /** The first score in [from, to) that publishes the route demoted; null if none. */
  static Instant firstDemotion(List<Mark> marks, String provider, String country, Instant from, Instant to) {
    return route(marks, provider, country).stream()
        .filter(m -> m.demoted() && !m.at().isBefore(from) && m.at().isBefore(to))
        .map(Mark::at).findFirst().orElse(null);
  }

  /** Whether the route's latest score before {@code at} published it demoted (false without a score). */
  static boolean demotedAt(List<Mark> marks, String provider, String country, Instant at) {
    boolean demoted = false;
    for (Mark m : route(marks, provider, country)) {
      if (m.at().isAfter(at)) {
        break;
      }
      demoted = m.demoted();
    }
    return demoted;
  }

  /**
   * The first score in [from, to) that publishes the route standing again after it was demoted (at
   * {@code from} or later); null if it was never demoted there or never came back.
   */
  static Instant firstPromotion(List<Mark> marks, String provider, String country, Instant from, Instant to) {
    boolean demoted = demotedAt(marks, provider, country, from);
    for (Mark m : route(marks, provider, country)) {
      if (m.at().isBefore(from) || !m.at().isBefore(to)) {
        continue;
      }
      if (m.demoted()) {
        demoted = true;
      } else if (demoted) {
        return m.at();
      }
    }
    return null;
  }

  /** Every demotion of any route published in [from, to): a route going from standing (or no score) to demoted. */
  static List<Demotion> demotions(List<Mark> marks, Instant from, Instant to) {
    Map<String, Boolean> standing = new HashMap<>();
    List<Demotion> demotions = new ArrayList<>();
    for (Mark m : marks) {
      String key = m.provider() + "|" + m.country();
      boolean before = standing.getOrDefault(key, false);
      standing.put(key, m.demoted());
      if (m.demoted() && !before && !m.at().isBefore(from) && m.at().isBefore(to)) {
        demotions.add(new Demotion(m.provider(), m.country(), m.at()));
      }
    }
    return demotions;
  }

  /**
   * The start of the first verification of the scenario started at or after {@code from} whose first
   * send went elsewhere than the scenario's provider for a reason other than exploration; null if none.
   */
  static Instant firstRoutedAway(List<FirstSend> sends, Scenario scenario, Instant from, Instant to) {
    return sends.stream()
        .filter(s -> s.scenario() == scenario && !s.startedAt().isBefore(from) && s.startedAt().isBefore(to))
        .filter(s -> !s.provider().equals(scenario.provider) && !"exploration".equals(s.reason()))
        .map(FirstSend::startedAt).min(Instant::compareTo).orElse(null);
  }

  /**
   * The end of the first {@code bucket} from {@code from} on in which at least half of the scenario's
   * first sends went to its provider for a reason other than exploration (it is first again, by its
   * standing, not by the draws that try it); null if no bucket before {@code to} did.
   */
  static Instant firstAgain(List<FirstSend> sends, Scenario scenario, Instant from, Instant to, Duration bucket) {
    for (Instant start = from; start.plus(bucket).compareTo(to) <= 0; start = start.plus(bucket)) {
      Instant end = start.plus(bucket);
      Instant open = start;
      List<FirstSend> in = sends.stream()
          .filter(s -> s.scenario() == scenario && !s.startedAt().isBefore(open) && s.startedAt().isBefore(end)).toList();
      long onProvider = in.stream()
          .filter(s -> s.provider().equals(scenario.provider) && !"exploration".equals(s.reason())).count();
      if (!in.isEmpty() && 2 * onProvider >= in.size()) {
        return end;
      }
    }
    return null;
  }

  /** Seconds from {@code from} to {@code to}, null when {@code to} is. */
  static Double seconds(Instant from, Instant to) {
    return to == null ? null : Duration.between(from, to).toMillis() / 1000.0;
  }

  private static List<Mark> route(List<Mark> marks, String provider, String country) {
    return marks.stream().filter(m -> m.provider().equals(provider) && m.country().equals(country)).toList();
  }
}
