package dev.relay.support.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.Channel;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.Route;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The plan's held-back routes; the order itself is pinned by the dispatcher's RoutePlannerTest, which routes by it. */
class RouteOrderTest {

  private static final RouteOrder NEVER_EXPLORING = new RouteOrder(new RouteOrder.Policy(10, 0, 0.05));
  private static final List<Route> TABLE = List.of(route("twilio"), route("vonage"), route("plivo"));

  @Test
  void demotedRoutesAndRoutesPassedByTheFirstScoredAreHeldBack() {
    RouteOrder.Plan plan = NEVER_EXPLORING.plan(TABLE, RouteOrder.Pins.NONE, standings(Map.of(
        "twilio", standing(0.5, 40, false), "vonage", standing(0.9, 40, false), "plivo", standing(0.1, 40, true))),
        new SplittableRandom(1));

    assertThat(plan.ordered()).extracting(Route::getProvider, Route::getRoutingReason).containsExactly(
        org.assertj.core.groups.Tuple.tuple("vonage", RouteOrder.SCORE),
        org.assertj.core.groups.Tuple.tuple("twilio", RouteOrder.SCORE),
        org.assertj.core.groups.Tuple.tuple("plivo", RouteOrder.DEMOTION));
    assertThat(plan.heldBack()).containsExactlyInAnyOrder("plivo", "twilio");
  }

  @Test
  void aForbiddenRouteIsLeftOutAndAPinnedOneGoesFirst() {
    RouteOrder.Plan plan = NEVER_EXPLORING.plan(TABLE, new RouteOrder.Pins(Optional.of("plivo"), Set.of("twilio")),
        standings(Map.of()), new SplittableRandom(1));

    assertThat(plan.ordered()).extracting(Route::getProvider, Route::getRoutingReason).containsExactly(
        org.assertj.core.groups.Tuple.tuple("plivo", RouteOrder.PIN),
        org.assertj.core.groups.Tuple.tuple("vonage", RouteOrder.TABLE));
    assertThat(plan.heldBack()).isEmpty();
  }

  @Test
  void aTripledVendorPriceOnTheFirstRouteMovesTrafficWhenQualityIsEqual() {
    // Equal quality within the margin, the same price (reported by each vendor on its recent sends): table order.
    List<Route> table = List.of(route("twilio"), route("vonage"));
    Map<String, RouteOrder.Standing> standings = new java.util.HashMap<>(Map.of(
        "twilio", priced(0.90, 40_000L), "vonage", priced(0.88, 40_000L)));
    assertThat(NEVER_EXPLORING.order(table, RouteOrder.Pins.NONE, standings(standings), new SplittableRandom(1)))
        .extracting(Route::getProvider).containsExactly("twilio", "vonage");

    standings.put("twilio", priced(0.90, 120_000L));

    assertThat(NEVER_EXPLORING.order(table, RouteOrder.Pins.NONE, standings(standings), new SplittableRandom(1)))
        .extracting(Route::getProvider, Route::getRoutingReason).containsExactly(
            org.assertj.core.groups.Tuple.tuple("vonage", RouteOrder.SCORE),
            org.assertj.core.groups.Tuple.tuple("twilio", RouteOrder.SCORE));
  }

