package dev.relay.scoring.topology;

import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.WindowStats;
import dev.relay.scoring.config.AlertSettings;
import dev.relay.scoring.config.DemotionSettings;
import dev.relay.scoring.config.ScoringSettings;
import dev.relay.scoring.model.RouteKey;
import dev.relay.scoring.model.RouteMark;
import dev.relay.scoring.model.RouteScore;
import dev.relay.scoring.model.RouteStats;
import dev.relay.scoring.model.ScoreFact;
import dev.relay.scoring.model.WindowFigures;
import dev.relay.scoring.score.BetaEvidence;
import dev.relay.scoring.score.ScoreFormula;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Predicate;
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
 * Keeps each route's facts in panes one window-advance long, publishes its rolling windows on
 * provider-scores and writes each published window, once closed, to provider-score-history.
 *
 * <p>A fact is added to the pane of its timestamp. Every emit interval (wall-clock), each route
 * with new facts, or whose windows have hopped since it was last published, gets its windows
 * rebuilt by merging panes: the long window is the panes of the last {@code window} of stream time,
 * the short window the last {@code shortWindow} of them. So both hop by one pane, in event time,
 * and a restart or a replay computes the same windows. The newest window always ends at the end of
 * the pane holding stream time, so the published window is the latest hopping window.
 *
 * <p>A published window closes when stream time passes its end: it is rebuilt once more, with every
 * fact that reached it, and written to the history under its end. That happens before the fact that
 * moved stream time is stored, while every pane of the closing window is still retained, however far
 * that fact jumped ahead. So the history holds exactly one record per route and published window;
 * a window still open when traffic stops is written when traffic resumes. A route whose facts have
 * all aged out is published once more, empty, and forgotten once that last window is closed.
 *
 * <p>Each published score carries the route's standing: demoted or not, decided here (by score, or
 * by a sharp drop of its completion rate that its peers do not share, see {@link DemotionSettings} and
 * {@link SharedDrops}) from the standing kept with
 * its latest score (so with hysteresis, and the same after a restart, since the store has a
 * changelog). A demoted route whose facts have aged out stays in the store, demoted,
 * until exploration sends show its recovery.
 */
final class RouteWindows implements Processor<String, ScoreFact, String, ProviderScore> {

  private static final Logger LOG = LoggerFactory.getLogger(RouteWindows.class);

  /**
   * How far a mark's {@code lastFactAt} may lag the route's newest fact. It only tells when a route has
   * been silent for a whole window (an hour at the defaults); rewriting it on every fact cost a
   * changelog record per fact whenever the thread's record cache was full.
   */
  static final long MARK_RESOLUTION_MILLIS = 1_000;

  private final ScoringSettings settings;
  private final AlertSettings alerts;
  private final DemotionSettings demotion;
  private final ScoreFormula formula;
  private final long hop;
  private ProcessorContext<String, ProviderScore> context;
  private WindowStore<String, RouteStats> panes;
  private KeyValueStore<String, RouteMark> marks;
  private KeyValueStore<String, RouteScore> scores;
  private KeyValueStore<String, ProviderScore> peerScores;
  private final SharedDrops sharedDrops;
  private final SilenceRule silence;
  /**
   * Every published window ending before this has been closed by this task; not stored, because the
   * marks are the truth and a fresh instance finds any window left open by scanning them once.
   */
  private long closedBefore = RouteMark.NONE;
  /** Whether a fact reached this task since its last publication. */
  private boolean factSincePublication;
  /** Wall-clock time of the first publication that found no new fact since the one before (-1: not idle). */
  private long idleSince = -1;
  /** End of the judged windows at this task's last publication (see {@link ScoringSettings#judgedWindowEnd}). */
  private long publishedJudgedEnd = RouteMark.NONE;
  /**
   * First sends a demoted route's published short window holds at least (see {@link #evaluate}): the
   * alerts' sample minimum, or as many as it takes, all completed, to bound the route's rate at the
   * promotion confidence within the recovery points of a perfect peer (28 at the defaults, 0.95 and 10
   * points), whichever is more; so a recovered route can be promoted against any peer.
   */
  private final long evidenceFirstSends;

