package dev.relay.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.dispatcher.DispatcherService;
import dev.relay.kafka.embedded.FreePorts;
import dev.relay.local.LocalStack.LocalStackSettings;
import dev.relay.schemas.AlertKind;
import dev.relay.schemas.ProviderAlert;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.SendCommand;
import dev.relay.schemas.topics.Topics;
import dev.relay.scoring.ScoringService;
import dev.relay.sim.SimService;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's proof through the running stack and the simulator: Dutch verifications flow through
 * twilio (first in the table) and vonage; twilio starts silently losing every Dutch message; a DROP
 * for twilio x NL is on provider-alerts and new verifications go to vonage first; while demoted,
 * twilio still goes first in the exploration share of sends, whose results stay bad as long as the
 * fault does (so no RECOVERY comes before the fault is cleared); once it is cleared, those exploration
 * sends show its recovery, a RECOVERY with the drop's id follows, and twilio is promoted back and goes
 * first again.
 *
 * <p>Only the mechanism is checked here, and each step is expected by construction, not by chance:
 * the fault loses every message rather than half of them (whether a half-losing route crosses the drop
 * rule in a given window is statistics, proven with a mock clock in {@code DemotionTopologyTest},
 * {@code BlameTopologyTest}, {@code ScoringTopologyTest}, {@code RouteAlertsTopologyTest} and
 * {@code RouteOrderTest}), and the exploration share gives the demoted route several times the sample
 * minimum in every short window (the arithmetic is beside the settings). Each step has an upper bound
 * derived from the configured windows, never from timings seen in earlier runs.
 *
 * <p>The windows are seconds instead of an hour and minutes, with the prior and the sample minimums
 * scaled down to match, so the whole cycle fits in about a minute and a half.
 */
