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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The way back of a demoted route, in a closed loop: scoring at its production defaults (1 h window,
 * 5 min short window, 1 min hop, 10 s publication) publishes scores, and every verification's first
 * route is chosen from the latest of them by {@link RouteOrder}, the dispatcher's own rule, at the
 * dispatcher's defaults (shares of 0.05 and 0.25, a floor of 30 first sends per short window, a 0.05
 * margin, 20 samples). One German verification every 2 s (150 per short window); the table puts
 * twilio (0.040) before vonage (0.065). Twilio silently loses every message for ten minutes, and is
 * demoted; then it recovers, or keeps losing every other message. A lost message gets no receipt and
 * no code entered (its failover is left out: it is vonage's and counts nowhere in twilio's judgement).
 */
class RecoveredRouteTopologyTest {

  private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
  private static final String TWILIO = "twilio|DE|SMS";
  private static final ScoringSettings SETTINGS = ScoringSettings.defaults();
  /** {@code relay.routing.*} at the dispatcher's defaults. */
  private static final RouteOrder ORDER = new RouteOrder(new RouteOrder.Policy(20, 0.05, 0.05, 0.25, 30));
  private static final List<Route> TABLE = List.of(new Route("twilio", Channel.SMS, 40_000L, "table"),
      new Route("vonage", Channel.SMS, 65_000L, "table"));
  private static final Duration BETWEEN_VERIFICATIONS = Duration.ofSeconds(2);
  private static final Instant FAULT = T0.plus(Duration.ofMinutes(20));
  private static final Instant FAULT_END = FAULT.plus(Duration.ofMinutes(10));
  /** Two short windows after the fault, and two minutes more to see what follows. */
  private static final Instant END = FAULT_END.plus(SETTINGS.shortWindow().multipliedBy(2)).plus(Duration.ofMinutes(2));

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

  @BeforeEach
  void start() {
    driver = new ScoringDriver(SETTINGS, stateDir);
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  @Test
  void aRecoveredRouteIsFirstAgainWithinTwoShortWindowsOfItsRecovery() {
    run(at -> !at.isBefore(FAULT) && at.isBefore(FAULT_END));

    Instant demotedAt = first(TWILIO, FAULT, true);
    assertThat(demotedAt).as("twilio demoted in its fault").isNotNull().isBefore(FAULT_END);
    Instant within = FAULT_END.plus(SETTINGS.shortWindow().multipliedBy(2));
    Instant promotedAt = first(TWILIO, FAULT_END, false);
    assertThat(promotedAt).as("twilio promoted back").isNotNull().isBefore(within);
    Instant firstAgain = choices.stream()
        .filter(choice -> !choice.at().isBefore(FAULT_END) && choice.first().getProvider().equals("twilio")
            && !choice.first().getRoutingReason().equals(RouteOrder.EXPLORATION))
        .map(Choice::at).findFirst().orElse(null);
    assertThat(firstAgain).as("twilio first again, not by exploration").isNotNull().isBefore(within);
  }

  @Test
  void aRouteStillLosingHalfItsMessagesIsTriedButNotPromoted() {
    run(at -> !at.isBefore(FAULT) && (at.isBefore(FAULT_END) || twilioSendsSinceFault++ % 2 == 0));

    Instant demotedAt = first(TWILIO, FAULT, true);
    assertThat(demotedAt).as("twilio demoted in its fault").isNotNull().isBefore(FAULT_END);
    assertThat(first(TWILIO, demotedAt, false)).as("never promoted while it loses half").isNull();
    ProviderScore last = latest.get(TWILIO);
    assertThat(last.getShortWindow().getFirstSends()).as("tried enough to be judged")
        .isGreaterThanOrEqualTo(20);
  }

  /** Verifications from T0 to END; twilio's message is lost when {@code lost} says so at its start. */
  private void run(Predicate<Instant> lost) {
    for (Instant start = T0; start.isBefore(END); start = start.plus(BETWEEN_VERIFICATIONS)) {
      Instant at = start;
      at(at, () -> verification(at, lost));
    }
    Instant nextPublication = T0.plus(SETTINGS.emitInterval());
    while (!steps.isEmpty()) {
      Step step = steps.poll();
      while (!step.at().isBefore(nextPublication)) {
        publish();
        nextPublication = nextPublication.plus(SETTINGS.emitInterval());
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