  RouteWindows(ScoringSettings settings, AlertSettings alerts, DemotionSettings demotion) {
    this.settings = settings;
    this.alerts = alerts;
    this.demotion = demotion;
    this.formula = new ScoreFormula(settings.priorSamples());
    this.hop = settings.windowAdvance().toMillis();
    this.sharedDrops = new SharedDrops(alerts, demotion, settings.shortWindow());
    this.silence = new SilenceRule(settings);
    this.evidenceFirstSends = Math.max(alerts.minSamples(),
        BetaEvidence.cleanTriesToReach(1 - alerts.recoveryPoints() / 100, demotion.promotionConfidence()));
  }

  @Override
  public void init(ProcessorContext<String, ProviderScore> context) {
    this.context = context;
    this.panes = context.getStateStore(ScoringTopology.ROUTE_PANES_STORE);
    this.marks = context.getStateStore(ScoringTopology.ROUTE_MARKS_STORE);
    this.scores = context.getStateStore(ScoringTopology.ROUTE_SCORES_STORE);
    this.peerScores = context.getStateStore(ScoringTopology.PEER_SCORES_STORE);
    context.schedule(settings.emitInterval(), PunctuationType.WALL_CLOCK_TIME, this::publish);
  }

  @Override
  public void process(Record<String, ScoreFact> record) {
    long windowEnd = windowEnd(context.currentStreamTimeMs());
    closeWindowsBefore(windowEnd, context.currentSystemTimeMs());
    if (record.value() == null) {
      return;
    }
    factSincePublication = true;
    long paneStart = paneStart(record.timestamp());
    // Completions land in their send's pane, read as long as a judged window reaches it.
    long oldestPane = windowEnd - settings.window().toMillis() - settings.judgedReach().toMillis();
    if (paneStart < oldestPane) {
      // Outside every window still to be published: it could only rewrite history nobody reads.
      LOG.debug("dropped a fact {} ms older than the window", oldestPane - paneStart);
      return;
    }
    String route = record.key();
    RouteStats pane = panes.fetch(route, paneStart);
    panes.put(route, (pane == null ? RouteStats.empty() : pane).add(record.value()), paneStart);
    RouteMark mark = marks.get(route);
    if (mark != null && mark.dirty() && record.timestamp() - mark.lastFactAt() < MARK_RESOLUTION_MILLIS) {
      // Already marked, and its newest fact within the mark's resolution: a write would change nothing that matters.
      return;
    }
    long lastFactAt = mark == null ? record.timestamp() : Math.max(mark.lastFactAt(), record.timestamp());
    marks.put(route, new RouteMark(lastFactAt, mark == null ? RouteMark.NONE : mark.openWindowEnd(), true));
  }

  private void publish(long wallClockTime) {
    long streamTime = context.currentStreamTimeMs();
    if (streamTime < 0) {
      // No record seen since this task started: there is no "now" in event time yet.
      return;
    }
    long windowEnd = windowEnd(streamTime);
    // Normally done already by the record that moved stream time; after a restart, done here.
    closeWindowsBefore(windowEnd, wallClockTime);
    long judgedAt = streamTime + idleFor(wallClockTime);
    long judgedEnd = settings.judgedWindowEnd(windowEnd, judgedAt);
    // A settle passing moves the judged windows of every route, new facts or not.
    boolean judgedMoved = judgedEnd != publishedJudgedEnd;
    publishedJudgedEnd = judgedEnd;
    List<KeyValue<String, RouteMark>> due =
        marksWhere(mark -> judgedMoved || mark.dirty() || mark.openWindowEnd() != windowEnd);
    for (KeyValue<String, RouteMark> entry : due) {
      RouteKey route = RouteKey.parse(entry.key);
      RouteScore previous = scores.get(entry.key);
      SilenceRule.Judged judged = silence.judge(previous, evaluate(route, windowEnd, judgedAt, wallClockTime));
      RouteScore evaluated = judged.score();
      Standing standing = withStanding(entry.key, route, evaluated);
      RouteScore decided = standing.score();
      boolean changed = previous != null && decided.demoted() != previous.demoted() && !agedOut(entry.value, windowEnd);
      boolean held = judged.holds(changed, decided);
      RouteScore score = held ? evaluated.withStanding(previous.demoted(), previous.sharedDrop()) : decided;
      // A fall not yet confirmed raises no alert either: its peers' next scores tell its kind.
      boolean quiet = judged.quiet() || standing.unconfirmedFall();
      if (held) {
        LOG.info("route {} published after a silence of its task's inputs: its standing is kept until its peers have"
            + " published since and its short window holds only time after the silence", entry.key);
      } else if (previous != null && score.demoted() != previous.demoted()) {
        LOG.info("route {} {} at score {} ({} tries): {}", entry.key, score.demoted() ? "demoted" : "promoted back",
            score.score().score(), score.window().tried(), standing.why());
      }
      Record<String, ProviderScore> published = new Record<>(route.value(), ProviderScores.of(route, score), streamTime);
      context.forward(published, ScoringTopology.PROVIDER_SCORES_SINK);
      if (!quiet) {
        // Alerts judge the same short window: none from one that judges sends nobody could answer yet.
        context.forward(published, ScoringTopology.ROUTE_ALERTS);
      }
      // A held standing, or an unconfirmed fall, is decided at the next emission, facts or not.
      marks.put(entry.key, new RouteMark(entry.value.lastFactAt(), windowEnd, held || standing.unconfirmedFall()));
      if (agedOut(entry.value, windowEnd) && !score.demoted()) {
        // Its last, empty window is published; only its closing is left (see closeWindowsBefore).
        scores.delete(entry.key);
      } else {
        scores.put(entry.key, score);
      }
    }
  }