@Tag("integration")
class DemotionThroughTheStackTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Topics TOPICS = Topics.defaults();
  private static final String COUNTRY = "NL";
  private static final String TWILIO_NL = "twilio|NL|SMS";
  private static final Duration SHORT_WINDOW = Duration.ofSeconds(10);
  private static final Duration WINDOW = Duration.ofSeconds(30);
  /** The windows hop by this much: a short window holds its 10 panes, the newest one partly filled. */
  private static final Duration WINDOW_ADVANCE = Duration.ofSeconds(1);
  /** One verification started this often: 2 a second, which a loaded 2-core machine still keeps up with. */
  private static final Duration PACE = Duration.ofMillis(500);
  /** Sends a rate needs in the short window (and in its baseline) before it can raise or end an alert. */
  private static final int ALERT_MIN_SAMPLES = 8;
  /**
   * Share of sends that go first to a demoted route. The arithmetic that makes every step below
   * certain rather than likely: a short window holds at least 9 whole seconds of sends (its newest
   * pane is partly filled), so at least 9 s / {@link #PACE} = 18 first sends, of which the demoted
   * route gets 0.75 · 18 = 13.5 on average (binomial, σ = √(18 · 0.75 · 0.25) ≈ 1.8): the sample
   * minimum of 8 is three σ below, and at least 10 of them (more than 2σ below the mean) still end an
   * alert with one receipt in flight (9/10 against a threshold of at most 0.9, below). With the former
   * share of 0.4 the mean was 7.2 to 8, so reaching 8 was a coin toss per window, and a recovery could
   * wait for minutes.
   */
  private static final double EXPLORATION_SHARE = 0.75;
  /**
   * How long a send's facts take to reach a published score at most: the simulator's receipt delay
   * (0.2 s) and auto-verify delay (at most 0.2 s), the commit intervals (100 ms) and the scores' emit
   * interval (250 ms), with a reserve for a loaded machine. The delivery window is as long, so a
   * receipt slowed by load is not taken for a lost message (with 2 s, a slow start of the stack once
   * had twilio demoted before the fault).
   */
  private static final Duration PIPELINE = Duration.ofSeconds(5);
  /** Completion waits this long for a code to be entered: the simulator's handsets enter theirs within 0.4 s. */
  private static final Duration COMPLETION_SETTLE = Duration.ofSeconds(1);
  /** How far behind the windows completion is judged at most: the settle in whole panes, and one pane. */
  private static final Duration JUDGED_REACH = COMPLETION_SETTLE.plus(WINDOW_ADVANCE);
  /**
   * Bound on a change of a route's health showing in its short window: the short window holds only sends
   * made after the change once it has hopped past it (its length plus one pane), plus the pipeline. A drop
   * and a demotion (every send lost: the rate falls from its baseline, about 0.9, to 0), and a recovery
   * (every send delivered, 13.5 of them on average) are each certain by then.
   */
  private static final Duration SHORT_REACTION = SHORT_WINDOW.plus(WINDOW_ADVANCE).plus(JUDGED_REACH).plus(PIPELINE);
  /**
   * Bound on a change showing in the long window, which the score is mostly made of: its length plus one
   * pane, plus the pipeline. A promotion is certain by then: the route's score is back to a healthy one
   * (above promote-above, 0.8, with no peer to compare with), or its short window's posterior bound
   * reached the peer's rate earlier; and a healthy route's score is within the score margin of its peer's.
   */
  private static final Duration LONG_REACTION = WINDOW.plus(WINDOW_ADVANCE).plus(JUDGED_REACH).plus(PIPELINE);
  /**
   * First sends after a demotion within which one goes to the peer for certain: that 40 in a row are
   * explored has a chance of 0.75^40, about one in 100,000.
   */
  private static final int UNEXPLORED_WITHIN = 40;
  /** First sends looked at while the route is demoted: 25 of them hold about 19 exploration sends. */
  private static final int DEMOTED_SENDS = 25;

  @TempDir static Path dataDir;
  private static LocalStack stack;
  private static ScheduledExecutorService traffic;
  private static final AtomicInteger STARTED = new AtomicInteger();
  private static final AtomicReference<String> TRAFFIC_ERROR = new AtomicReference<>();
  private static final AtomicInteger REPLY_TIMEOUTS = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    LocalStackSettings settings = new LocalStackSettings(dataDir, FreePorts.pick(), FreePorts.pick(), FreePorts.pick(),
        FreePorts.pick(), FreePorts.pick(), FreePorts.pick());
    Map<String, Map<String, String>> overrides = Map.of(
        DispatcherService.NAME, Map.of(
            "relay.verification.delivery-window", PIPELINE.toString(),
            "relay.routing.sms", "NL:twilio,vonage;*:twilio,vonage",
            "relay.routing.exploration-share", Double.toString(EXPLORATION_SHARE),
            // Thompson sampling off: it only ever adds exploration sends (RouteOrderTest), and the
            // arithmetic above is the share's alone.
            "relay.routing.exploration-cap", "0",
            // A healthy twilio and a healthy vonage score within 0.15 of each other here (the cost part,
            // a tenth of the score, differs most: the simulated twilio reports no price at acceptance), so
            // once promoted, twilio goes first by the table's order rather than waiting behind vonage.
            "relay.routing.score-margin", "0.15"),
        ScoringService.NAME, Map.ofEntries(
            Map.entry("relay.scoring.window", WINDOW.toString()),
            Map.entry("relay.scoring.window-advance", WINDOW_ADVANCE.toString()),
            Map.entry("relay.scoring.short-window", SHORT_WINDOW.toString()),
            Map.entry("relay.scoring.completion-settle", COMPLETION_SETTLE.toString()),
            Map.entry("relay.scoring.emit-interval", "250ms"),
            Map.entry("relay.streams.commit-interval", "100ms"),
            Map.entry("relay.scoring.prior-samples", "5"),
            // In the simulated world every delivered code is entered, so a healthy route scores about
            // 0.9 and one losing every message about 0.2: thresholds between, with the usual gap.
            Map.entry("relay.scoring.demote-below", "0.7"),
            Map.entry("relay.scoring.promote-above", "0.8"),
            // Scaled down like the prior: the long window holds 60 sends at the pace, the demoted route
            // about 45 of them.
            Map.entry("relay.scoring.demotion-min-samples", "10"),
            // Promotion rests on the route's own first sends in the short window (13.5 on average): 13 of
            // 13 completed bound their rate at 0.94 at this confidence, vonage's rate less 10 points is 0.9
            // at most.
            Map.entry("relay.scoring.promotion-confidence", "0.6"),
            Map.entry("relay.scoring.alert-min-samples", Integer.toString(ALERT_MIN_SAMPLES))),
        SimService.NAME, Map.of("relay.sim.random-seed", "5"));
    stack = new LocalStack(settings, overrides);
    stack.start();
    await().atMost(Duration.ofSeconds(60)).until(stack::isReady);
    HttpResponse<String> autoVerify = put(stack.simUrl() + "/sim/auto-verify",
        "{\"enabled\": true, \"minDelay\": \"PT0.05S\", \"maxDelay\": \"PT0.2S\"}");
    assertThat(autoVerify.statusCode()).as(autoVerify.body()).isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    if (traffic != null) {
      traffic.shutdownNow();
    }
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void aRouteLosingItsMessagesIsDemotedAlertedExploredAndPromotedBack() throws Exception {
    try (Tail<SendCommand> commands = new Tail<>(TOPICS.sendCommands.name(), TOPICS.sendCommands.valueSerde().deserializer());
        Tail<ProviderScore> scores = new Tail<>(TOPICS.providerScores.name(), TOPICS.providerScores.valueSerde().deserializer());
        Tail<ProviderAlert> alerts = new Tail<>(TOPICS.providerAlerts.name(), TOPICS.providerAlerts.valueSerde().deserializer())) {
      Instant trafficFrom = Instant.now();
      startTraffic();

      // Healthy: twilio, first in the table, takes the traffic and earns a score, and the part of its long
      // window before the short one holds the sample minimum: the baseline a drop is measured against.
      // Certain once the traffic has run a short window and the minimum's worth of sends longer (4 s), well
      // within the long window's bound, which leaves room for a fresh stack's slow first sends.
      await().atMost(LONG_REACTION).until(() -> latest(scores, TWILIO_NL)
          .filter(score -> score.getAccepted() - score.getShortWindow().getAccepted() >= ALERT_MIN_SAMPLES
              && score.getFirstSends() - score.getShortWindow().getFirstSends() >= ALERT_MIN_SAMPLES
              && !score.getDemoted() && score.getScore() >= 0.75).isPresent()
          && lastFirstRoutes(commands, ALERT_MIN_SAMPLES).stream().filter(TWILIO_FIRST_IN_TABLE_ORDER).count()
              == ALERT_MIN_SAMPLES);
      ProviderScore healthy = latest(scores, TWILIO_NL).orElseThrow();
      System.out.printf("healthy twilio x NL: score %.3f over %d tries, %d started, %d ms after the traffic began%n",
          healthy.getScore(), healthy.getTried(), STARTED.get(), Duration.between(trafficFrom, Instant.now()).toMillis());

      // Twilio starts silently losing every Dutch message.
      Instant faultAt = Instant.now();
      assertThat(put(stack.simUrl() + "/sim/providers/twilio/countries/NL", "{\"silentDropRate\": 1.0}").statusCode())
          .isEqualTo(200);

      ProviderAlert drop = await().atMost(SHORT_REACTION).until(() -> alerts.records().stream()
          .filter(alert -> alert.getKind() == AlertKind.DROP && routeOf(alert).equals(TWILIO_NL)
              && alert.getRaisedAt().isAfter(faultAt)).findFirst(),
          Optional::isPresent).orElseThrow();
      System.out.printf("DROP %s: %.2f -> %.2f (%d samples), %d ms after the fault%n", drop.getMetric(), drop.getBaselineRate(),
          drop.getCurrentRate(), drop.getCurrentSamples(), Duration.between(faultAt, drop.getRaisedAt()).toMillis());

      await().atMost(SHORT_REACTION).until(() -> latest(scores, TWILIO_NL).orElseThrow().getDemoted());
      SendCommand rerouted = await().atMost(PIPELINE.plus(PACE.multipliedBy(UNEXPLORED_WITHIN)))
          .until(() -> firstRoutes(commands, faultAt).stream()
          .filter(command -> command.getRoutes().get(0).getProvider().equals("vonage")).findFirst(), Optional::isPresent)
          .orElseThrow();
      System.out.printf("vonage first %d ms after twilio started losing messages (short window %s)%n",
          Duration.between(faultAt, rerouted.getIssuedAt()).toMillis(), SHORT_WINDOW);
      assertThat(rerouted.getRoutes()).extracting(route -> route.getProvider() + ":" + route.getRoutingReason())
          .endsWith("twilio:demotion");
      assertThat(alerts.records()).noneMatch(alert -> alert.getKind() == AlertKind.DROP && routeOf(alert).startsWith("vonage|NL|"));

      // While demoted, twilio goes first only as exploration, and every such send is still lost: it stays
      // demoted and its drop stays open. (How large the share is: RouteOrderTest.)
      await().atMost(PACE.multipliedBy(DEMOTED_SENDS).plus(PIPELINE))
          .until(() -> firstRoutes(commands, rerouted.getIssuedAt()).size() >= DEMOTED_SENDS);
      List<SendCommand> whileDemoted = firstRoutes(commands, rerouted.getIssuedAt());
      System.out.printf("while demoted: %d of %d first sends explored twilio%n",
          whileDemoted.stream().filter(command -> command.getRoutes().get(0).getProvider().equals("twilio")).count(),
          whileDemoted.size());
      assertThat(whileDemoted).extracting(command -> command.getRoutes().get(0).getProvider()).contains("twilio", "vonage");
      assertThat(whileDemoted).filteredOn(command -> command.getRoutes().get(0).getProvider().equals("twilio"))
          .extracting(command -> command.getRoutes().get(0).getRoutingReason()).containsOnly("exploration");
      assertThat(latest(scores, TWILIO_NL).orElseThrow().getDemoted()).isTrue();
      assertThat(alerts.records()).noneMatch(alert -> alert.getKind() == AlertKind.RECOVERY
          && alert.getAlertId().equals(drop.getAlertId()));

      // Twilio recovers; the exploration sends see it.
      Instant recoveredAt = Instant.now();
      assertThat(delete(stack.simUrl() + "/sim/providers/twilio/countries/NL").statusCode()).isLessThan(300);

      ProviderAlert recovery = await().atMost(SHORT_REACTION).until(() -> alerts.records().stream()
          .filter(alert -> alert.getKind() == AlertKind.RECOVERY && alert.getAlertId().equals(drop.getAlertId())).findFirst(),
          Optional::isPresent).orElseThrow();
      System.out.printf("RECOVERY %s to %.2f (%d samples) %d ms after the fault was cleared%n", recovery.getMetric(),
          recovery.getCurrentRate(), recovery.getCurrentSamples(), Duration.between(recoveredAt, recovery.getRaisedAt()).toMillis());
      assertThat(recovery.getRaisedAt()).isAfter(recoveredAt);

      SendCommand backFirst = await().atMost(LONG_REACTION).until(() -> firstRoutes(commands, recoveredAt).stream()
          .filter(command -> command.getRoutes().get(0).getProvider().equals("twilio")
              && !command.getRoutes().get(0).getRoutingReason().equals("exploration")).findFirst(), Optional::isPresent)
          .orElseThrow();
      System.out.printf("twilio first again (%s) %d ms after the fault was cleared%n", backFirst.getRoutes().get(0).getRoutingReason(),
          Duration.between(recoveredAt, backFirst.getIssuedAt()).toMillis());
      // Going first by score or table, and nowhere marked demoted, means it was promoted; whether it then
      // stays first is a matter of scores within the margin, proven with the mock clock, not here.
      assertThat(backFirst.getRoutes()).extracting(route -> route.getRoutingReason()).doesNotContain("demotion", "exploration");
      System.out.printf("%d verifications started, %d answered late (504)%n", STARTED.get(), REPLY_TIMEOUTS.get());
      assertThat(TRAFFIC_ERROR.get()).isNull();
    }
  }

  // ---- helpers ----

  /** Starts one Dutch verification every {@link #PACE}, each to a new number; the simulated users enter the codes. */
  private static void startTraffic() {
    traffic = Executors.newSingleThreadScheduledExecutor();
    traffic.scheduleAtFixedRate(() -> {
      String number = "+316200" + String.format("%05d", STARTED.incrementAndGet());
      // Sent without waiting for the answer: a slow reply must not slow the pace.
      HTTP.sendAsync(startRequest(number), HttpResponse.BodyHandlers.ofString()).whenComplete((started, error) -> {
        if (error != null) {
          TRAFFIC_ERROR.compareAndSet(null, number + ": " + error);
        } else if (started.statusCode() == 504) {
          // The API took the request but the reply came late (a loaded machine): the start still happens.
          REPLY_TIMEOUTS.incrementAndGet();
        } else if (started.statusCode() != 201) {
          TRAFFIC_ERROR.compareAndSet(null, number + ": " + started.statusCode() + " " + started.body());
        }
      });
    }, 0, PACE.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Twilio first, and not as exploration: the table's order (or the scores', within the margin). */
  private static final Predicate<SendCommand> TWILIO_FIRST_IN_TABLE_ORDER = command ->
      command.getRoutes().get(0).getProvider().equals("twilio")
          && !command.getRoutes().get(0).getRoutingReason().equals("exploration");

  /** The first sends of the {@code count} Dutch verifications issued last, or fewer if fewer were issued. */
  private static List<SendCommand> lastFirstRoutes(Tail<SendCommand> commands, int count) {
    List<SendCommand> all = firstRoutes(commands, Instant.EPOCH).stream()
        .sorted(Comparator.comparing(SendCommand::getIssuedAt)).toList();
    return all.subList(Math.max(0, all.size() - count), all.size());
  }

  /** The first send of each Dutch verification issued at or after {@code since}, in the order read. */
  private static List<SendCommand> firstRoutes(Tail<SendCommand> commands, Instant since) {
    return commands.records().stream()
        .filter(command -> command.getAttempt() == 1 && COUNTRY.equals(command.getCountry())
            && !command.getIssuedAt().isBefore(since))
        .toList();
  }

  private static String routeOf(ProviderAlert alert) {
    return alert.getProvider() + "|" + alert.getCountry() + "|" + alert.getChannel();
  }

  private static Optional<ProviderScore> latest(Tail<ProviderScore> scores, String route) {
    Map<String, ProviderScore> latest = new LinkedHashMap<>();
    for (ConsumerRecord<String, ProviderScore> record : scores.consumerRecords()) {
      latest.put(record.key(), record.value());
    }
    return Optional.ofNullable(latest.get(route));
  }

  /** Reads a topic from its start and keeps every committed record read so far. */
  private static final class Tail<V> implements AutoCloseable {

    private final KafkaConsumer<String, V> consumer;
    private final List<ConsumerRecord<String, V>> read = new ArrayList<>();

    Tail(String topic, Deserializer<V> values) {
      Properties props = new Properties();
      props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      consumer = new KafkaConsumer<>(props, new StringDeserializer(), values);
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
    }

    /** Everything up to the topic's end as of this call. */
    synchronized List<ConsumerRecord<String, V>> consumerRecords() {
      Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      do {
        consumer.poll(Duration.ofMillis(100)).forEach(read::add);
      } while (end.entrySet().stream().anyMatch(partition -> consumer.position(partition.getKey()) < partition.getValue())
          && System.nanoTime() < deadline);
      return read;
    }

    List<V> records() {
      return consumerRecords().stream().map(ConsumerRecord::value).toList();
    }

    @Override
    public void close() {
      consumer.close();
    }
  }

  private static HttpRequest startRequest(String number) {
    return HttpRequest.newBuilder(URI.create(stack.apiUrl() + "/v1/verifications")).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + stack.apiKey())
        .POST(HttpRequest.BodyPublishers.ofString("{\"to\": \"" + number + "\"}")).build();
  }

  private static HttpResponse<String> put(String url, String body) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> delete(String url) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).DELETE().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
