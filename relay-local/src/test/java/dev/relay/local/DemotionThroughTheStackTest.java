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
 * twilio (first in the table) and vonage; twilio starts silently dropping half of them; new
 * verifications go to vonage first within the short window's length, a DROP for twilio x NL is on
 * provider-alerts; once the fault is cleared, the exploration sends that still go first to twilio
 * show its recovery, a RECOVERY follows, twilio is promoted back and goes first again, and for good
 * once the fault's sends have left its window.
 *
 * <p>Only the mechanism is checked here, each step within a bound derived from the configured windows
 * (never from timings seen in earlier runs): a demotion happens, exploration keeps a share of sends on
 * the demoted route, a recovery happens and the route goes first again. How fast and how often (the
 * hysteresis, the sharp-drop rule, the exploration share, promotion past the higher threshold) is
 * proven deterministically with a mock clock: {@code DemotionTopologyTest}, {@code RoutePlannerTest}.
 *
 * <p>The windows are seconds instead of an hour and minutes, with the prior and the alerts' sample
 * minimum scaled down to match, so the whole cycle fits in about a minute. In the simulated
 * world every delivered code is entered, so a healthy route scores about 0.95 (a real one, with some
 * users walking away, about 0.8) and a route losing half its messages about 0.6: the thresholds are
 * raised to match. The demotion itself comes from the sharp drop of twilio's delivery rate against
 * its own baseline (the DROP alert's rule), within about half the short window; the score alone
 * would cross demote-below only once the fault filled most of it.
 */
@Tag("integration")
class DemotionThroughTheStackTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Topics TOPICS = Topics.defaults();
  private static final String COUNTRY = "NL";
  private static final String TWILIO_NL = "twilio|NL|SMS";
  private static final Duration SHORT_WINDOW = Duration.ofSeconds(10);
  private static final Duration WINDOW = Duration.ofSeconds(30);
  /**
   * How long a verification's facts take to reach a score at most: its delivery window (2 s, below), the
   * scores' emit interval and commit interval (250 ms, 100 ms) and a replica of slack for a busy machine.
   */
  private static final Duration PIPELINE = Duration.ofSeconds(5);
  /**
   * Bound on a reaction to a change of a route's health: the short window must fill with the new
   * behaviour (the drop rule and the recovery judge it), the long window must forget the old one for
   * a promotion, plus the pipeline. Generous by construction; the exact timing is the topology tests'.
   */
  private static final Duration REACTION = WINDOW.plus(SHORT_WINDOW).plus(PIPELINE);
  /** One verification started this often: 2 a second, which a loaded 2-core machine still keeps up with. */
  private static final Duration PACE = Duration.ofMillis(500);

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
            "relay.verification.delivery-window", "2s",
            "relay.routing.sms", "NL:twilio,vonage;*:twilio,vonage",
            // 40 % of the sends still go first to a demoted route: its recovery shows within seconds, and
            // exploration alone brings it 0.8 tries a second, more than the 20 it needs in one window to be judged.
            "relay.routing.exploration-share", "0.4",
            // A promoted route's score is about promote-above (0.8) while a healthy one here scores up to
            // 0.95: with a margin under that gap, the promoted route would stay behind by score, get no
            // more traffic and so no new evidence. Within 0.15 the table's order stands.
            "relay.routing.score-margin", "0.15"),
        ScoringService.NAME, Map.ofEntries(
            Map.entry("relay.scoring.window", WINDOW.toString()),
            Map.entry("relay.scoring.window-advance", "1s"),
            Map.entry("relay.scoring.short-window", SHORT_WINDOW.toString()),
            Map.entry("relay.scoring.match-horizon", WINDOW.toString()),
            Map.entry("relay.scoring.emit-interval", "250ms"),
            Map.entry("relay.streams.commit-interval", "100ms"),
            Map.entry("relay.scoring.prior-samples", "5"),
            Map.entry("relay.scoring.demote-below", "0.7"),
            Map.entry("relay.scoring.promote-above", "0.8"),
            // Scaled down like the prior: a demoted twilio gets 0.8 exploration tries a second, about 24
            // in a 30 s window, and a count under 20 (one window in seven by chance) kept it demoted.
            Map.entry("relay.scoring.demotion-min-samples", "10"),
            // Promotion rests on the route's own first sends in the 10 s short window (about a dozen here): at
            // 0.95 their posterior's lower bound needs some 28 clean ones to reach vonage's rate less 10 points.
            Map.entry("relay.scoring.promotion-confidence", "0.6"),
            Map.entry("relay.scoring.alert-min-samples", "8")),
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
  void aRouteDroppingHalfItsMessagesIsDemotedAlertedExploredAndPromotedBack() throws Exception {
    try (Tail<SendCommand> commands = new Tail<>(TOPICS.sendCommands.name(), TOPICS.sendCommands.valueSerde().deserializer());
        Tail<ProviderScore> scores = new Tail<>(TOPICS.providerScores.name(), TOPICS.providerScores.valueSerde().deserializer());
        Tail<ProviderAlert> alerts = new Tail<>(TOPICS.providerAlerts.name(), TOPICS.providerAlerts.valueSerde().deserializer())) {
      startTraffic();

      // Healthy: twilio, first in the table, takes the traffic and earns a score.
      await().atMost(REACTION).until(() -> latest(scores, TWILIO_NL)
          .filter(score -> score.getTried() >= 20 && score.getShortWindow().getTried() >= 10 && !score.getDemoted()
              && score.getScore() >= 0.75).isPresent());
      ProviderScore healthy = latest(scores, TWILIO_NL).orElseThrow();
      System.out.printf("healthy twilio x NL: score %.3f over %d tries, %d started%n", healthy.getScore(), healthy.getTried(), STARTED.get());
      assertThat(firstRoutes(commands, Instant.EPOCH)).extracting(command -> command.getRoutes().get(0).getProvider())
          .containsOnly("twilio");

      // Twilio starts silently dropping half of the Dutch messages.
      Instant faultAt = Instant.now();
      assertThat(put(stack.simUrl() + "/sim/providers/twilio/countries/NL", "{\"silentDropRate\": 0.5}").statusCode())
          .isEqualTo(200);

      SendCommand rerouted = await().atMost(REACTION).until(() -> firstRoutes(commands, faultAt).stream()
          .filter(command -> command.getRoutes().get(0).getProvider().equals("vonage")).findFirst(), Optional::isPresent)
          .orElseThrow();
      Duration reaction = Duration.between(faultAt, rerouted.getIssuedAt());
      System.out.printf("vonage first %d ms after twilio started dropping (short window %s)%n", reaction.toMillis(), SHORT_WINDOW);
      assertThat(rerouted.getRoutes()).extracting(route -> route.getProvider() + ":" + route.getRoutingReason())
          .endsWith("twilio:demotion");

      ProviderAlert drop = await().atMost(REACTION).until(() -> alerts.records().stream()
          .filter(alert -> alert.getKind() == AlertKind.DROP && (alert.getProvider() + "|" + alert.getCountry() + "|"
              + alert.getChannel()).equals(TWILIO_NL)).findFirst(), Optional::isPresent).orElseThrow();
      System.out.printf("DROP %s: %.2f -> %.2f (%d samples), %d ms after the fault%n", drop.getMetric(), drop.getBaselineRate(),
          drop.getCurrentRate(), drop.getCurrentSamples(), Duration.between(faultAt, drop.getRaisedAt()).toMillis());
      assertThat(alerts.records()).noneMatch(alert -> alert.getKind() == AlertKind.DROP
          && (alert.getProvider() + "|" + alert.getCountry()).equals("vonage|NL"));

      // While demoted, twilio goes first only as exploration (the share itself: RoutePlannerTest).
      assertThat(latest(scores, TWILIO_NL).orElseThrow().getDemoted()).isTrue();
      await().atMost(PACE.multipliedBy(25).plus(PIPELINE)).until(() -> firstRoutes(commands, rerouted.getIssuedAt()).size() >= 25);
      assertThat(firstRoutes(commands, rerouted.getIssuedAt()))
          .filteredOn(command -> command.getRoutes().get(0).getProvider().equals("twilio"))
          .extracting(command -> command.getRoutes().get(0).getRoutingReason()).containsOnly("exploration");

      // Twilio recovers; the exploration sends see it.
      Instant recoveredAt = Instant.now();
      assertThat(delete(stack.simUrl() + "/sim/providers/twilio/countries/NL").statusCode()).isLessThan(300);

      ProviderAlert recovery = await().atMost(REACTION).until(() -> alerts.records().stream()
          .filter(alert -> alert.getKind() == AlertKind.RECOVERY && alert.getAlertId().equals(drop.getAlertId())).findFirst(),
          Optional::isPresent).orElseThrow();
      System.out.printf("RECOVERY %s %d ms after the fault was cleared%n", recovery.getMetric(),
          Duration.between(recoveredAt, recovery.getRaisedAt()).toMillis());

      SendCommand backFirst = await().atMost(REACTION.multipliedBy(2)).until(() -> firstRoutes(commands, recoveredAt).stream()
          .filter(command -> command.getRoutes().get(0).getProvider().equals("twilio")
              && !command.getRoutes().get(0).getRoutingReason().equals("exploration")).findFirst(), Optional::isPresent)
          .orElseThrow();
      System.out.printf("twilio first again (%s) %d ms after the fault was cleared%n", backFirst.getRoutes().get(0).getRoutingReason(),
          Duration.between(recoveredAt, backFirst.getIssuedAt()).toMillis());
      assertThat(firstRoutes(commands, recoveredAt)).filteredOn(command -> command.getIssuedAt().isBefore(backFirst.getIssuedAt()))
          .anyMatch(command -> command.getRoutes().get(0).getRoutingReason().equals("exploration"));
      // Going first by score or table means it was promoted; whether it then stays first is a matter of
      // scores within the margin, proven with the mock clock, not by chance here.
      assertThat(backFirst.getRoutes()).extracting(route -> route.getRoutingReason()).doesNotContain("demotion");
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

  /** The first send of each Dutch verification issued at or after {@code since}, in the order read. */
  private static List<SendCommand> firstRoutes(Tail<SendCommand> commands, Instant since) {
    return commands.records().stream()
        .filter(command -> command.getAttempt() == 1 && COUNTRY.equals(command.getCountry())
            && !command.getIssuedAt().isBefore(since))
        .toList();
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