  /**
   * How long, in wall-clock time, no fact has reached this task (0 while they come, as far as
   * publications can tell). Completion is judged on sends a settle old in event time; while nothing
   * comes, event time stands still, so the wall clock stands in for it: the last sends before a quiet
   * spell are judged once it has lasted the settle (and the rest of their pane), not only when the
   * next fact arrives, perhaps hours later. A consumer that lags behind keeps receiving facts, so it
   * never judges ahead of them. During an outage of Relay's other services, the sends judged this way
   * are taken back once the dispatcher tells the outage (it excuses their sends), as before.
   */
  private long idleFor(long wallClockTime) {
    if (factSincePublication) {
      factSincePublication = false;
      idleSince = -1;
      return 0;
    }
    if (idleSince < 0) {
      idleSince = wallClockTime;
    }
    return wallClockTime - idleSince;
  }

  /** Writes every published window ending before {@code windowEnd} to the history, once. */
  private void closeWindowsBefore(long windowEnd, long now) {
    if (windowEnd <= closedBefore) {
      return;
    }
    List<KeyValue<String, RouteMark>> closing =
        marksWhere(mark -> mark.hasOpenWindow() && mark.openWindowEnd() < windowEnd);
    for (KeyValue<String, RouteMark> entry : closing) {
      RouteKey route = RouteKey.parse(entry.key);
      long closedEnd = entry.value.openWindowEnd();
      RouteScore latest = scores.get(entry.key);
      // The history keeps the standing the route was published with; only publishing moves it.
      RouteScore score = evaluate(route, closedEnd, closedEnd, now)
          .withStanding(latest != null && latest.demoted(), latest == null ? null : latest.sharedDrop());
      context.forward(new Record<>(route.historyKey(Instant.ofEpochMilli(closedEnd)), ProviderScores.of(route, score),
          closedEnd), ScoringTopology.PROVIDER_SCORE_HISTORY_SINK);
      if (agedOut(entry.value, closedEnd)) {
        marks.delete(entry.key);
      } else {
        marks.put(entry.key, new RouteMark(entry.value.lastFactAt(), RouteMark.NONE, entry.value.dirty()));
      }
    }
    closedBefore = windowEnd;
  }

  /**
   * The route's new standing: demotion and promotion with hysteresis, from the standing stored with
   * its latest score, against its peers' latest published scores (see {@link SharedDrops} and
   * {@link DemotionSettings}).
   */
  private Standing withStanding(String key, RouteKey route, RouteScore score) {
    RouteScore previous = scores.get(key);
    boolean wasDemoted = previous != null && previous.demoted();
    ProviderScore candidate = ProviderScores.of(route, score);
    List<ProviderScore> peers = peers(key);
    boolean behind = behindPeer(candidate, peers);
    SharedDrops.Judgement judgement = sharedDrops.judge(candidate, peers, behind);
    String shared = judgement.scope();
    boolean sharpDrop = CompletionDrop.of(candidate, alerts).dropped();
    boolean ownDrop = shared == null && (sharpDrop || behind);
    boolean recovered = wasDemoted && recovered(candidate, score, peers);
    boolean demoted = demotion.demoted(wasDemoted, score.score().score(), score.window().tried(),
        new DemotionSettings.Evidence(ownDrop, shared != null, recovered));
    boolean newFall = (demoted && !wasDemoted) || (shared == null && sharedDrops.fell(candidate));
    if (newFall && (!fellBefore(route, previous, peers) || judgement.undecided())) {
      // Peers' scores may be an emission behind (a fall that hit every route at once shows in their next one),
      // or their sends older than the route's (were they fallen too, the fall would be shared): their next
      // scores tell.
      return new Standing(score.withStanding(wasDemoted, null), true, "");
    }
    String why = recovered ? "its recent first sends show its recovery"
        : !ownDrop ? "its score" : sharpDrop ? "a sharp drop of its own" : "behind a peer of its country";
    WindowFigures recent = score.shortWindow();
    return new Standing(score.withStanding(demoted, shared), false, why + " (" + recent.firstCompleted() + " of "
        + recent.firstSends() + " first sends completed in its short window); " + judgement);
  }

