package dev.relay.scoring.replay;

import dev.relay.schemas.Channel;
import dev.relay.schemas.Route;
import dev.relay.scoring.model.RouteKey;
import dev.relay.scoring.replay.RouteEstimate.Level;
import dev.relay.support.config.ConfigException;
import dev.relay.support.routing.RouteOrder;
import dev.relay.support.routing.TableRoutes;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The what-if replay: each recorded verification (its country, channel, start and what the person did)
 * sent again under another routing table and scoring setting, every route's outcome drawn from
 * {@link RouteEstimates}, the dispatcher's rules for the rest (a rejection moves to the next route at
 * once; a send without a delivered receipt fails over when its failed receipt comes or its window
 * passes; a channel with no untried route left falls back to the next one of the country's order; the
 * send cap and the expiry end it). Repeatable: every verification draws from its own generator seeded
 * by the seed and its id. Pure: no Kafka, no clock.
 */
public final class WhatIfReplay {

  /** One country's figures, as recorded and as replayed. */
  public record CountryResult(String country, Figures recorded, Figures replayed) {}

  /**
   * A country's people as the replay has them: the share who check a code that reaches them, the chance
   * one still waits for a failover send, each estimated or the prior.
   */
  public record People(String country, double engagement, boolean engagementEstimated, double latePresence,
      boolean latePresenceEstimated) {}

  /** The replay's outcome, with how much of it rests on each level of evidence. */
  public record Result(Instant from, Instant to, long tableVersion, ReplaySettings settings,
      List<CountryResult> countries, Figures recordedOverall, Figures replayedOverall,
      Map<RouteKey, Map<Level, Long>> triesByLevel, List<People> people) {}

  private record Outcome(boolean completed, Optional<Duration> timeToVerify, int failovers, long costMicros) {}

  private final ReplaySettings settings;
  private final RouteOrder order;

  public WhatIfReplay(ReplaySettings settings) {
    this.settings = settings;
    this.order = new RouteOrder(settings.policy());
  }

  /**
   * @throws ConfigException when the range is empty or backwards, or the table names a provider with
   *     no recorded try in the range (nothing to estimate it from)
   */
  public Result run(Recording recording, TableRoutes table) {
    if (!recording.from().isBefore(recording.to())) {
      throw new ConfigException("the range is empty: --from (" + recording.from() + ") must be before --to ("
          + recording.to() + ")");
    }
    RecordedFacts facts = RecordedFacts.of(recording);
    if (facts.verifications().isEmpty()) {
      throw new ConfigException("no verification started between " + recording.from() + " and " + recording.to()
          + ": nothing to replay (check the range and the topics' retention)");
    }
    RouteEstimates estimates = new RouteEstimates(facts.sends(), settings.minSamples(), settings.priors());
    TreeSet<String> recordedProviders = new TreeSet<>();
    estimates.routes().forEach(route -> recordedProviders.add(route.provider()));
    TreeSet<String> unknown = new TreeSet<>(table.providers());
    unknown.removeAll(recordedProviders);
    if (!unknown.isEmpty()) {
      throw new ConfigException("the routing table names " + unknown + ", with no recorded try between "
          + recording.from() + " and " + recording.to() + ": nothing to estimate "
          + (unknown.size() == 1 ? "it" : "them") + " from (recorded providers: " + recordedProviders + ")");
    }
    ScoreTimeline scores = new ScoreTimeline(recording.scores());
    Map<String, Double> undecidedEngaged = undecidedEngaged(facts.verifications(), estimates);
    Map<RouteKey, Map<Level, Long>> triesByLevel = new TreeMap<>(Comparator.comparing(RouteKey::value));
    Map<String, Figures[]> byCountry = new TreeMap<>();
    Figures recordedOverall = new Figures();
    Figures replayedOverall = new Figures();
    for (RecordedVerification verification : facts.verifications()) {
      Figures[] figures = byCountry.computeIfAbsent(verification.country(), k -> new Figures[] {new Figures(), new Figures()});
      for (Figures recorded : List.of(figures[0], recordedOverall)) {
        recorded.add(verification.completed(), verification.timeToVerify(), verification.failovers(), verification.costMicros());
      }
      Outcome outcome = replay(verification, table, estimates, scores, triesByLevel,
          undecidedEngaged.get(verification.country()));
      for (Figures replayed : List.of(figures[1], replayedOverall)) {
        replayed.add(outcome.completed(), outcome.timeToVerify(), outcome.failovers(), outcome.costMicros());
      }
    }
    List<CountryResult> countries = byCountry.entrySet().stream()
        .map(e -> new CountryResult(e.getKey(), e.getValue()[0], e.getValue()[1])).toList();
    List<People> people = byCountry.keySet().stream().map(c -> new People(c, estimates.engagement(c),
        estimates.engagementEstimated(c), estimates.latePresence(c), estimates.latePresenceEstimated(c))).toList();
    return new Result(recording.from(), recording.to(), table.version(), settings, countries, recordedOverall,
        replayedOverall, triesByLevel, people);
  }

