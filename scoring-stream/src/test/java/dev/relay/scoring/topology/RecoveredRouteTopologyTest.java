package dev.relay.scoring.topology;

import static dev.relay.scoring.testing.Events.accepted;
import static dev.relay.scoring.testing.Events.attempt;
import static dev.relay.scoring.testing.Events.event;
import static dev.relay.scoring.testing.Events.receipt;
import static dev.relay.scoring.testing.Events.verified;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.Attempt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.Route;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.VerificationStatus;
import dev.relay.scoring.config.ScoringSettings;
import dev.relay.scoring.testing.ScoringDriver;
import dev.relay.support.routing.RouteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The way back of a demoted route, in a closed loop: scoring publishes scores, and every
 * verification's first route is chosen from the latest of them by {@link RouteOrder}, the
 * dispatcher's own rule, at the dispatcher's defaults (a share of 0.05 and a cap of 0.4, a floor of 30
 * first sends per short window while a route is demoted, a 0.05 margin, 20 samples). The table puts twilio (0.040) before vonage
 * (0.065). Twilio silently loses every message for a while, and is demoted; then it recovers, or keeps
 * losing every other message. A lost message gets no receipt and no code entered (its failover is left
 * out: it is vonage's and counts nowhere in twilio's judgement). Two worlds: scoring at its production
 * defaults (1 h window, 5 min short window, 1 min hop, 10 s publication) with one German verification
 * every 2 s (150 per short window) and a ten-minute fault; and the routing study's time-scaled
 * settings (60 s window, 30 s short window, 5 s hop, 2 s publication, 8 s settle) with three a second
 * (the study's IT recovery scenario), where the floor asks a third of the country's first sends for the
 * demoted route.
 */
class RecoveredRouteTopologyTest {

  private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
  private static final String TWILIO = "twilio|DE|SMS";
  /** {@code relay.routing.*} at the dispatcher's defaults. */
  private static final RouteOrder ORDER = new RouteOrder(RouteOrder.Policy.defaults());
  private static final List<Route> TABLE = List.of(new Route("twilio", Channel.SMS, 40_000L, "table"),
      new Route("vonage", Channel.SMS, 65_000L, "table"));
  private static final World PRODUCTION = new World(ScoringSettings.defaults(), Duration.ofSeconds(2),
      Duration.ofMinutes(20), Duration.ofMinutes(10));
  private static final World TIME_SCALED = new World(DemandSideDropTopologyTest.TIME_SCALED, Duration.ofMillis(333),
      Duration.ofSeconds(90), Duration.ofSeconds(60));

  /** Scoring's settings, the traffic, and when twilio's fault starts (after T0) and how long it lasts. */
  private record World(ScoringSettings settings, Duration betweenVerifications, Duration healthy, Duration fault) {

    Instant faultStart() {
      return T0.plus(healthy);
    }

    Instant faultEnd() {
      return faultStart().plus(fault);
    }

    /** Two short windows after the fault, what issue 16 allows a recovered route to be first again. */
    Instant withinTwoShortWindows() {
      return faultEnd().plus(settings.shortWindow().multipliedBy(2));
    }

    /** Two short windows after the fault, and two minutes more to see what follows. */
    Instant end() {
      return withinTwoShortWindows().plus(Duration.ofMinutes(2));
    }
  }

  @TempDir
  Path stateDir;
  private ScoringDriver driver;
  private final PriorityQueue<Step> steps = new PriorityQueue<>(
      Comparator.comparing(Step::at).thenComparingLong(Step::order));
  private final SplittableRandom random = new SplittableRandom(16);
  private final Map<String, ProviderScore> latest = new HashMap<>();
  private final List<KeyValue<String, ProviderScore>> published = new ArrayList<>();
  /** Each verification's start and the first route the order gave it. */
  private final List<Choice> choices = new ArrayList<>();
  private long order;
  private int verifications;
  private int twilioSendsSinceFault;

  private record Step(Instant at, long order, Runnable input) {}

  private record Choice(Instant at, Route first) {}

  @AfterEach
  void stop() {
    if (driver != null) {
      driver.close();
    }
  }

  @Test
  void aRecoveredRouteIsFirstAgainWithinTwoShortWindowsOfItsRecovery() {
    recoversWithinTwoShortWindows(PRODUCTION);
  }

  @Test
  void atTheStudysTimeScaledSettingsARecoveredRouteIsFirstAgainWithinTwoShortWindows() {
    recoversWithinTwoShortWindows(TIME_SCALED);
  }

  /**
   * Judged on its newest tries (the alerts' evidence count of them, 28), not on its short window: at
   * the production defaults a demoted route gets 30 first sends per 5 minutes here, so its short window
   * holds its fault's lost sends until a short window (and the settle) after the fault, though its
   * newest 28 were all completed before then. On the short window it was promoted 6 minutes after its
   * recovery.
   */
  @Test
  void aRecoveredRouteIsPromotedOnItsNewestTriesBeforeItsFaultLeavesItsShortWindow() {
    run(PRODUCTION, at -> !at.isBefore(PRODUCTION.faultStart()) && at.isBefore(PRODUCTION.faultEnd()));

    Instant faultLeavesShortWindow = PRODUCTION.faultEnd().plus(PRODUCTION.settings().shortWindow())
        .plus(PRODUCTION.settings().completionSettle());
    assertThat(first(TWILIO, PRODUCTION.faultEnd(), false)).as("twilio promoted back").isNotNull()
        .isBefore(faultLeavesShortWindow);
  }

  @Test
  void aRouteStillLosingHalfItsMessagesIsTriedButNotPromoted() {
    staysDemotedWhileLosingHalf(PRODUCTION);
  }

  @Test
  void atTheStudysTimeScaledSettingsARouteStillLosingHalfIsNotPromoted() {
    staysDemotedWhileLosingHalf(TIME_SCALED);
  }

  private void recoversWithinTwoShortWindows(World world) {
    run(world, at -> !at.isBefore(world.faultStart()) && at.isBefore(world.faultEnd()));

    Instant demotedAt = first(TWILIO, world.faultStart(), true);
    assertThat(demotedAt).as("twilio demoted in its fault").isNotNull().isBefore(world.faultEnd());
    Instant within = world.withinTwoShortWindows();
    Instant promotedAt = first(TWILIO, world.faultEnd(), false);
    assertThat(promotedAt).as("twilio promoted back").isNotNull().isBefore(within);
    Instant firstAgain = choices.stream()
        .filter(choice -> !choice.at().isBefore(world.faultEnd()) && choice.first().getProvider().equals("twilio")
            && !choice.first().getRoutingReason().equals(RouteOrder.EXPLORATION))
        .map(Choice::at).findFirst().orElse(null);
    assertThat(firstAgain).as("twilio first again, not by exploration").isNotNull().isBefore(within);
  }

  private void staysDemotedWhileLosingHalf(World world) {
    run(world, at -> !at.isBefore(world.faultStart()) && (at.isBefore(world.faultEnd()) || twilioSendsSinceFault++ % 2 == 0));

    Instant demotedAt = first(TWILIO, world.faultStart(), true);
    assertThat(demotedAt).as("twilio demoted in its fault").isNotNull().isBefore(world.faultEnd());
    assertThat(first(TWILIO, demotedAt, false)).as("never promoted while it loses half").isNull();
    ProviderScore last = latest.get(TWILIO);
    assertThat(last.getShortWindow().getFirstSends()).as("tried enough to be judged")
        .isGreaterThanOrEqualTo(20);
  }

  /** Verifications from T0 to the world's end; twilio's message is lost when {@code lost} says so at its start. */
  private void run(World world, Predicate<Instant> lost) {
    driver = new ScoringDriver(world.settings(), stateDir);
    for (Instant start = T0; start.isBefore(world.end()); start = start.plus(world.betweenVerifications())) {
      Instant at = start;
      at(at, () -> verification(at, lost));
    }
    Instant nextPublication = T0.plus(world.settings().emitInterval());
    while (!steps.isEmpty()) {
      Step step = steps.poll();
      while (!step.at().isBefore(nextPublication)) {
        publish();
        nextPublication = nextPublication.plus(world.settings().emitInterval());
      }
      step.input().run();
    }
    publish();
  }

  /** One verification, its first route chosen now from the latest published scores. */
  private void verification(Instant start, Predicate<Instant> lostAt) {
    Route first = ORDER.order(TABLE, RouteOrder.Pins.NONE, provider -> Optional.ofNullable(
        latest.get(provider + "|DE|SMS")).map(score -> new RouteOrder.Standing(score, score.getDemoted())), random).get(0);
    choices.add(new Choice(start, first));
    String provider = first.getProvider();
    boolean lost = provider.equals("twilio") && lostAt.test(start);
    String id = "VE" + verifications++;
    String message = provider + "-" + id;
    SendResult sent = SendResult.newBuilder(accepted(provider, message, start)).setVerificationId(id)
        .setIdempotencyKey(id + "-1").build();
    at(sent.getCompletedAt(), () -> driver.send(sent));
    if (lost) {
      return;
    }
    Attempt firstAttempt = Attempt.newBuilder(attempt(1, SendReason.INITIAL, provider, Channel.SMS, start))
        .setIdempotencyKey(id + "-1").setProviderMessageId(message).build();
    Instant deliveredAt = start.plusSeconds(2);
    at(deliveredAt, () -> driver.receipt(receipt(provider, message, DeliveryStatus.DELIVERED, deliveredAt)));
    Instant enteredAt = start.plusSeconds(5);
    at(enteredAt, () -> driver.event(event(id, VerificationStatus.APPROVED, VerificationStatus.PENDING, "code-approved",
        List.of(verified(firstAttempt, enteredAt)), enteredAt)));
  }

  private void at(Instant at, Runnable input) {
    steps.add(new Step(at, order++, input));
  }

  private void publish() {
    driver.publish();
    for (KeyValue<String, ProviderScore> score : driver.publishedScores()) {
      published.add(score);
      latest.put(score.key, score.value);
    }
  }

  /** The window end of the route's first publication with that standing after {@code from}, null if none. */
  private Instant first(String route, Instant from, boolean demoted) {
    return published.stream().filter(entry -> entry.key.equals(route) && entry.value.getDemoted() == demoted
            && entry.value.getWindowEnd().isAfter(from))
        .map(entry -> entry.value.getWindowEnd()).findFirst().orElse(null);
  }
}