  /**
   * A route's decided score, and whether it fell in this publication only, its peers not yet heard on
   * it: its standing is kept and no alert is raised until the next one.
   */
  private record Standing(RouteScore score, boolean unconfirmedFall, String why) {}

  /**
   * Whether the route's previous publication showed the fall already (its score below demote-below, a
   * sharp drop, or behind a peer). A route is newly demoted only on a fall seen in two publications in a
   * row: its peers' latest scores, which tell its own fall from a shared one, may be one emission older
   * than its own, and a fall every route shares comes in whole panes at once, for each in its next
   * publication. One emission interval is the price of not demoting every route on a demand-side drop.
   */
  private boolean fellBefore(RouteKey route, RouteScore previous, List<ProviderScore> peers) {
    if (previous == null) {
      return false;
    }
    ProviderScore before = ProviderScores.of(route, previous);
    return sharedDrops.fell(before) || behindPeer(before, peers);
  }

  /**
   * Whether a demoted route's own recent first sends show it recovered: enough of them, and the lower
   * bound of their completion at the promotion confidence within the recovery points of the best
   * healthy peer of its country (with evidence, in no sharp drop and no shared one); with no such peer,
   * within the recovery points of its own long window's rate, and its score at promote-above. Its recent tries must show the vendor accepting again too
   * ({@link #acceptsAgain}).
   */
  private boolean recovered(ProviderScore candidate, RouteScore score, List<ProviderScore> peers) {
    WindowFigures recent = score.shortWindow();
    if (recent.firstSends() < alerts.minSamples()) {
      return false;
    }
    double reference = Double.NaN;
    for (ProviderScore peer : countryPeers(candidate, peers)) {
      CompletionDrop drop = CompletionDrop.of(peer, alerts);
      // A peer in a fall of its own or a shared one is no measure of health: in a demand-side drop every
      // route completes next to nothing, and a demoted route's 0 of 30 "recovered" to its peer's rate.
      if (drop.evidence() && !drop.dropped() && peer.getSharedDrop() == null && !(drop.currentRate() <= reference)) {
        reference = drop.currentRate();
      }
    }
    if (Double.isNaN(reference)) {
      // No healthy peer to measure against: its own long window (the fault included) is the reference, and
      // its score must clear promote-above too. The score alone, prior-flattered, promoted a lone route still
      // losing half its codes once its baseline held the fault and the drop was no longer sharp.
      Double own = score.window().firstCompletionRate();
      if (own == null || score.score().score() < demotion.promoteAbove()) {
        return false;
      }
      reference = own;
    }
    double bound = BetaEvidence.lowerBound(recent.firstCompleted(), recent.firstSends(), demotion.promotionConfidence());
    return bound >= reference - alerts.recoveryPoints() / 100 && acceptsAgain(candidate, score, peers);
  }

  /**
   * Whether the tries of a demoted route's published short window (which reaches back to its newest
   * first sends) leave its vendor's acceptance as good as its best healthy country peer's (no such peer:
   * its own long window's): the upper bound of their acceptance at the promotion confidence within the
   * recovery points of it. Completion counts only accepted sends, so a route that rejects every try (a
   * vendor down) still has the completed first sends from before its fault within reach; on those alone
   * it was promoted, demoted at its next rejections and promoted again, every few seconds. An upper
   * bound, not a lower one: this asks that its tries show no rejections out of the ordinary, while
   * completion's lower bound is what shows the recovery.
   */
  private boolean acceptsAgain(ProviderScore candidate, RouteScore score, List<ProviderScore> peers) {
    WindowFigures recent = score.shortWindow();
    double reference = Double.NaN;
    for (ProviderScore peer : countryPeers(candidate, peers)) {
      WindowStats peerRecent = peer.getShortWindow();
      if (peerRecent == null || peerRecent.getTried() < alerts.minSamples()) {
        continue;
      }
      double rate = (double) peerRecent.getAccepted() / peerRecent.getTried();
      if (!(rate <= reference)) {
        reference = rate;
      }
    }
    if (Double.isNaN(reference)) {
      WindowFigures own = score.window();
      reference = own.tried() == 0 ? 1.0 : (double) own.accepted() / own.tried();
    }
    double bound = BetaEvidence.upperBound(recent.accepted(), recent.tried(), demotion.promotionConfidence());
    return bound >= reference - alerts.recoveryPoints() / 100;
  }