  /**
   * The chance that a person the record leaves undecided (never checked, no delivered first code) would
   * check a code that reached them: whatever of the country's engagement the people who checked do not
   * account for already.
   */
  private static Map<String, Double> undecidedEngaged(List<RecordedVerification> verifications, RouteEstimates estimates) {
    Map<String, long[]> counts = new TreeMap<>();
    for (RecordedVerification verification : verifications) {
      long[] c = counts.computeIfAbsent(verification.country(), k -> new long[3]);
      c[0]++;
      c[1] += verification.completed() ? 1 : 0;
      c[2] += verification.ignoredDeliveredCode() ? 1 : 0;
    }
    Map<String, Double> shares = new TreeMap<>();
    counts.forEach((country, c) -> {
      long undecided = c[0] - c[1] - c[2];
      double share = undecided == 0 ? 0 : (estimates.engagement(country) * c[0] - c[1]) / undecided;
      shares.put(country, Math.max(0, Math.min(1, share)));
    });
    return shares;
  }

  private Outcome replay(RecordedVerification verification, TableRoutes table, RouteEstimates estimates,
      ScoreTimeline scores, Map<RouteKey, Map<Level, Long>> triesByLevel, double undecidedEngaged) {
    SplittableRandom random = new SplittableRandom(settings.seed() * 0x9E3779B97F4A7C15L + verification.id().hashCode());
    String country = verification.country();
    boolean waiting = verification.completed()
        || (!verification.ignoredDeliveredCode() && random.nextDouble() < undecidedEngaged);
    Duration at = Duration.ZERO;
    int sends = 0;
    int tries = 0;
    long cost = 0;
    boolean late = false;
    boolean newSend = true;
    for (Channel channel : channels(verification, table)) {
      Instant channelStart = verification.createdAt().plus(at);
      for (Route route : ordered(table.routes(country, channel), country, channel, channelStart, scores, random)) {
        if (at.compareTo(settings.expiry()) >= 0 || (newSend && sends == settings.maxSends())) {
          return new Outcome(false, Optional.empty(), Math.max(0, tries - 1), cost);
        }
        if (newSend) {
          sends++;
          newSend = false;
        }
        Instant now = verification.createdAt().plus(at);
        RouteKey key = new RouteKey(route.getProvider(), country, channel);
        RouteEstimate estimate = estimates.estimate(key, now.atZone(ZoneOffset.UTC).getHour());
        triesByLevel.computeIfAbsent(key, k -> new EnumMap<>(Level.class)).merge(estimate.level(), 1L, Long::sum);
        tries++;
        if (random.nextDouble() >= estimate.acceptance()) {
          continue;
        }
        cost += estimate.priceMicros().orElse(route.getPriceMicros() == null ? 0L : route.getPriceMicros());
        if (waiting && random.nextDouble() < estimate.reach()) {
          Duration timeToVerify = at.plus(verifyDelay(estimate, verification, random));
          boolean inTime = timeToVerify.compareTo(settings.expiry()) < 0;
          return new Outcome(inTime, inTime ? Optional.of(timeToVerify) : Optional.empty(), tries - 1, cost);
        }
        if (!waiting && random.nextDouble() < estimate.deliveryRate()) {
          // Delivered to someone who does not check it: the dispatcher does not fail over a delivered send.
          return new Outcome(false, Optional.empty(), tries - 1, cost);
        }
        at = at.plus(failoverDelay(estimate, random));
        if (!late && waiting) {
          waiting = random.nextDouble() < estimates.latePresence(country);
        }
        late = true;
        newSend = true;
      }
    }
    return new Outcome(false, Optional.empty(), Math.max(0, tries - 1), cost);
  }

  /** The verification's channel and the ones after it in its country's order (the table's, else the setting's). */
  private List<Channel> channels(RecordedVerification verification, TableRoutes table) {
    Channel start = verification.channel() == Channel.VOICE || verification.channel() == Channel.WHATSAPP
        ? verification.channel() : Channel.SMS;
    List<Channel> order = table.channelOrder(verification.country())
        .orElseGet(() -> settings.channelOrder().of(verification.country()));
    int place = order.indexOf(start);
    return place < 0 ? List.of(start) : order.subList(place, order.size());
  }

  private List<Route> ordered(List<Route> routes, String country, Channel channel, Instant at, ScoreTimeline scores,
      SplittableRandom random) {
    if (!settings.useScores()) {
      return routes;
    }
    return order.order(routes, RouteOrder.Pins.NONE,
        provider -> scores.standing(new RouteKey(provider, country, channel), at), random);
  }

  /** The route's time to delivery and the person's own reaction when both are known, else the route's recorded time to a check. */
  private Duration verifyDelay(RouteEstimate estimate, RecordedVerification verification, SplittableRandom random) {
    if (verification.reaction().isPresent() && !estimate.deliveryTimes().isEmpty()) {
      return draw(estimate.deliveryTimes(), random).plus(verification.reaction().get());
    }
    if (!estimate.verifyDelays().isEmpty()) {
      return draw(estimate.verifyDelays(), random);
    }
    return settings.priors().verifyDelay();
  }

  /** A failed receipt ends the wait when it comes (within the window); a message lost without one waits the window out. */
  private Duration failoverDelay(RouteEstimate estimate, SplittableRandom random) {
    if (random.nextDouble() < estimate.failedReceiptIfUndelivered()) {
      Duration failedAfter = estimate.failTimes().isEmpty() ? settings.priors().deliveryTime() : draw(estimate.failTimes(), random);
      return failedAfter.compareTo(settings.failoverWindow()) < 0 ? failedAfter : settings.failoverWindow();
    }
    return settings.failoverWindow();
  }

  private static Duration draw(List<Duration> samples, SplittableRandom random) {
    return samples.get(random.nextInt(samples.size()));
  }
}