  @Test
  void aTripledTablePriceOnTheFirstRouteMovesTrafficWhenQualityIsEqual() {
    // No vendor reports a price: the operator's table prices decide among routes of equal quality.
    Map<String, RouteOrder.Standing> standings = Map.of(
        "twilio", standing(0.90, 40, false), "vonage", standing(0.88, 40, false));
    List<Route> before = List.of(route("twilio", 40_000L), route("vonage", 40_000L));
    assertThat(NEVER_EXPLORING.order(before, RouteOrder.Pins.NONE, standings(standings), new SplittableRandom(1)))
        .extracting(Route::getProvider).containsExactly("twilio", "vonage");

    List<Route> after = List.of(route("twilio", 120_000L), route("vonage", 40_000L));

    assertThat(NEVER_EXPLORING.order(after, RouteOrder.Pins.NONE, standings(standings), new SplittableRandom(1)))
        .extracting(Route::getProvider, Route::getRoutingReason).containsExactly(
            org.assertj.core.groups.Tuple.tuple("vonage", RouteOrder.SCORE),
            org.assertj.core.groups.Tuple.tuple("twilio", RouteOrder.SCORE));
    // Beyond the margin, quality wins over price.
    Map<String, RouteOrder.Standing> apart = Map.of(
        "twilio", standing(0.95, 40, false), "vonage", standing(0.85, 40, false));
    assertThat(NEVER_EXPLORING.order(after, RouteOrder.Pins.NONE, standings(apart), new SplittableRandom(1)))
        .extracting(Route::getProvider).containsExactly("twilio", "vonage");
  }

  @Test
  void aCheaperRouteWhoseFewSamplesCannotBeToldFromTheLeadersGoesFirstDespiteItsPriorShrunkScore() {
    // The study's ES case: vonage's price tripled; twilio, explored, completed every first send, but its
    // score (0.84) is shrunk towards the prior on its few samples, more than the margin below vonage's.
    List<Route> table = List.of(route("vonage", 120_000L), route("twilio", 40_000L));
    RouteOrder.Standing vonage = evidenced(0.93, 160, 160, 150, 150);

    assertThat(NEVER_EXPLORING.order(table, RouteOrder.Pins.NONE,
            standings(Map.of("vonage", vonage, "twilio", evidenced(0.84, 22, 22, 22, 22))), new SplittableRandom(1)))
        .extracting(Route::getProvider, Route::getRoutingReason).containsExactly(
            org.assertj.core.groups.Tuple.tuple("twilio", RouteOrder.SCORE),
            org.assertj.core.groups.Tuple.tuple("vonage", RouteOrder.SCORE));
    // Evidence that it does worse (14 of 22 completed), or too little of it (8 first sends), keeps the score's order.
    assertThat(NEVER_EXPLORING.order(table, RouteOrder.Pins.NONE,
            standings(Map.of("vonage", vonage, "twilio", evidenced(0.84, 22, 22, 22, 14))), new SplittableRandom(1)))
        .extracting(Route::getProvider).containsExactly("vonage", "twilio");
    assertThat(NEVER_EXPLORING.order(table, RouteOrder.Pins.NONE,
            standings(Map.of("vonage", vonage, "twilio", evidenced(0.84, 22, 22, 8, 8))), new SplittableRandom(1)))
        .extracting(Route::getProvider).containsExactly("vonage", "twilio");
    // Nor a route that rejects a third of its tries, however well its accepted sends complete.
    assertThat(NEVER_EXPLORING.order(table, RouteOrder.Pins.NONE,
            standings(Map.of("vonage", vonage, "twilio", evidenced(0.84, 33, 22, 22, 22))), new SplittableRandom(1)))
        .extracting(Route::getProvider).containsExactly("vonage", "twilio");
  }

  @Test
  void aRecoveredRouteWhoseShortWindowCannotBeToldFromTheLeadersTakesItsTablePlaceBackWhileItsLongWindowHoldsTheFault() {
    // twilio, first in the table, promoted after losing 40 of 100 first sends: its score (0.70) still holds the fault.
    RouteOrder.Standing vonage = recent(evidenced(0.93, 160, 160, 150, 150), 40, 40, 40, 40);
    RouteOrder.Standing recovered = recent(evidenced(0.70, 130, 130, 100, 60), 25, 25, 25, 25);

    assertThat(NEVER_EXPLORING.order(List.of(route("twilio"), route("vonage")), RouteOrder.Pins.NONE,
            standings(Map.of("vonage", vonage, "twilio", recovered)), new SplittableRandom(1)))
        .extracting(Route::getProvider).containsExactly("twilio", "vonage");
    // Too few first sends in its short window (9, min-samples is 10): the long window, fault and all, decides.
    assertThat(NEVER_EXPLORING.order(List.of(route("twilio"), route("vonage")), RouteOrder.Pins.NONE,
            standings(Map.of("vonage", vonage, "twilio", recent(evidenced(0.70, 130, 130, 100, 60), 9, 9, 9, 9))),
            new SplittableRandom(1)))
        .extracting(Route::getProvider).containsExactly("vonage", "twilio");
  }