  /**
   * Whether the route's recent first sends complete {@code alert-drop-points} or more below a healthy
   * peer's of the same country and channel, both over at least the alert's min-samples: the fault
   * that sets it apart, seen even before the route has a baseline of its own. Behind a peer whose sends
   * are older than its own, the fall waits ({@link SharedDrops#older}).
   */
  private boolean behindPeer(ProviderScore candidate, List<ProviderScore> peers) {
    CompletionDrop own = CompletionDrop.of(candidate, alerts);
    if (!own.evidence()) {
      return false;
    }
    for (ProviderScore peer : countryPeers(candidate, peers)) {
      CompletionDrop other = CompletionDrop.of(peer, alerts);
      if (other.evidence() && (other.currentRate() - own.currentRate()) * 100 >= alerts.dropPoints() - 1e-9) {
        return true;
      }
    }
    return false;
  }

  /**
   * The route's peers to measure it against: the other providers of its country and channel, not
   * demoted, whose latest score is not stale (older than a short window before the route's).
   */
  private List<ProviderScore> countryPeers(ProviderScore candidate, List<ProviderScore> peers) {
    return peers.stream().filter(peer -> !peer.getDemoted() && peer.getChannel() == candidate.getChannel()
            && peer.getCountry().equals(candidate.getCountry()) && !peer.getProvider().equals(candidate.getProvider())
            && peer.getWindowEnd() != null && !peer.getWindowEnd().plus(settings.shortWindow()).isBefore(candidate.getWindowEnd()))
        .toList();
  }

  /** Every other route's latest published score, from the global peer-scores store. */
  private List<ProviderScore> peers(String key) {
    List<ProviderScore> found = new ArrayList<>();
    try (KeyValueIterator<String, ProviderScore> all = peerScores.all()) {
      while (all.hasNext()) {
        KeyValue<String, ProviderScore> entry = all.next();
        if (!entry.key.equals(key) && entry.value != null) {
          found.add(entry.value);
        }
      }
    }
    return found;
  }

  private List<KeyValue<String, RouteMark>> marksWhere(Predicate<RouteMark> condition) {
    List<KeyValue<String, RouteMark>> matching = new ArrayList<>();
    try (KeyValueIterator<String, RouteMark> all = marks.all()) {
      while (all.hasNext()) {
        KeyValue<String, RouteMark> entry = all.next();
        // A mark an earlier release stored reads as absent: the route's next fact writes a new one.
        if (entry.value != null && condition.test(entry.value)) {
          matching.add(entry);
        }
      }
    }
    return matching;
  }

  /** No fact of the route falls in the window ending at {@code windowEnd}, nor in any later one. */
  private boolean agedOut(RouteMark mark, long windowEnd) {
    return mark.lastFactAt() < windowEnd - settings.window().toMillis();
  }

