package dev.relay.scoring.topology;

import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.WindowStats;
import dev.relay.scoring.config.AlertSettings;
import dev.relay.scoring.config.DemotionSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tells a route's own fall from one it shares, by its peers' latest published scores. A fault is
 * relative: a route is demoted for what sets it apart, not for a fall every route shares. A route
 * falls when its completion drops sharply against its own baseline ({@link CompletionDrop}) or when
 * its score is below {@code demote-below}: a fall that lasts as long as the long window leaves no
 * baseline to drop from, and only the low score shows it.
 *
 * <ul>
 *   <li>{@link #COUNTRY}: every other route of the same country and channel with evidence (at least
 *       the alert's min-samples first sends in its short window) fell too. Users of that country
 *       stopped entering codes (a broken sign-up page, a bot attack): demand-side.</li>
 *   <li>{@link #ALL_COUNTRIES}: of all routes on the channel with evidence, at least half fell, and
 *       the fallen ones span more than one country and more than one provider, or one provider when
 *       no other provider has evidence anywhere. That is Relay (overloaded, its API failing) or demand
 *       everywhere; one provider failing in several countries is not it, since its peers in those
 *       countries hold. With every country's traffic on one provider and the others' exploration too
 *       thin to be judged even together, nothing sets that provider's fall apart from everyone's: it
 *       is not demoted, the all-countries alert names what fell, and its peers' sends decide as soon as
 *       they are enough (a fault of that provider everywhere goes undemoted until then; its messages
 *       still fail over on overdue receipts). A provider whose routes are
 *       each too quiet to have evidence (exploration sends only) counts once, its routes' short windows
 *       added together: with every country's traffic on one provider, the others' few sends are what
 *       tells demand from that provider's own fault.</li>
 * </ul>
 *
 * A peer counts as falling too at half the drop points or below {@code promote-above}, since its
 * latest published score may be one emission interval behind the route's. A demoted peer counts
 * neither way: its fall was judged its own. A route with no peer evidence in its country has nothing
 * to be set apart from there: its fall counts as its own unless the all-countries rule holds. Peers'
 * scores older than the short window are stale (their route stopped) and are left out.
 *
 * <p>A peer whose short window's first sends are {@link #OLDER_SHARE} or more older than the route's (a
 * smaller share of them in the newer half of its panes, see {@link #older}) tells nothing of the same
 * time: its traffic moved to the route just before (the route promoted, or first again by score). In a
 * drop every route shares, such a peer's rate still comes from before the drop, and it looks as if it
 * held. It is left out; and where counting it as fallen would make the fall shared, the fall is
 * {@link Judgement#undecided() undecided}: the route's standing waits until the peer's sends are as
 * recent as its own (at most a short window, as its older sends age out).
 */
final class SharedDrops {

  static final String COUNTRY = "COUNTRY";
  static final String ALL_COUNTRIES = "ALL_COUNTRIES";
  /**
   * How much smaller a peer's share of first sends in the newer half of its short window must be than
   * the route's for its sends to count as older. Over the 20 first sends of the least evidence, a steady
   * route's share has a standard deviation of about 0.11, a difference of two routes' about 0.16: 0.3
   * is nearly two of them, where a route that took its country's traffic back within the window holds
   * 0.6 to 0.9 against its peer's 0.1 to 0.2.
   */
  static final double OLDER_SHARE = 0.3;

  private final AlertSettings alerts;
  private final DemotionSettings demotion;
  private final Duration shortWindow;

  SharedDrops(AlertSettings alerts, DemotionSettings demotion, Duration shortWindow) {
    this.alerts = alerts;
    this.demotion = demotion;
    this.shortWindow = shortWindow;
  }

  /** Whether the route fell: a sharp drop of its completion, or a score that demotes. */
  boolean fell(ProviderScore route) {
    return CompletionDrop.of(route, alerts).dropped() || below(route, demotion.demoteBelow());
  }

  /**
   * How a route's fall compares with its peers': the scope of a shared fall (null when its fall is its
   * own, or it did not fall), and the counts it was decided on, for the log of a standing change.
   */
  record Judgement(String scope, int withEvidence, int fallen, boolean countryPeerWithEvidence, boolean countryPeerHolding,
      int olderPeers, boolean undecided) {

    static final Judgement NO_FALL = new Judgement(null, 0, 0, false, false, 0, false);

    /** This judgement, its fall undecided: shared, were the peers left out as older fallen too. */
    Judgement asUndecided() {
      return new Judgement(scope, withEvidence, fallen, countryPeerWithEvidence, countryPeerHolding, olderPeers, true);
    }

    @Override
    public String toString() {
      return "routes with evidence " + withEvidence + ", fallen " + fallen + " (this one included)"
          + (countryPeerWithEvidence ? (countryPeerHolding ? ", a peer of its country holding" : ", its country's peers fallen")
              : ", no peer of its country with evidence")
          + (olderPeers == 0 ? "" : ", " + olderPeers + " left out as their sends are older than its own"
              + (undecided ? " (shared, were they fallen: undecided)" : ""));
    }
  }

  /**
   * How the route's fall compares with its peers'. {@code behindPeer}: the route's completion is far
   * below a peer's of its country, a fall too even when its own baseline shows none. That happens
   * in a shared fall when the route's traffic jumped just before it (promoted, or first again): its
   * short window then holds mostly the fall's sends, its peer's mostly sends from before. That peer's
   * sends are older ({@link #older}): it is left out, and the fall is shared or undecided.
   */
  Judgement judge(ProviderScore route, List<ProviderScore> peers, boolean behindPeer) {
    if (!fell(route) && !behindPeer) {
      return Judgement.NO_FALL;
    }
    Judgement olderLeftOut = tally(route, peers, false);
    if (olderLeftOut.scope() != null || olderLeftOut.olderPeers() == 0) {
      return olderLeftOut;
    }
    return tally(route, peers, true).scope() == null ? olderLeftOut : olderLeftOut.asUndecided();
  }

  /**
   * The fall's scope among the peers with the older ones ({@link #older}) left out, or, with {@code
   * olderFallen}, counted as fallen.
   */
  private Judgement tally(ProviderScore route, List<ProviderScore> peers, boolean olderFallen) {
    int evidence = 1;
    int dropped = 1;
    Set<String> droppedCountries = new HashSet<>(Set.of(route.getCountry()));
    Set<String> droppedProviders = new HashSet<>(Set.of(route.getProvider()));
    boolean countryPeerWithEvidence = false;
    boolean countryPeerHolding = false;
    int olderPeers = 0;
    boolean otherProviderEvidence = false;
    Map<String, List<ProviderScore>> withoutEvidence = new HashMap<>();
    for (ProviderScore peer : peers) {
      if (peer.getChannel() != route.getChannel() || peer.getDemoted() || stale(peer, route) || samePeer(peer, route)) {
        continue;
      }
      CompletionDrop drop = CompletionDrop.of(peer, alerts);
      if (!drop.evidence()) {
        if (!peer.getProvider().equals(route.getProvider())) {
          withoutEvidence.computeIfAbsent(peer.getProvider(), provider -> new ArrayList<>()).add(peer);
        }
        continue;
      }
      boolean olderPeer = older(peer, route);
      if (olderPeer) {
        olderPeers++;
        if (!olderFallen) {
          continue;
        }
      }
      evidence++;
      otherProviderEvidence |= !peer.getProvider().equals(route.getProvider());
      boolean sameCountry = peer.getCountry().equals(route.getCountry());
      countryPeerWithEvidence |= sameCountry;
      // Half the drop points, or the promotion line: a peer's score may be an emission behind this one.
      if (olderPeer || drop.dropped() || drop.fallPoints() >= alerts.dropPoints() / 2 || below(peer, demotion.promoteAbove())) {
        dropped++;
        droppedCountries.add(peer.getCountry());
        droppedProviders.add(peer.getProvider());
      } else if (sameCountry) {
        countryPeerHolding = true;
      }
    }
    double ownRate = CompletionDrop.of(route, alerts).currentRate();
    for (List<ProviderScore> routes : withoutEvidence.values()) {
      // One provider's routes too quiet to be judged alone (exploration sends) are judged together. Once
      // a fall fills the long window there is no baseline to drop from (a route's score shows it, but a
      // few sends' scores rest on the prior): they fell with the route unless they complete clearly more.
      CompletionDrop pooled = CompletionDrop.pooled(routes, alerts);
      if (!pooled.evidence()) {
        continue;
      }
      evidence++;
      otherProviderEvidence = true;
      boolean holds = Double.isNaN(ownRate) || (pooled.currentRate() - ownRate) * 100 >= alerts.dropPoints() / 2;
      if (pooled.dropped() || pooled.fallPoints() >= alerts.dropPoints() / 2 || !holds) {
        dropped++;
        routes.forEach(peer -> droppedCountries.add(peer.getCountry()));
        droppedProviders.add(routes.get(0).getProvider());
      }
    }
    String scope = null;
    // One provider falling in several countries is its own fault where another provider's routes hold there;
    // with no other provider's evidence anywhere, nothing sets it apart from a fall of all routes.
    if (dropped * 2 >= evidence && droppedCountries.size() > 1 && (droppedProviders.size() > 1 || !otherProviderEvidence)) {
      scope = ALL_COUNTRIES;
    } else if (countryPeerWithEvidence && !countryPeerHolding) {
      scope = COUNTRY;
    }
    return new Judgement(scope, evidence, dropped, countryPeerWithEvidence, countryPeerHolding, olderPeers, false);
  }

  /**
   * Whether the peer's first sends in its published short window are older than the route's: the share
   * of them in the newer half of its panes {@link #OLDER_SHARE} or more below the route's.
   */
  static boolean older(ProviderScore peer, ProviderScore route) {
    return newerShare(route) - newerShare(peer) >= OLDER_SHARE;
  }

  private static double newerShare(ProviderScore score) {
    WindowStats recent = score.getShortWindow();
    if (recent == null || recent.getFirstSends() == 0) {
      return 0.5;
    }
    return (double) Math.min(recent.getNewerHalfFirstSends(), recent.getFirstSends()) / recent.getFirstSends();
  }

  private static boolean below(ProviderScore score, double line) {
    return score.getScore() != null && score.getScore() < line;
  }

  private boolean stale(ProviderScore peer, ProviderScore route) {
    if (peer.getWindowEnd() == null || route.getWindowEnd() == null) {
      return true;
    }
    return peer.getWindowEnd().plus(shortWindow).isBefore(route.getWindowEnd());
  }

  private static boolean samePeer(ProviderScore peer, ProviderScore route) {
    return peer.getProvider().equals(route.getProvider()) && peer.getCountry().equals(route.getCountry());
  }
}