  @Test
  void aRouteWhoseShortWindowShowsAFreshFaultLosesTheBenefitOfItsHealthyPast() {
    RouteOrder.Standing vonage = recent(evidenced(0.93, 400, 400, 380, 380), 40, 40, 40, 40);
    // Its long window (190 of 200 completed) cannot be told from vonage's; its short window (12 of 25) can.
    RouteOrder.Standing failing = evidenced(0.80, 210, 210, 200, 190);

    assertThat(NEVER_EXPLORING.order(List.of(route("twilio"), route("vonage")), RouteOrder.Pins.NONE,
            standings(Map.of("vonage", vonage, "twilio", failing)), new SplittableRandom(1)))
        .extracting(Route::getProvider).containsExactly("twilio", "vonage");
    assertThat(NEVER_EXPLORING.order(List.of(route("twilio"), route("vonage")), RouteOrder.Pins.NONE,
            standings(Map.of("vonage", vonage, "twilio", recent(failing, 25, 25, 25, 12))), new SplittableRandom(1)))
        .extracting(Route::getProvider).containsExactly("vonage", "twilio");
  }

  @Test
  void aDemotedRouteGetsTheFloorOfFirstSendsPerShortWindowInASmallCountryAndTheShareInALargeOne() {
    // A floor of 30 first sends per short window, between the 0.05 share and the 0.25 cap.
    RouteOrder order = new RouteOrder(new RouteOrder.Policy(10, 0.05, 0.05, 0.25, 30));
    List<Route> table = List.of(route("twilio"), route("vonage"));

    // 200 first sends per short window: 30 of them is 0.15; 1,000: the 0.05 share is more than the floor; 60: capped.
    assertThat(exploredShare(order, table, 200)).isCloseTo(0.15, org.assertj.core.api.Assertions.within(0.02));
    assertThat(exploredShare(order, table, 1_000)).isCloseTo(0.05, org.assertj.core.api.Assertions.within(0.015));
    assertThat(exploredShare(order, table, 60)).isCloseTo(0.25, org.assertj.core.api.Assertions.within(0.025));
  }

  @Test
  void aRouteOnlyOutScoredWhileTheTablePutsItFirstGetsTheShareNotTheFloor() {
    RouteOrder order = new RouteOrder(new RouteOrder.Policy(10, 0.05, 0.05, 0.25, 30));
    List<Route> table = List.of(route("twilio"), route("vonage"));

    // Passed by vonage's score, not demoted: the floor would give it 0.25 of 60 first sends per short window.
    assertThat(exploredShare(order, table, 60, standing(0.3, 100, false)))
        .isCloseTo(0.05, org.assertj.core.api.Assertions.within(0.015));
  }

  /** Share of 4,000 sends whose first route is the demoted twilio, with vonage holding the country's first sends. */
  private static double exploredShare(RouteOrder order, List<Route> table, long firstSendsPerShortWindow) {
    return exploredShare(order, table, firstSendsPerShortWindow, standing(0.3, 100, true));
  }