  /**
   * The route's windows ending at {@code windowEnd}, evaluated at stream time {@code evaluatedAt}. The
   * score is always the long window with its short window ({@link ScoreFormula}). Completion, in both,
   * is judged only on first sends old enough to have had their code entered: over windows of the same
   * lengths ending at {@link ScoringSettings#judgedWindowEnd} (see {@link ScoringSettings#completionSettle}).
   * The published short window, what its alerts and its standing are judged on, is the short window
   * too, except for a demoted route whose short window holds fewer first sends than the alerts' sample
   * minimum, or more than {@link #evidenceFirstSends}: its published window is then its newest whole
   * panes that hold {@link #evidenceFirstSends} first sends, however long or short a time they span
   * (within the long window). A demoted route gets only exploration sends, often too few in a short
   * window for any judgement (at the defaults, 20 first sends in 5 minutes at a 5 % share take 400
   * verifications of its country in those minutes, so in a smaller country a demoted route could never
   * recover, however well it delivered); and where it gets more, its short window still holds the
   * fault's sends for a whole short window after the fault ends, though its newest were all completed
   * (at the defaults and 30 exploration sends per short window, promoted 6 minutes after its recovery,
   * not 5). The count is fixed by the configuration, never by the tries' outcomes, so the promotion's
   * confidence holds.
   */
  private RouteScore evaluate(RouteKey route, long windowEnd, long evaluatedAt, long now) {
    long windowLength = settings.window().toMillis();
    long shortLength = settings.shortWindow().toMillis();
    long judgedEnd = settings.judgedWindowEnd(windowEnd, evaluatedAt);
    long windowStart = windowEnd - windowLength;
    long shortStart = windowEnd - shortLength;
    long judgedShortStart = judgedEnd - shortLength;
    NavigableMap<Long, RouteStats> routePanes = new TreeMap<>();
    try (WindowStoreIterator<RouteStats> window =
        panes.fetch(route.value(), Math.min(windowStart, judgedEnd - windowLength), windowEnd - 1)) {
      while (window.hasNext()) {
        KeyValue<Long, RouteStats> pane = window.next();
        // A pane an earlier release stored reads as absent: its facts are forgotten, not an error.
        if (pane.value != null) {
          routePanes.put(pane.key, pane.value);
        }
      }
    }
    RouteStats baseline = judged(sum(routePanes, windowStart, shortStart),
        sum(routePanes, judgedEnd - windowLength, judgedShortStart));
    RouteStats recent = judged(sum(routePanes, shortStart, windowEnd), sum(routePanes, judgedShortStart, judgedEnd));
    RouteStats whole = RouteStats.empty().merge(baseline).merge(recent);
    long evidenceStart = shortStart;
    RouteStats evidence = recent;
    long evidenceSpan = shortLength;
    RouteScore latest = scores.get(route.value());
    if (latest != null && latest.demoted()
        && (recent.firstSends() < alerts.minSamples() || recent.firstSends() > evidenceFirstSends)) {
      long span = 0;
      RouteStats judgedEvidence = RouteStats.empty();
      while (judgedEvidence.firstSends() < evidenceFirstSends && span + hop <= windowLength) {
        span += hop;
        RouteStats older = routePanes.get(judgedEnd - span);
        if (older != null) {
          judgedEvidence.merge(older);
        }
      }
      evidenceStart = windowEnd - span;
      evidenceSpan = span;
      evidence = judged(sum(routePanes, evidenceStart, windowEnd), judgedEvidence);
    }
    return new RouteScore(route.provider(), route.country(), route.channel().name(),
        WindowFigures.of(Instant.ofEpochMilli(windowStart), Instant.ofEpochMilli(windowEnd), whole,
            newerHalfFirstSends(routePanes, judgedEnd, windowLength)),
        WindowFigures.of(Instant.ofEpochMilli(evidenceStart), Instant.ofEpochMilli(windowEnd), evidence,
            newerHalfFirstSends(routePanes, judgedEnd, evidenceSpan)),
        formula.evaluate(baseline, recent),
        Instant.ofEpochMilli(now), false, false);
  }

  /**
   * First sends of the newer half of the panes of the judged window {@code length} long ending at
   * {@code judgedEnd} (rounded down to whole panes): how recent the sends its rate comes from are.
   */
  private long newerHalfFirstSends(NavigableMap<Long, RouteStats> routePanes, long judgedEnd, long length) {
    long newerHalf = length / hop / 2 * hop;
    return sum(routePanes, judgedEnd - newerHalf, judgedEnd).firstSends();
  }

  /** The panes starting in [from, to), merged. */
  private static RouteStats sum(NavigableMap<Long, RouteStats> routePanes, long from, long to) {
    RouteStats merged = RouteStats.empty();
    if (from < to) {
      routePanes.subMap(from, true, to, false).values().forEach(merged::merge);
    }
    return merged;
  }

  /** {@code window}'s figures with the first sends, and their completions, of {@code settled}. */
  private static RouteStats judged(RouteStats window, RouteStats settled) {
    return window.withFirstSends(settled.firstSends(), settled.firstCompleted());
  }

  private long paneStart(long timestamp) {
    return Math.floorDiv(timestamp, hop) * hop;
  }

  /** End of the newest window: the end of the pane that holds {@code streamTime}. */
  private long windowEnd(long streamTime) {
    return paneStart(streamTime) + hop;
  }
}
