package dev.relay.support.routing;

import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.Route;
import dev.relay.schemas.WindowStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * Orders one send's routes: the operator's table, re-ordered by score within it, demoted routes
 * last, now and then a route the scores hold back first to observe its recovery, then the
 * operator's pins. Pure: the standings, the pins and the randomness come in; every route goes out
 * with its reason. Shared by the dispatcher, which routes by it, and scoring's console, which
 * shows operators the order it gives now and why, so both read the same rules.
 *
 * <ol>
 *   <li>Forbidden routes are dropped.</li>
 *   <li>The routes with enough samples that are not demoted are sorted by score (best first) among
 *       the places they hold in the table ({@link #SCORE}), scores within the policy's margin of
 *       each other counting as equal (of those the cheaper goes first, then the table's order); a route
 *       with too few samples, or none, keeps its table place ({@link #TABLE}).</li>
 *   <li>Demoted routes go last, among themselves by score as above ({@link #DEMOTION}): with every
 *       route of a country demoted, the order still follows who is actually delivering.</li>
 *   <li>With probability {@code explorationShare} (raised, while a held-back route is demoted or
 *       untried, to the policy's floor of first sends per short window in a country with little
 *       traffic, see {@link #explorationShare}), one held-back route, drawn at random, goes first
 *       ({@link #EXPLORATION}): a demoted route, or one the table puts ahead of the route the scores
 *       put first, or one too little tried to be scored whose price is below the leader's. Each would get no first sends otherwise, so their scores would freeze at their
 *       worst and a recovered or cheaper route could never win its place back. Randomness is drawn
 *       only when a route is held back. Otherwise, with Thompson sampling ({@code explorationCap} above
 *       0), a held-back route whose posterior draw beats the leader's goes first with probability
 *       {@code explorationCap}.</li>
 *   <li>The pinned route goes first ({@link #PIN}), before an exploring one.</li>
 * </ol>
 */
public final class RouteOrder {

  public static final String TABLE = "table";
  public static final String SCORE = "score";
  public static final String DEMOTION = "demotion";
  public static final String EXPLORATION = "exploration";
  public static final String PIN = "pin";
  /** Confidence of the upper bounds that let a route's evidence count it equal to the leader ({@link #equalInQuality}). */
  static final double EQUAL_QUALITY_CONFIDENCE = 0.95;

  /**
   * How scores move routes (validated by the service that reads it from its config).
   *
   * @param explorationFloor first sends a held-back route should get per short window, whatever the
   *     country's traffic: its exploration share is raised to this over the first sends the country's
   *     routes published in their short windows, up to {@code explorationCap} (0: the share alone)
   */
  public record Policy(long minSamples, double explorationShare, double scoreMargin, double explorationCap,
      long explorationFloor) {

    /** Without Thompson sampling: the exploration share alone. */
    public Policy(long minSamples, double explorationShare, double scoreMargin) {
      this(minSamples, explorationShare, scoreMargin, 0, 0);
    }

    /** Without a floor of exploration sends. */
    public Policy(long minSamples, double explorationShare, double scoreMargin, double explorationCap) {
      this(minSamples, explorationShare, scoreMargin, explorationCap, 0);
    }

    /** At the {@code relay.routing.*} keys' defaults. */
    public static Policy defaults() {
      return new Policy(Long.parseLong(RoutingKeys.MIN_SAMPLES.defaultValue()),
          Double.parseDouble(RoutingKeys.EXPLORATION_SHARE.defaultValue()),
          Double.parseDouble(RoutingKeys.SCORE_MARGIN.defaultValue()),
          Double.parseDouble(RoutingKeys.EXPLORATION_CAP.defaultValue()),
          Long.parseLong(RoutingKeys.EXPLORATION_FLOOR.defaultValue()));
    }
  }

  /** A route's latest score and whether scoring published it demoted. */
  public record Standing(ProviderScore score, boolean demoted) {}

  /** The operator's pins of one country and channel. */
  public record Pins(Optional<String> first, Set<String> forbidden) {

    public static final Pins NONE = new Pins(Optional.empty(), Set.of());

    public Pins {
      forbidden = Set.copyOf(forbidden);
    }
  }

  /** The order and the routes the scores hold back now (each explored in a share of sends). */
  public record Plan(List<Route> ordered, List<String> heldBack) {}

  private final Policy policy;

  public RouteOrder(Policy policy) {
    this.policy = policy;
  }

  public static boolean hasEnoughSamples(ProviderScore score, Policy policy) {
    return score != null && score.getScore() != null && score.getTried() >= policy.minSamples();
  }

  /**
   * @param table the operator's routes for one country and channel, in order
   * @param standings each provider's standing on this country and channel, empty when it has none yet
   */
  public List<Route> order(List<Route> table, Pins pins, Function<String, Optional<Standing>> standings,
      RandomGenerator random) {
    return plan(table, pins, standings, random).ordered();
  }

  /** As {@link #order}, with the routes held back named. */
  public Plan plan(List<Route> table, Pins pins, Function<String, Optional<Standing>> standings,
      RandomGenerator random) {
    List<Route> allowed = new ArrayList<>(table.size());
    for (Route route : table) {
      if (!pins.forbidden().contains(route.getProvider())) {
        allowed.add(route);
      }
    }
    int size = allowed.size();
    List<Optional<Standing>> standing = new ArrayList<>(size);
    for (Route route : allowed) {
      standing.add(standings.apply(route.getProvider()));
    }

    List<Integer> scoredPlaces = new ArrayList<>();
    List<Integer> demoted = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      Optional<Standing> s = standing.get(i);
      if (s.isPresent() && s.get().demoted()) {
        demoted.add(i);
      } else if (s.isPresent() && hasEnoughSamples(s.get().score(), policy)) {
        scoredPlaces.add(i);
      }
    }
    List<Integer> byScore = byScore(scoredPlaces, standing, allowed);
    List<Integer> demotedByScore = byScore(demoted, standing, allowed);

    List<Route> ordered = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      if (demoted.contains(i)) {
        continue;
      }
      int place = scoredPlaces.indexOf(i);
      ordered.add(place < 0 ? with(allowed.get(i), TABLE) : with(allowed.get(byScore.get(place)), SCORE));
    }
    for (int i : demotedByScore) {
      ordered.add(with(allowed.get(i), DEMOTION));
    }

    List<Integer> heldBack = new ArrayList<>(demoted);
    if (!byScore.isEmpty() && !ordered.isEmpty() && ordered.get(0).getRoutingReason().equals(SCORE)) {
      int firstTablePlace = byScore.get(0);
      for (int i : scoredPlaces) {
        if (i < firstTablePlace) {
          heldBack.add(i);
        }
      }
    }
    List<Integer> untried = cheaperUntried(ordered, allowed, standing, scoredPlaces, demoted);
    heldBack.addAll(untried);
    if (!heldBack.isEmpty()) {
      boolean needsTries = !demoted.isEmpty() || !untried.isEmpty();
      if (random.nextDouble() < (needsTries ? explorationShare(standing) : policy.explorationShare())) {
        Route explored = allowed.get(heldBack.get(random.nextInt(heldBack.size())));
        moveFirst(ordered, explored.getProvider(), EXPLORATION);
      } else if (policy.explorationCap() > 0) {
        thompson(ordered, allowed, standing, heldBack, random);
      }
    }
    pins.first().ifPresent(provider -> moveFirst(ordered, provider, PIN));
    return new Plan(ordered, heldBack.stream().map(i -> allowed.get(i).getProvider()).toList());
  }

  /**
   * Best first, but routes of equal quality ({@link #equalInQuality}) to the best left count as equal:
   * of those, the cheapest (its vendor-reported price per message, else the table's; only when both
   * are known) goes next, otherwise the one the table puts first. With no margin and no prices this is
   * a stable sort by score.
   */
  private List<Integer> byScore(List<Integer> places, List<Optional<Standing>> standing, List<Route> routes) {
    List<Integer> left = new ArrayList<>(places);
    List<Integer> sorted = new ArrayList<>(places.size());
    while (!left.isEmpty()) {
      int best = left.get(0);
      for (int i : left) {
        if (scoreOf(standing.get(i)) > scoreOf(standing.get(best))) {
          best = i;
        }
      }
      int chosen = -1;
      long chosenPrice = Long.MAX_VALUE;
      for (int k = 0; k < left.size(); k++) {
        int i = left.get(k);
        if (i != best && !equalInQuality(standing.get(i), standing.get(best))) {
          continue;
        }
        long price = RoutePrices.perMessage(standing.get(i), routes.get(i));
        // Prices decide only when both are known: a route whose vendor reports no price is not passed for it.
        if (chosen < 0 || (price != Long.MAX_VALUE && chosenPrice != Long.MAX_VALUE && price < chosenPrice)) {
          chosen = k;
          chosenPrice = price;
        }
      }
      sorted.add(left.remove(chosen));
    }
    return sorted;
  }

  /**
   * Whether a route's quality cannot be told from the leader's: its score within the policy's margin,
   * or, when the scores are further apart, its own evidence still allows it (the prior pulls the score
   * of a route with few samples well below that of a route with many, by more than the margin, however
   * well it does: the study's cheaper ES route completed 15 of 15 first sends and scored 0.84 against
   * 0.93, so prices were never compared). On evidence ({@link #evidence}), each with at least
   * {@code minSamples} first sends: its acceptance and first-send completion rates' posterior upper
   * bounds at {@link #EQUAL_QUALITY_CONFIDENCE} both reach the leader's rates less the margin. A route
   * that does worse shows it within its samples, and goes back to its place by score.
   */
  private boolean equalInQuality(Optional<Standing> route, Optional<Standing> leader) {
    if (scoreOf(route) >= scoreOf(leader) - policy.scoreMargin()) {
      return true;
    }
    if (route.isEmpty() || leader.isEmpty()) {
      return false;
    }
    Evidence own = evidence(route.get().score());
    Evidence best = evidence(leader.get().score());
    if (own.firstSends() < policy.minSamples() || best.firstSends() < policy.minSamples()
        || own.tried() == 0 || best.tried() == 0) {
      return false;
    }
    return RoutePosterior.upperBound(own.accepted(), own.tried(), EQUAL_QUALITY_CONFIDENCE)
            >= (double) best.accepted() / best.tried() - policy.scoreMargin()
        && RoutePosterior.upperBound(own.firstCompleted(), own.firstSends(), EQUAL_QUALITY_CONFIDENCE)
            >= (double) Math.min(best.firstCompleted(), best.firstSends()) / best.firstSends() - policy.scoreMargin();
  }

  /** The tries and first sends a route's quality is judged on, and how they ended. */
  private record Evidence(long tried, long accepted, long firstSends, long firstCompleted) {}

  /**
   * A route's recent evidence: its published short window once that holds {@code minSamples} first
   * sends, else its long window. The score remembers the whole long window; the short window is the
   * route as it is now, so a route that recovered (promoted on its short window) can take its place
   * back before its fault has left the long window, and one that has just begun to fail loses the
   * benefit of the doubt its healthy past gave it.
   */
  private Evidence evidence(ProviderScore score) {
    WindowStats recent = score.getShortWindow();
    if (recent != null && recent.getFirstSends() >= policy.minSamples() && recent.getTried() > 0) {
      return new Evidence(recent.getTried(), recent.getAccepted(), recent.getFirstSends(), recent.getFirstCompleted());
    }
    return new Evidence(score.getTried(), score.getAccepted(), score.getFirstSends(), score.getFirstCompleted());
  }

  /**
   * Routes without enough samples to be ordered by score whose price per message (the table's, for a
   * route never tried) is below the leader's: held back too, so exploration tries them. Once one has
   * its samples, the score order puts the cheaper of equals first; without this a cheaper route the
   * table puts second would never be tried while the first one never fails, whatever its price.
   */
  private static List<Integer> cheaperUntried(List<Route> ordered, List<Route> allowed,
      List<Optional<Standing>> standing, List<Integer> scoredPlaces, List<Integer> demoted) {
    List<Integer> cheaper = new ArrayList<>();
    if (ordered.isEmpty()) {
      return cheaper;
    }
    int leader = allowed.indexOf(allowed.stream()
        .filter(route -> route.getProvider().equals(ordered.get(0).getProvider())).findFirst().orElseThrow());
    long leaderPrice = RoutePrices.perMessage(standing.get(leader), allowed.get(leader));
    if (leaderPrice == Long.MAX_VALUE) {
      return cheaper;
    }
    for (int i = 0; i < allowed.size(); i++) {
      if (i == leader || scoredPlaces.contains(i) || demoted.contains(i)) {
        continue;
      }
      long price = RoutePrices.perMessage(standing.get(i), allowed.get(i));
      if (price < leaderPrice) {
        cheaper.add(i);
      }
    }
    return cheaper;
  }

  /**
   * The share of sends that go first to a held-back route while one of them needs tries to be judged
   * at all (demoted, or cheaper and untried): the policy's share, raised to the floor of first sends per
   * short window over the first sends the country's routes published in theirs (a demoted route's short
   * window may reach further back: it then counts a little more), at most the exploration cap. In a
   * small country a share alone gives a demoted route too few tries to show its recovery within a short
   * window or two, and a cheaper route too few to be scored; in a large one the share is already above
   * the floor. A route held back only because another scores better (or is as good and cheaper) is
   * scored already: the share and Thompson sampling keep it judged. On the floor too, the routing
   * study's ES vonage, three times dearer since its price change and passed for it, still went first
   * for 53 % of the first sends in the run's last 20 s at an exploration cap of 0.4.
   */
  private double explorationShare(List<Optional<Standing>> standing) {
    if (policy.explorationFloor() <= 0) {
      return policy.explorationShare();
    }
    long firstSends = 0;
    for (Optional<Standing> s : standing) {
      WindowStats recent = s.map(known -> known.score().getShortWindow()).orElse(null);
      firstSends += recent == null ? 0 : recent.getFirstSends();
    }
    if (firstSends == 0) {
      // No traffic published yet: nothing to raise the share against.
      return policy.explorationShare();
    }
    return Math.max(policy.explorationShare(),
        Math.min(policy.explorationCap(), (double) policy.explorationFloor() / firstSends));
  }

  private static double scoreOf(Optional<Standing> standing) {
    return standing.map(s -> s.score().getScore() == null ? 0.0 : s.score().getScore()).orElse(0.0);
  }

  /**
   * Thompson sampling over the held-back routes against the leader: each draws a completion rate
   * from the Beta posterior of its recent first sends ({@link RoutePosterior}); the best held-back
   * draw beating the leader's goes first with probability {@code explorationCap}. A route with few
   * tries has a wide posterior and wins often, a recovered route wins more the more it succeeds, one
   * still failing almost never: so a recovered route gets the tries it needs to come back.
   */
  private void thompson(List<Route> ordered, List<Route> allowed, List<Optional<Standing>> standing,
      List<Integer> heldBack, RandomGenerator random) {
    String leaderProvider = ordered.get(0).getProvider();
    int leader = -1;
    for (int i = 0; i < allowed.size() && leader < 0; i++) {
      if (allowed.get(i).getProvider().equals(leaderProvider)) {
        leader = i;
      }
    }
    if (standing.get(leader).isEmpty()) {
      return;
    }
    double leaderDraw = RoutePosterior.draw(standing.get(leader).get().score(), random);
    int best = -1;
    double bestDraw = leaderDraw;
    for (int i : heldBack) {
      // A route never tried draws from the uniform prior: as likely to be better as not.
      double draw = RoutePosterior.draw(standing.get(i).map(Standing::score).orElse(null), random);
      if (draw > bestDraw) {
        best = i;
        bestDraw = draw;
      }
    }
    if (best >= 0 && random.nextDouble() < policy.explorationCap()) {
      moveFirst(ordered, allowed.get(best).getProvider(), EXPLORATION);
    }
  }

  private static void moveFirst(List<Route> routes, String provider, String reason) {
    for (int i = 0; i < routes.size(); i++) {
      if (routes.get(i).getProvider().equals(provider)) {
        routes.add(0, with(routes.remove(i), reason));
        return;
      }
    }
  }

  private static Route with(Route route, String reason) {
    // The constructor, not a builder copy: a copy goes through Avro's deep copy, which needs the
    // generated classes trusted first (AvroSerde does that), and ordering must not depend on a serde.
    return new Route(route.getProvider(), route.getChannel(), route.getPriceMicros(), reason);
  }
}