  /** Share of 4,000 sends whose first route is twilio, so standing, with vonage holding the country's first sends. */
  private static double exploredShare(RouteOrder order, List<Route> table, long firstSendsPerShortWindow,
      RouteOrder.Standing twilio) {
    ProviderScore vonage = ProviderScore.newBuilder().setProvider("vonage").setCountry("DE").setChannel(Channel.SMS)
        .setUpdatedAt(Instant.EPOCH).setScore(0.9).setTried(firstSendsPerShortWindow * 12)
        .setShortWindow(dev.relay.schemas.WindowStats.newBuilder().setStart(Instant.EPOCH).setEnd(Instant.EPOCH)
            .setFirstSends(firstSendsPerShortWindow).setFirstCompleted(firstSendsPerShortWindow).build())
        .build();
    Map<String, RouteOrder.Standing> standings = Map.of("twilio", twilio, "vonage", new RouteOrder.Standing(vonage, false));
    SplittableRandom random = new SplittableRandom(7);
    int sends = 4_000;
    long explored = 0;
    for (int i = 0; i < sends; i++) {
      if (order.order(table, RouteOrder.Pins.NONE, standings(standings), random).get(0).getProvider().equals("twilio")) {
        explored++;
      }
    }
    return (double) explored / sends;
  }

  /** A healthy route whose vendor reported this price per message on its recent sends. */
  private static RouteOrder.Standing priced(double score, long costPerMessageMicros) {
    return new RouteOrder.Standing(ProviderScore.newBuilder().setProvider("p").setCountry("DE").setChannel(Channel.SMS)
        .setUpdatedAt(Instant.EPOCH).setScore(score).setTried(40).setCostPerMessageMicros(costPerMessageMicros).build(),
        false);
  }

  /** A healthy route's long-window evidence: tries, acceptances, first sends and those completed. */
  private static RouteOrder.Standing evidenced(double score, long tried, long accepted, long firstSends,
      long firstCompleted) {
    return new RouteOrder.Standing(ProviderScore.newBuilder().setProvider("p").setCountry("ES").setChannel(Channel.SMS)
        .setUpdatedAt(Instant.EPOCH).setScore(score).setTried(tried).setAccepted(accepted).setFirstSends(firstSends)
        .setFirstCompleted(firstCompleted).build(), false);
  }

  /** The standing with a short window of these tries, acceptances, first sends and completions. */
  private static RouteOrder.Standing recent(RouteOrder.Standing standing, long tried, long accepted, long firstSends,
      long firstCompleted) {
    // Not a builder copy of the score: that deep-copies through Avro, which needs the contracts trusted first.
    ProviderScore score = standing.score();
    return new RouteOrder.Standing(ProviderScore.newBuilder().setProvider(score.getProvider())
        .setCountry(score.getCountry()).setChannel(score.getChannel()).setUpdatedAt(score.getUpdatedAt())
        .setScore(score.getScore()).setTried(score.getTried()).setAccepted(score.getAccepted())
        .setFirstSends(score.getFirstSends()).setFirstCompleted(score.getFirstCompleted())
        .setShortWindow(dev.relay.schemas.WindowStats.newBuilder().setStart(Instant.EPOCH).setEnd(Instant.EPOCH)
            .setTried(tried).setAccepted(accepted).setFirstSends(firstSends).setFirstCompleted(firstCompleted).build())
        .build(), standing.demoted());
  }

  private static Route route(String provider, long priceMicros) {
    return new Route(provider, Channel.SMS, priceMicros, RouteOrder.TABLE);
  }

  private static java.util.function.Function<String, Optional<RouteOrder.Standing>> standings(Map<String, RouteOrder.Standing> all) {
    return provider -> Optional.ofNullable(all.get(provider));
  }

  private static RouteOrder.Standing standing(double score, long tried, boolean demoted) {
    return new RouteOrder.Standing(ProviderScore.newBuilder().setProvider("p").setCountry("DE").setChannel(Channel.SMS)
        .setUpdatedAt(Instant.EPOCH).setScore(score).setTried(tried).setDemoted(demoted).build(), demoted);
  }

  private static Route route(String provider) {
    return new Route(provider, Channel.SMS, null, RouteOrder.TABLE);
  }
}
