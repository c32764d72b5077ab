package dev.relay.scoring.topology;

import static dev.relay.scoring.testing.Events.accepted;
import static dev.relay.scoring.testing.Events.attempt;
import static dev.relay.scoring.testing.Events.event;
import static dev.relay.scoring.testing.Events.receipt;
import static dev.relay.scoring.testing.Events.verified;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.AlertKind;
import dev.relay.schemas.Attempt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.ProviderAlert;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.VerificationStatus;
import dev.relay.scoring.config.ScoringSettings;
import dev.relay.scoring.testing.ScoringDriver;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 17's whole-process kill at the production defaults (1 h window, 5 min short window, 30 s
 * delivery window): healthy traffic on twilio and vonage in DE and FR, then the process dies
 * (broker, services and the simulator's handsets together). Every send in flight loses its receipt
 * and nobody enters its code; nothing at all happens while Relay is down; after the restart the
 * dispatcher's overdue delivery windows fail the lost sends over to the other provider (whose
 * messages reach people who have left), and traffic resumes healthy. The charge is Relay's: no route
 * is demoted, no provider alerted, and the lost sends count in no route's tries, deliveries or completion.
 */
class RelayOutageTopologyTest {

  private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
  private static final List<String> COUNTRIES = List.of("DE", "FR");
  private static final List<String> PROVIDERS = List.of("twilio", "vonage");
  private static final Duration DELIVERY_WINDOW = Duration.ofSeconds(30);
  private static final Duration TO_RECEIPT = Duration.ofSeconds(3);
  private static final Duration TO_ENTRY = Duration.ofSeconds(10);
  /** Verifications started this long before the kill have not completed: people had not entered their codes yet. */
  private static final Duration IN_FLIGHT = Duration.ofSeconds(20);
  /**
   * Healthy traffic before the kill: the short window is not yet full, so the lost sends weigh more in
   * it than they would after a longer healthy run.
   */
  private static final Duration HEALTHY_BEFORE_KILL = Duration.ofSeconds(180);
  /**
   * Traffic after the restart: until the short window (5 min) has moved past the restart, its figures
   * hold the lost sends and their failovers; after that only the long window does, diluted further
   * with every healthy minute.
   */
  private static final Duration SHORT_WINDOW_AFTER_RESTART = ScoringSettings.defaults().shortWindow().plusSeconds(60);
  /** Publications start here: the first ones would judge sends nobody could have answered yet. */
  private static final Instant SETTLED = T0.plusSeconds(60);

  @TempDir
  Path stateDir;
  private ScoringDriver driver;
  private final List<Step> steps = new ArrayList<>();
  private int verifications;

  private record Step(Instant at, int order, Runnable input) {}

