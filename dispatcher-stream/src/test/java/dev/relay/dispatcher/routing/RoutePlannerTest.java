package dev.relay.dispatcher.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.relay.schemas.Channel;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.Route;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RoutePlannerTest {

  private static final RoutingPolicy POLICY = new RoutingPolicy(20, 0.05, 0);
  private static final List<Route> TABLE = List.of(route("twilio"), route("vonage"), route("sinch"));

  private final Map<String, RouteStanding> standings = new HashMap<>();
  private final RoutePlanner planner = new RoutePlanner(POLICY);

  @Test
  void withoutScoresTheTableOrderStands() {
    assertThat(plan(RoutePins.Pins.NONE, never()))
        .extracting(Route::getProvider, Route::getRoutingReason)
        .containsExactly(tuple("twilio", "table"), tuple("vonage", "table"), tuple("sinch", "table"));
  }

  @Test
  void scoredRoutesAreSortedBestFirst() {
    standing("twilio", 0.60, 100, false);
    standing("vonage", 0.90, 100, false);
    standing("sinch", 0.75, 100, false);

    assertThat(plan(RoutePins.Pins.NONE, draws(0.99, 0)))
        .extracting(Route::getProvider, Route::getRoutingReason)
        .containsExactly(tuple("vonage", "score"), tuple("sinch", "score"), tuple("twilio", "score"));
  }

  @Test
  void aRouteWithTooFewSamplesKeepsItsTablePlaceWhileTheOthersSortAroundIt() {
    standing("twilio", 0.60, 100, false);
    standing("vonage", 0.99, 19, false);
    standing("sinch", 0.90, 100, false);

    assertThat(plan(RoutePins.Pins.NONE, draws(0.99, 0)))
        .extracting(Route::getProvider, Route::getRoutingReason)
        .containsExactly(tuple("sinch", "score"), tuple("vonage", "table"), tuple("twilio", "score"));
  }

  @Test
  void scoresWithinTheMarginOfTheBestKeepTheTableOrder() {
    RoutePlanner withMargin = new RoutePlanner(new RoutingPolicy(20, 0.05, 0.1));
    standing("twilio", 0.90, 100, false);
    standing("vonage", 0.80, 100, false);
    standing("sinch", 0.95, 100, false);

    // twilio is within the margin of the best: the table's order puts it first; vonage is clearly worse than sinch.
    assertThat(withMargin.plan(TABLE, RoutePins.Pins.NONE, provider -> Optional.ofNullable(standings.get(provider)), never()))
        .as("nothing held back: no draw").extracting(Route::getProvider, Route::getRoutingReason)
        .containsExactly(tuple("twilio", "score"), tuple("sinch", "score"), tuple("vonage", "score"));
    assertThat(plan(RoutePins.Pins.NONE, draws(0.99, 0))).as("no margin: by score alone")
        .extracting(Route::getProvider).containsExactly("sinch", "twilio", "vonage");

    standing("twilio", 0.84, 100, false);
    assertThat(withMargin.plan(TABLE, RoutePins.Pins.NONE, provider -> Optional.ofNullable(standings.get(provider)), draws(0.99, 0)))
        .as("more than the margin behind: passed").extracting(Route::getProvider).containsExactly("sinch", "twilio", "vonage");
  }

  @Test
  void equalScoresKeepTheTableOrder() {
    standing("twilio", 0.8, 100, false);
    standing("vonage", 0.8, 100, false);
    standing("sinch", 0.8, 100, false);

    assertThat(plan(RoutePins.Pins.NONE, never())).extracting(Route::getProvider)
        .containsExactly("twilio", "vonage", "sinch");
  }

  @Test
  void demotedRoutesGoLastAndAmongThemselvesTheOneThatDeliversFirst() {
    standing("twilio", 0.50, 100, true);
    standing("vonage", 0.95, 100, true);
    standing("sinch", 0.70, 100, false);

    assertThat(plan(RoutePins.Pins.NONE, draws(0.99, 0)))
        .extracting(Route::getProvider, Route::getRoutingReason)
        .containsExactly(tuple("sinch", "score"), tuple("vonage", "demotion"), tuple("twilio", "demotion"));

    // Every route of the country demoted: the order still follows who is actually delivering.
    standing("sinch", 0.30, 100, true);
    assertThat(plan(RoutePins.Pins.NONE, draws(0.99, 0))).extracting(Route::getProvider)
        .containsExactly("vonage", "twilio", "sinch");
  }

  @Test
  void amongRoutesOfEqualQualityTheCheaperGoesFirstAndATripledPriceMovesTraffic() {
    RoutePlanner withMargin = new RoutePlanner(new RoutingPolicy(20, 0.05, 0.05));
    List<Route> priced = List.of(priced("twilio", 40_000L), priced("vonage", 35_000L));
    standing("twilio", 0.90, 100, false);
    standing("vonage", 0.88, 100, false);
    assertThat(withMargin.plan(priced, RoutePins.Pins.NONE, provider -> Optional.ofNullable(standings.get(provider)),
        draws(0.99, 0))).as("equal within the margin: the cheaper first").extracting(Route::getProvider)
        .containsExactly("vonage", "twilio");

    // vonage's price triples (reported by the vendor on its recent sends): twilio goes first.
    standings.put("vonage", new RouteStanding(ProviderScore.newBuilder(score("vonage", 0.88, 100))
        .setCostPerMessageMicros(105_000L).build(), false));
    assertThat(withMargin.plan(priced, RoutePins.Pins.NONE, provider -> Optional.ofNullable(standings.get(provider)),
        draws(0.99, 0))).extracting(Route::getProvider, Route::getRoutingReason)
        .containsExactly(tuple("twilio", "score"), tuple("vonage", "score"));

    // A clearly better route is not passed for its price.
    standing("vonage", 0.99, 100, false);
    assertThat(withMargin.plan(priced, RoutePins.Pins.NONE, provider -> Optional.ofNullable(standings.get(provider)),
        draws(0.99, 0))).extracting(Route::getProvider).containsExactly("vonage", "twilio");
  }

  @Test
  void thompsonSamplingTriesARecoveredRouteOftenAndAStillFailingOneAlmostNever() {
    RoutePlanner thompson = new RoutePlanner(new RoutingPolicy(20, 0.05, 0, 0.25));
    standings.put("twilio", new RouteStanding(recent("twilio", 0.40, 30, 30), true));
    standings.put("vonage", new RouteStanding(recent("vonage", 0.95, 200, 196), false));
    double recovered = explorationShare(thompson, "twilio", new SplittableRandom(16));
    standings.put("twilio", new RouteStanding(recent("twilio", 0.40, 30, 15), true));
    double failing = explorationShare(thompson, "twilio", new SplittableRandom(16));

    // 30 of 30 against 196 of 200: twilio's draw wins about a third of the time, times the 0.25 cap,
    // on top of the 5 % floor; 15 of 30 never wins, so only the floor is left.
    assertThat(recovered).isBetween(0.10, 0.18);
    assertThat(failing).isBetween(0.04, 0.06);
  }

  private double explorationShare(RoutePlanner thompson, String provider, RandomGenerator random) {
    int sends = 20_000;
    int explored = 0;
    for (int i = 0; i < sends; i++) {
      Route first = thompson.plan(List.of(route("vonage"), route("twilio")), RoutePins.Pins.NONE,
          p -> Optional.ofNullable(standings.get(p)), random).get(0);
      if (first.getProvider().equals(provider) && first.getRoutingReason().equals("exploration")) {
        explored++;
      }
    }
    return (double) explored / sends;
  }

  private static ProviderScore recent(String provider, double score, long firstSends, long firstCompleted) {
    return ProviderScore.newBuilder(score(provider, score, 100))
        .setShortWindow(dev.relay.schemas.WindowStats.newBuilder()
            .setStart(Instant.parse("2026-01-05T09:55:00Z")).setEnd(Instant.parse("2026-01-05T10:00:00Z"))
            .setFirstSends(firstSends).setFirstCompleted(firstCompleted).build())
        .build();
  }

  private static Route priced(String provider, Long priceMicros) {
    return new Route(provider, Channel.SMS, priceMicros, "table");
  }

  @Test
  void explorationPutsADrawnDemotedRouteFirst() {
    standing("twilio", 0.50, 100, true);
    standing("vonage", 0.40, 100, true);

    assertThat(plan(RoutePins.Pins.NONE, draws(0.01, 1)))
        .extracting(Route::getProvider, Route::getRoutingReason)
        .containsExactly(tuple("vonage", "exploration"), tuple("sinch", "table"), tuple("twilio", "demotion"));
    // The draw at the share itself does not explore: the share is the probability of exploring.
    assertThat(plan(RoutePins.Pins.NONE, draws(0.05, 0))).extracting(Route::getProvider)
        .containsExactly("sinch", "twilio", "vonage");
  }

  @Test
  void explorationTakesTheConfiguredShareOfSends() {
    standing("twilio", 0.50, 100, true);
    SplittableRandom random = new SplittableRandom(42);
    int explored = 0;
    int sends = 20_000;
    for (int i = 0; i < sends; i++) {
      if (plan(RoutePins.Pins.NONE, random).get(0).getRoutingReason().equals("exploration")) {
        explored++;
      }
    }
    // 5 % of 20,000 is 1,000 with a standard deviation of about 31.
    assertThat(explored).isBetween(880, 1120);
  }

  @Test
  void noRandomnessIsDrawnWhenNothingIsHeldBack() {
    standing("twilio", 0.9, 100, false);
    standing("vonage", 0.6, 100, false);

    // vonage is behind by score, but the table puts it behind twilio too: it is not held back.
    assertThat(plan(RoutePins.Pins.NONE, never())).extracting(Route::getProvider).containsExactly("twilio", "vonage", "sinch");
  }

  @Test
  void aRouteTheTablePutsAheadOfTheBestScoredOneIsExplored() {
    standing("twilio", 0.60, 100, false);
    standing("vonage", 0.70, 100, false);
    standing("sinch", 0.95, 100, false);

    // sinch leads on score; twilio and vonage, both ahead of it in the table, get no first sends
    // otherwise and would keep the scores they had when they were passed.
    assertThat(plan(RoutePins.Pins.NONE, draws(0.01, 1)))
        .extracting(Route::getProvider, Route::getRoutingReason)
        .containsExactly(tuple("vonage", "exploration"), tuple("sinch", "score"), tuple("twilio", "score"));
    assertThat(plan(RoutePins.Pins.NONE, draws(0.01, 0))).extracting(Route::getProvider, Route::getRoutingReason)
        .containsExactly(tuple("twilio", "exploration"), tuple("sinch", "score"), tuple("vonage", "score"));
  }

  @Test
  void demotedAndOutScoredRoutesShareTheExploration() {
    standing("twilio", 0.60, 100, false);
    standing("vonage", 0.95, 100, false);
    standing("sinch", 0.30, 100, true);
    SplittableRandom random = new SplittableRandom(7);
    Map<String, Integer> explored = new HashMap<>();
    int sends = 20_000;
    for (int i = 0; i < sends; i++) {
      Route first = plan(RoutePins.Pins.NONE, random).get(0);
      if (first.getRoutingReason().equals("exploration")) {
        explored.merge(first.getProvider(), 1, Integer::sum);
      }
    }
    // 5 % of 20,000 explore, half of them each: 500 with a standard deviation of about 22.
    assertThat(explored).containsOnlyKeys("twilio", "sinch");
    assertThat(explored.values()).allSatisfy(count -> assertThat(count).isBetween(410, 590));
  }

  @Test
  void thePinnedRouteIsFirstEvenWhenDemotedAndAnExploringRouteComesSecond() {
    standing("twilio", 0.50, 100, true);
    standing("vonage", 0.95, 100, false);
    standing("sinch", 0.40, 100, true);

    assertThat(plan(new RoutePins.Pins(Optional.of("twilio"), Set.of()), draws(0.0, 1)))
        .extracting(Route::getProvider, Route::getRoutingReason)
        .containsExactly(tuple("twilio", "pin"), tuple("sinch", "exploration"), tuple("vonage", "score"));
  }

  @Test
  void forbiddenRoutesAreDroppedAndAPinOutsideTheTableChangesNothing() {
    standing("vonage", 0.95, 100, false);

    assertThat(plan(new RoutePins.Pins(Optional.of("infobip"), Set.of("twilio")), never()))
        .extracting(Route::getProvider, Route::getRoutingReason)
        .containsExactly(tuple("vonage", "score"), tuple("sinch", "table"));
    assertThat(plan(new RoutePins.Pins(Optional.empty(), Set.of("twilio", "vonage", "sinch")), never())).isEmpty();
  }

  @Test
  void theTableRoutesAreNotChanged() {
    standing("twilio", 0.50, 100, true);

    plan(RoutePins.Pins.NONE, draws(0.0, 0));

    assertThat(TABLE).extracting(Route::getRoutingReason).containsOnly("table");
  }

  private List<Route> plan(RoutePins.Pins pins, RandomGenerator random) {
    return planner.plan(TABLE, pins, provider -> Optional.ofNullable(standings.get(provider)), random);
  }

  private void standing(String provider, double score, long tried, boolean demoted) {
    standings.put(provider, new RouteStanding(score(provider, score, tried), demoted));
  }

  static ProviderScore score(String provider, Double score, long tried) {
    return ProviderScore.newBuilder()
        .setProvider(provider)
        .setCountry("DE")
        .setChannel(Channel.SMS)
        .setTried(tried)
        .setScore(score)
        .setUpdatedAt(Instant.parse("2026-01-05T10:00:00Z"))
        .build();
  }

  private static Route route(String provider) {
    return new Route(provider, Channel.SMS, null, "table");
  }

  /** Fails the test if the planner draws at all. */
  private static RandomGenerator never() {
    return () -> {
      throw new AssertionError("the planner drew a random number with no route demoted");
    };
  }

  /** Answers nextDouble with {@code share} and nextInt with {@code pick}. */
  private static RandomGenerator draws(double share, int pick) {
    return new RandomGenerator() {
      @Override
      public long nextLong() {
        throw new AssertionError("unexpected draw");
      }

      @Override
      public double nextDouble() {
        return share;
      }

      @Override
      public int nextInt(int bound) {
        assertThat(pick).isLessThan(bound);
        return pick;
      }
    };
  }
}