  @BeforeEach
  void start() {
    driver = new ScoringDriver(ScoringSettings.defaults(), stateDir);
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  /**
   * @param downSeconds from the kill to the first thing Relay does after its restart: shorter than the
   *     delivery window (the lost sends' windows end after the restart, on time), a few minutes (the
   *     short window then holds mostly the minute before the kill), longer than the short window
   * @param perSecond verifications a second in each country, first sends split between its two routes:
   *     at 2 a route's short window reaches the alerts' 20 samples 20 s after a restart longer than the
   *     short window, when half of them are still with people typing their codes (the harder case, so
   *     the longer outages run at 2 only: at 4 they took 9 s of the fast layer and proved nothing more)
   */
  @ParameterizedTest
  @CsvSource({"25, 4", "180, 2", "720, 2"})
  void sendsThatDiedWithTheWholeProcessDemoteNoRouteAndCountNowhere(int downSeconds, int perSecond) {
    Instant kill = T0.plus(HEALTHY_BEFORE_KILL);
    Instant restart = kill.plusSeconds(downSeconds);
    Instant end = restart.plus(SHORT_WINDOW_AFTER_RESTART);
    traffic(T0, kill, restart, perSecond);
    traffic(restart, end, null, perSecond);

    List<KeyValue<String, ProviderScore>> published = run(end.plusSeconds(30));

    for (String country : COUNTRIES) {
      for (String provider : PROVIDERS) {
        String route = provider + "|" + country + "|SMS";
        assertThat(published).as("%s published demoted", route)
            .filteredOn(entry -> entry.key.equals(route) && entry.value.getDemoted()).isEmpty();
        ProviderScore last = latest(published, route);
        // The long window still holds the kill: the lost sends and their failovers are not in the figures.
        assertThat(last.getWindowStart()).isBefore(kill.minus(IN_FLIGHT));
        assertThat(last.getUndelivered()).as("%s: lost receipts not counted as undelivered", route).isZero();
        assertThat(last.getFirstCompleted()).as("%s: every judged first send completed", route)
            .isEqualTo(last.getFirstSends());
        assertThat(last.getDelivered()).as("%s: every counted send delivered", route).isEqualTo(last.getAccepted());
        assertThat(last.getFailovers()).as("%s: no failover charged", route).doesNotContainKey("TIMEOUT");
      }
    }
    assertThat(driver.alerts()).as("no provider alerted for Relay's own outage")
        .extracting(ProviderAlert::getKind).doesNotContain(AlertKind.DROP);
  }

  @Test
  void aMessageLostInAQuietHourIsStillTheRoutesNotAnOutage() {
    // One verification every 20 s on twilio DE, all healthy, then one lost message whose 30 s window
    // holds no other input: a silence, but not an outage (far fewer than 50 mean intervals).
    Instant lostAt = T0.plusSeconds(20 * 60);
    for (Instant start = T0; start.isBefore(lostAt); start = start.plusSeconds(20)) {
      verification("DE", "twilio", start, false, null);
    }
    verification("DE", "twilio", lostAt, true, lostAt.plus(DELIVERY_WINDOW));
    // Its completion is judged once stream time is a settle past its pane: the next verification moves it.
    verification("DE", "twilio", lostAt.plusSeconds(120), false, null);
    List<KeyValue<String, ProviderScore>> published = run(lostAt.plusSeconds(150));

    ProviderScore twilio = latest(published, "twilio|DE|SMS");
    assertThat(twilio.getUndelivered()).as("the silently lost message is twilio's").isEqualTo(1);
    assertThat(twilio.getFailovers()).containsEntry("TIMEOUT", 1L);
    assertThat(twilio.getFirstSends() - twilio.getFirstCompleted()).as("and so is its missing completion").isEqualTo(1);
  }

  /**
   * Verifications started every {@code 1 / perSecond} s in each country between {@code from} and
   * {@code to}, each first to twilio and vonage in turn; with {@code restart}, those started within
   * {@link #IN_FLIGHT} of {@code to} die with the process and fail over when Relay is back.
   */
  private void traffic(Instant from, Instant to, Instant restart, int perSecond) {
    int turn = 0;
    for (Instant start = from; start.isBefore(to); start = start.plusMillis(1_000 / perSecond), turn++) {
      for (String country : COUNTRIES) {
        String provider = PROVIDERS.get((turn + COUNTRIES.indexOf(country)) % PROVIDERS.size());
        boolean lost = restart != null && !start.isBefore(to.minus(IN_FLIGHT));
        Instant windowEnd = start.plus(DELIVERY_WINDOW);
        // The dispatcher fires an overdue window as soon as it is back.
        verification(country, provider, start, lost, lost && windowEnd.isBefore(restart) ? restart : windowEnd);
      }
    }
  }

  /**
   * One verification: its first send through {@code provider}. A healthy one is delivered and its
   * code entered; a lost one gets neither, and when its delivery window ends ({@code failoverAt}) it
   * fails over to the other provider, whose message is delivered to a person who has left.
   */
  private void verification(String country, String provider, Instant start, boolean lost, Instant failoverAt) {
    String id = "VE" + verifications++;
    String message = provider + "-" + id;
    SendResult first = SendResult.newBuilder(accepted(provider, message, start)).setVerificationId(id)
        .setCountry(country).build();
    Attempt firstAttempt = Attempt.newBuilder(attempt(1, SendReason.INITIAL, provider, Channel.SMS, start))
        .setIdempotencyKey(id + "-1").setProviderMessageId(message).setSubmittedAt(first.getCompletedAt()).build();
    at(start, () -> driver.event(inCountry(country,
        event(id, VerificationStatus.PENDING, null, "created", List.of(firstAttempt), start))));
    at(first.getCompletedAt(), () -> driver.send(first));
    if (!lost) {
      Instant deliveredAt = start.plus(TO_RECEIPT);
      at(deliveredAt, () -> driver.receipt(receipt(provider, message, DeliveryStatus.DELIVERED, deliveredAt)));
      Instant enteredAt = start.plus(TO_ENTRY);
      at(enteredAt, () -> driver.event(inCountry(country, event(id, VerificationStatus.APPROVED,
          VerificationStatus.PENDING, "code-approved", List.of(verified(firstAttempt, enteredAt)), enteredAt))));
      return;
    }
    String backup = PROVIDERS.get(1 - PROVIDERS.indexOf(provider));
    String backupMessage = backup + "-" + id + "-2";
    SendResult second = SendResult.newBuilder(accepted(backup, backupMessage, failoverAt))
        .setVerificationId(id).setAttempt(2).setIdempotencyKey(id + "-2").setCountry(country).build();
    Attempt failover = Attempt.newBuilder(attempt(2, SendReason.TIMEOUT, backup, Channel.SMS, failoverAt))
        .setIdempotencyKey(id + "-2").setProviderMessageId(backupMessage).build();
    at(failoverAt, () -> driver.event(inCountry(country, event(id, VerificationStatus.PENDING, VerificationStatus.PENDING,
        "failover:timeout", List.of(firstAttempt, failover), failoverAt))));
    at(second.getCompletedAt(), () -> driver.send(second));
    Instant deliveredAt = failoverAt.plus(TO_RECEIPT);
    at(deliveredAt, () -> driver.receipt(receipt(backup, backupMessage, DeliveryStatus.DELIVERED, deliveredAt)));
  }

  private static VerificationEvent inCountry(String country, VerificationEvent event) {
    return VerificationEvent.newBuilder(event).setCountry(country).build();
  }

  private void at(Instant at, Runnable input) {
    steps.add(new Step(at, steps.size(), input));
  }

  /**
   * Pipes every input in event-time order and publishes every emit interval from {@link #SETTLED} on,
   * except while nothing happens at all for longer than an emit interval: scoring died with the rest.
   */
  private List<KeyValue<String, ProviderScore>> run(Instant until) {
    steps.sort(Comparator.comparing(Step::at).thenComparingInt(Step::order));
    List<KeyValue<String, ProviderScore>> published = new ArrayList<>();
    Duration emit = ScoringSettings.defaults().emitInterval();
    Instant nextPublication = SETTLED;
    for (Step step : steps) {
      if (step.at().isAfter(nextPublication.plus(emit))) {
        // A silence: the whole process was down, scoring too. It publishes again once it is back.
        nextPublication = step.at();
      }
      while (!step.at().isBefore(nextPublication)) {
        driver.publish();
        published.addAll(driver.publishedScores());
        nextPublication = nextPublication.plus(emit);
      }
      step.input().run();
    }
    while (nextPublication.isBefore(until)) {
      driver.publish();
      published.addAll(driver.publishedScores());
      nextPublication = nextPublication.plus(emit);
    }
    return published;
  }

  private static ProviderScore latest(List<KeyValue<String, ProviderScore>> published, String route) {
    Map<String, ProviderScore> latest = published.stream()
        .collect(Collectors.toMap(entry -> entry.key, entry -> entry.value, (first, second) -> second));
    assertThat(latest).as("a score published for %s", route).containsKey(route);
    return latest.get(route);
  }
}
