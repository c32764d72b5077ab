package dev.relay.bench.study;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.relay.api.VerificationApiService;
import dev.relay.api.config.ApiConfig;
import dev.relay.bench.CommandLineFlags;
import dev.relay.bench.study.StudyMetrics.Figures;
import dev.relay.bench.study.StudyMetrics.Played;
import dev.relay.dispatcher.DispatcherService;
import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.kafka.embedded.FreePorts;
import dev.relay.local.LocalStack.LocalStackSettings;
import dev.relay.local.LocalStack;
import dev.relay.schemas.topics.Durations;
import dev.relay.scoring.ScoringService;
import dev.relay.scoring.config.ScoringConfig;
import dev.relay.support.facts.RouteFactKeys;
import dev.relay.sim.SimService;
import dev.relay.sim.config.SimConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The routing degradation study, in one run: for each routing mode, a fresh local stack (broker,
 * every service, the simulator) with time-scaled settings; people verify in five countries at a
 * fixed rate while, after a healthy phase, one provider degrades in each country (one scenario per
 * country) and then recovers; in the modes named by {@code --demand-modes}, the people then stop
 * entering codes in every country for a while (a demand-side drop). After them, the production
 * defaults: for each of {@code --prod-modes}, a stack with the shipped window lengths, 8 German
 * verifications a second by people of realistic patience, and twilio silently dropping half of
 * Germany's messages for three minutes. Writes the figures as JSON, Markdown tables (into the study
 * document between its markers) and SVGs of the time-scaled runs over time.
 *
 * <pre>./routing-study.sh [--rate-per-country=3] [--healthy=45s] [--fault=60s] [--after=60s] [--demand-drop=60s]
 *     [--demand-tail=10s] [--demand-modes=c] [--warmup=15s] [--modes=a,b,c] [--prod-modes=c,a] [--prod-rate=8]
 *     [--prod-healthy=330s] [--prod-fault=180s] [--prod-static-healthy=20s] [--prod-static-fault=60s] [--prod-after=0s]
 *     [--prod-bucket=20s] [--out=docs]</pre>
 */
public final class RoutingStudy {

  static final String RESULTS_BEGIN = "<!-- study:results:begin -->";
  static final String RESULTS_END = "<!-- study:results:end -->";

  /**
   * The time scaling: what the time-scaled runs use instead of the production defaults (see
   * docs/routing-study.md). The delivery window and the people are five times faster than life; the
   * long scoring window holds as many tries per route at the study's rate as the default hour holds
   * on a route that sends about once a minute, the short one 30, enough for the default 20 sends a
   * sharp-drop alert (and demotion) needs on each side, as the default 5 minutes hold on a route
   * that sends 6 a minute.
   */
  static final Duration DELIVERY_WINDOW = Duration.ofSeconds(6);
  /** The dispatcher's shipped delivery window, what the production-defaults runs use. */
  static final Duration PRODUCTION_DELIVERY_WINDOW = Durations.parse(DispatcherConfig.DELIVERY_WINDOW.defaultValue());
  /**
   * Load relief, not scaling, in every run: fewer exactly-once transactions on a shared 2-core machine;
   * 100 ms is nothing against a 6 s (or 30 s) delivery window.
   */
  static final Map<String, String> LOAD_RELIEF_DISPATCHER = Map.of(DispatcherConfig.COMMIT_INTERVAL.name(), "100ms");
  /**
   * The dispatcher's time-scaled settings: the delivery window, and the earliest failover on an overdue
   * receipt scaled with it (5 s of a 30 s window, 1 s of 6 s). Left at 5 s (until 2026-12-04), that
   * failover came next to the 6 s window's end, after a sixth of the time-scaled people (patience 4-16 s)
   * had given up; at the shipped 5 s, 90 % of the realistic people wait 10 s or more.
   */
  static final Map<String, String> SCALED_DISPATCHER = Map.of(
      DispatcherConfig.DELIVERY_WINDOW.name(), DELIVERY_WINDOW.toSeconds() + "s",
      DispatcherConfig.OVERDUE_RECEIPT_FLOOR.name(), "1s",
      DispatcherConfig.COMMIT_INTERVAL.name(), "100ms",
      // The dispatcher tells scoring's facts and remembers what it told of each verification this long.
      RouteFactKeys.MATCH_HORIZON.name(), "120s");
  static final Map<String, String> SCALED_SCORING = Map.of(
      ScoringConfig.WINDOW.name(), "60s",
      ScoringConfig.WINDOW_ADVANCE.name(), "5s",
      ScoringConfig.SHORT_WINDOW.name(), "30s",
      ScoringConfig.EMIT_INTERVAL.name(), "2s",
      // The time-scaled people's delivery and typing (about 1 s and 2-6 s), as 30 s covers life's.
      ScoringConfig.COMPLETION_SETTLE.name(), "8s");
  /**
   * Load relief in every run: a start answered late is still a start the person waits on, so the API
   * waits longer than its 5 s default for the reply (a slow start counts against the person's patience
   * instead of being a 504).
   */
  static final Map<String, String> SCALED_API = Map.of(ApiConfig.REPLY_TIMEOUT.name(), "20s");
  /** Warm-up at the start of the healthy phase left out of its figures (JIT, first scores). */
  static final Duration WARM_UP = Duration.ofSeconds(10);
  /** The end of the after phase over which the first-try share shows whether a route came back. */
  static final Duration LATE = Duration.ofSeconds(20);
  /** The end of a production-defaults fault over which issue 16 asks for 98 % of healthy completion. */
  static final Duration LAST_MINUTE = Duration.ofMinutes(1);

  /**
   * One stack's run: a routing mode, at the time-scaled settings or at the production defaults, over
   * some scenarios' countries, with its phases and its people.
   */
  record Run(String key, RoutingMode mode, boolean production, List<Scenario> scenarios, int perCountry,
      Duration healthy, Duration fault, Duration after, Duration demandDrop, Duration demandTail, Duration bucket,
      People people, Tuning tuning) {

    Duration deliveryWindow() {
      return production ? PRODUCTION_DELIVERY_WINDOW : DELIVERY_WINDOW;
    }

    Duration untilAfterEnd() {
      return healthy.plus(fault).plus(after);
    }

    Duration traffic() {
      return untilAfterEnd().plus(demandDrop).plus(demandTail);
    }

    String label() {
      return (production ? "production defaults" : "time-scaled") + ", (" + mode.letter + ") " + mode.label;
    }

    Map<String, Map<String, String>> overrides(long seed) {
      Map<String, Map<String, String>> overrides = new HashMap<>();
      Map<String, String> dispatcher = new HashMap<>(production ? LOAD_RELIEF_DISPATCHER : SCALED_DISPATCHER);
      dispatcher.putAll(mode.dispatcherSettings());
      dispatcher.putAll(tuning.dispatcher());
      overrides.put(DispatcherService.NAME, dispatcher);
      Map<String, String> scoring = new HashMap<>(production ? Map.of() : SCALED_SCORING);
      scoring.putAll(tuning.scoring());
      overrides.put(ScoringService.NAME, scoring);
      overrides.put(VerificationApiService.NAME, SCALED_API);
      overrides.put(SimService.NAME, Map.of(SimConfig.RANDOM_SEED.name(), Long.toString(seed)));
      return overrides;
    }
  }

  /**
   * Settings of the dispatcher and scoring that differ from the shipped ones in every run of a study
   * ({@code --dispatcher-settings}, {@code --scoring-settings}): how a threshold is calibrated, by
   * running the same scenarios with another value. Applied after the time scaling and the mode's own.
   */
  record Tuning(Map<String, String> dispatcher, Map<String, String> scoring) {

    Tuning {
      dispatcher = Map.copyOf(dispatcher);
      scoring = Map.copyOf(scoring);
    }
  }

  private RoutingStudy() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> flags = CommandLineFlags.parse(args);
    int perCountry = Integer.parseInt(flags.getOrDefault("rate-per-country", "3"));
    Duration healthy = Durations.parse(flags.getOrDefault("healthy", "45s"));
    Duration fault = Durations.parse(flags.getOrDefault("fault", "60s"));
    Duration after = Durations.parse(flags.getOrDefault("after", "60s"));
    Duration demandDrop = Durations.parse(flags.getOrDefault("demand-drop", "60s"));
    Duration demandTail = Durations.parse(flags.getOrDefault("demand-tail", "10s"));
    Duration bucket = Durations.parse(flags.getOrDefault("bucket", "10s"));
    int prodRate = Integer.parseInt(flags.getOrDefault("prod-rate", "8"));
    // Longer than the 5 min short window, as in a deployment that has run a while: the sharp-drop rule
    // compares the short window with the long window without it, which is empty before then.
    Duration prodHealthy = Durations.parse(flags.getOrDefault("prod-healthy", "330s"));
    Duration prodFault = Durations.parse(flags.getOrDefault("prod-fault", "180s"));
    // The static list routes the same whatever came before and whenever in the fault: a short run shows it.
    Duration prodStaticHealthy = Durations.parse(flags.getOrDefault("prod-static-healthy", "20s"));
    Duration prodStaticFault = Durations.parse(flags.getOrDefault("prod-static-fault", "60s"));
    Duration prodAfter = Durations.parse(flags.getOrDefault("prod-after", "0s"));
    Duration prodBucket = Durations.parse(flags.getOrDefault("prod-bucket", "20s"));
    long seed = Long.parseLong(flags.getOrDefault("seed", "7"));
    Path out = Path.of(flags.getOrDefault("out", "docs"));
    Path doc = Path.of(flags.getOrDefault("doc", out.resolve("routing-study.md").toString()));
    List<RoutingMode> modes = modes(flags.getOrDefault("modes", "a,b,c"), "--modes");
    List<RoutingMode> demandModes = modes(flags.getOrDefault("demand-modes", "c"), "--demand-modes");
    List<RoutingMode> prodModes = modes(flags.getOrDefault("prod-modes", "c,a"), "--prod-modes");
    Tuning tuning = new Tuning(CommandLineFlags.settings(flags, "dispatcher-settings"),
        CommandLineFlags.settings(flags, "scoring-settings"));
    Files.createDirectories(out);

    List<Run> plan = new ArrayList<>();
    for (RoutingMode mode : modes) {
      boolean demand = demandModes.contains(mode);
      plan.add(new Run(mode.name().toLowerCase(Locale.ROOT), mode, false, List.of(Scenario.values()), perCountry, healthy,
          fault, after, demand ? demandDrop : Duration.ZERO, demand ? demandTail : Duration.ZERO, bucket, People.TIME_SCALED, tuning));
    }
    for (RoutingMode mode : prodModes) {
      plan.add(new Run("production-" + mode.name().toLowerCase(Locale.ROOT), mode, true, List.of(Scenario.DROP_HALF),
          prodRate, mode.scored ? prodHealthy : prodStaticHealthy, mode.scored ? prodFault : prodStaticFault, prodAfter,
          Duration.ZERO, Duration.ZERO,
          prodBucket, People.REALISTIC, tuning));
    }

    Map<String, Object> report = new LinkedHashMap<>();
    report.put("when", Instant.now().toString());
    report.put("machine", machine());
    report.put("command", ("./routing-study.sh " + String.join(" ", args)).trim());
    report.put("ratePerCountry", perCountry);
    report.put("phases", Map.of("healthySeconds", healthy.toSeconds(), "faultSeconds", fault.toSeconds(),
        "afterSeconds", after.toSeconds(), "demandDropSeconds", demandDrop.toSeconds(),
        "demandTailSeconds", demandTail.toSeconds()));
    report.put("scaledDispatcher", SCALED_DISPATCHER);
    report.put("scaledScoring", SCALED_SCORING);
    report.put("scaledApi", SCALED_API);
    report.put("tuning", Map.of("dispatcher", tuning.dispatcher(), "scoring", tuning.scoring()));
    report.put("productionOverrides", Map.of("dispatcher", LOAD_RELIEF_DISPATCHER, "api", SCALED_API,
        "why", "load relief only: commit interval and reply timeout; every window, threshold and the delivery window as shipped"));
    report.put("people", Map.of("timeScaled", People.TIME_SCALED.label(), "production", People.REALISTIC.label(), "seed", seed));
    Map<String, Object> runs = new LinkedHashMap<>();
    report.put("runs", runs);
    Map<Scenario, Map<RoutingMode, double[]>> series = new EnumMap<>(Scenario.class);
    Map<Scenario, Map<RoutingMode, double[]>> routed = new EnumMap<>(Scenario.class);
    long began = System.nanoTime();
    Duration warmUp = Durations.parse(flags.getOrDefault("warmup", "15s"));
    if (!warmUp.isZero()) {
      // The first stack in a fresh JVM runs interpreted code for a while; without this, the first mode
      // alone would pay for it.
      System.out.println("== warm-up, figures discarded");
      warmUp(perCountry, warmUp, seed);
    }
    for (Run run : plan) {
      System.out.printf(Locale.ROOT, "== %s (%.1f min into the study)%n", run.label(), (System.nanoTime() - began) / 60e9);
      runs.put(run.key(), runOne(run, seed, series, routed));
      report.put("studyMinutes", (System.nanoTime() - began) / 60e9);
      write(out, report, series, routed, modes, bucket, healthy, fault);
      // Each run's figures reach the document at once: a study stopped later still leaves what it measured.
      publish(doc, out, markdown(report, plan));
    }
    report.put("studyMinutes", (System.nanoTime() - began) / 60e9);
    write(out, report, series, routed, modes, bucket, healthy, fault);
    String table = markdown(report, plan);
    System.out.println(table);
    publish(doc, out, table);
    System.exit(0);
  }

  private static List<RoutingMode> modes(String letters, String flag) {
    if (letters.isBlank()) {
      return List.of();
    }
    return Stream.of(letters.split(","))
        .map(letter -> Stream.of(RoutingMode.values()).filter(m -> m.letter.equals(letter.trim())).findFirst()
            .orElseThrow(() -> new IllegalArgumentException(flag + " takes a, b and c, not " + letter)))
        .toList();
  }

  private static void warmUp(int perCountry, Duration duration, long seed) throws Exception {
    Path dataDir = Files.createTempDirectory("relay-study-warmup");
    LocalStack stack = new LocalStack(new LocalStackSettings(dataDir, FreePorts.pick(), FreePorts.pick(), FreePorts.pick(),
        FreePorts.pick(), FreePorts.pick(), FreePorts.pick()), Map.of());
    try {
      stack.start();
      awaitReady(stack);
      List<Scenario> everywhere = List.of(Scenario.values());
      new StudyWorld(stack.simUrl(), everywhere).healthy();
      StudyUsers users = new StudyUsers(stack.apiUrl(), stack.simUrl(), stack.apiKey(), People.TIME_SCALED, seed);
      users.offer(everywhere, perCountry, duration);
      users.awaitAll(Duration.ofSeconds(30));
      users.close();
    } finally {
      stack.close();
      deleteQuietly(dataDir);
    }
  }

  private static void awaitReady(LocalStack stack) throws InterruptedException {
    long giveUp = System.nanoTime() + Duration.ofSeconds(240).toNanos();
    while (!stack.isReady()) {
      if (System.nanoTime() > giveUp) {
        throw new IllegalStateException("the stack was not ready within 240 s");
      }
      Thread.sleep(200);
    }
  }

  private static Map<String, Object> runOne(Run run, long seed, Map<Scenario, Map<RoutingMode, double[]>> series,
      Map<Scenario, Map<RoutingMode, double[]>> routed) throws Exception {
    Path dataDir = Files.createTempDirectory("relay-study");
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("label", run.label());
    result.put("mode", run.mode().letter);
    result.put("production", run.production());
    result.put("countries", run.scenarios().stream().map(s -> s.country).toList());
    result.put("perCountry", run.perCountry());
    result.put("phases", Map.of("healthySeconds", run.healthy().toSeconds(), "faultSeconds", run.fault().toSeconds(),
        "afterSeconds", run.after().toSeconds(), "demandDropSeconds", run.demandDrop().toSeconds(),
        "demandTailSeconds", run.demandTail().toSeconds(), "bucketSeconds", run.bucket().toSeconds()));
    result.put("people", run.people().label());
    result.put("overrides", run.overrides(seed));
    long boot = System.nanoTime();
    LocalStack stack = new LocalStack(new LocalStackSettings(dataDir, FreePorts.pick(), FreePorts.pick(), FreePorts.pick(),
        FreePorts.pick(), FreePorts.pick(), FreePorts.pick()), run.overrides(seed));
    try {
      stack.start();
      awaitReady(stack);
      result.put("readySeconds", (System.nanoTime() - boot) / 1e9);
      result.put("loadAverageBefore", loadAverage());
      StudyWorld world = new StudyWorld(stack.simUrl(), run.scenarios());
      world.healthy();
      StudyUsers users = new StudyUsers(stack.apiUrl(), stack.simUrl(), stack.apiKey(), run.people(), seed);
      Instant begin = Instant.now();
      Instant afterEnd = begin.plus(run.untilAfterEnd());
      Instant demandEnd = afterEnd.plus(run.demandDrop());
      Instant trafficEnd = begin.plus(run.traffic());
      if (!run.demandDrop().isZero()) {
        users.stopEnteringCodes(afterEnd, demandEnd);
      }
      Thread driver = new Thread(() -> users.offer(run.scenarios(), run.perCountry(), run.traffic()), "study-driver");
      driver.start();
      sleepUntil(begin.plus(run.healthy()));
      world.degrade();
      System.out.println("   degraded at " + Duration.between(begin, Instant.now()).toMillis() / 1000.0 + " s");
      sleepUntil(begin.plus(run.healthy()).plus(run.fault()));
      world.recover();
      System.out.println("   recovered at " + Duration.between(begin, Instant.now()).toMillis() / 1000.0 + " s");
      if (!run.demandDrop().isZero()) {
        sleepUntil(afterEnd);
        System.out.println("   people stop entering codes at " + Duration.between(begin, Instant.now()).toMillis() / 1000.0 + " s");
      }
      driver.join();
      boolean settled = users.awaitAll(run.people().longest().plus(run.deliveryWindow()).plusSeconds(10));
      users.close();
      // Failovers of people who gave up still go out up to a delivery window after the last start (two routes).
      sleepUntil(trafficEnd.plus(run.deliveryWindow().multipliedBy(2)));
      Instant readAt = Instant.now();
      result.put("loadAverageAfter", loadAverage());
      Map<String, List<SendTries.Try>> tries = SendTries.read(stack.bootstrapServers());
      Map<String, String> reasons = SendTries.firstRoutingReasons(stack.bootstrapServers());
      List<SendTries.Mark> marks = SendTries.marks(stack.bootstrapServers());
      List<SendTries.Alert> alerts = SendTries.alerts(stack.bootstrapServers());
      List<Played> played = new ArrayList<>();
      List<RouteTimeline.FirstSend> firstSends = new ArrayList<>();
      Map<String, Long> fates = new LinkedHashMap<>();
      for (StudyUsers.Verification v : users.verifications()) {
        fates.merge(v.fate.name().toLowerCase(Locale.ROOT), 1L, Long::sum);
        List<SendTries.Try> its = v.id == null ? List.of() : tries.getOrDefault(v.id, List.of());
        played.add(new Played(v.scenario, v.startedAt, v.fate == StudyUsers.Fate.APPROVED ? v.approvedAt : null, its));
        if (!its.isEmpty()) {
          firstSends.add(new RouteTimeline.FirstSend(v.scenario, v.startedAt, its.get(0).provider(),
              reasons.getOrDefault(v.id, "unknown")));
        }
      }
      result.put("allSettled", settled);
      result.put("fates", fates);
      result.put("startFailuresByStatus", users.startFailures());
      result.put("resendsByStatus", users.resends());
      Instant faultStart = world.faultStart();
      Instant faultEnd = world.faultEnd();
      Phases phases = new Phases(begin, faultStart, faultEnd, afterEnd, demandEnd, trafficEnd);
      int buckets = (int) (run.traffic().toMillis() / run.bucket().toMillis());
      int plotted = (int) (run.untilAfterEnd().toMillis() / run.bucket().toMillis());
      Map<String, Object> scenarios = new LinkedHashMap<>();
      for (Scenario scenario : run.scenarios()) {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("healthy", StudyMetrics.figures(scenario, played, begin.plus(WARM_UP), faultStart, world::priceAt));
        figures.put("fault", StudyMetrics.figures(scenario, played, faultStart, faultEnd, world::priceAt));
        if (!run.after().isZero()) {
          figures.put("after", StudyMetrics.figures(scenario, played, faultEnd, afterEnd, world::priceAt));
          figures.put("afterLate", StudyMetrics.figures(scenario, played, afterEnd.minus(LATE), afterEnd, world::priceAt));
        }
        if (run.production()) {
          Instant lastMinute = faultEnd.minus(LAST_MINUTE).isBefore(faultStart) ? faultStart : faultEnd.minus(LAST_MINUTE);
          figures.put("faultLastMinute", StudyMetrics.figures(scenario, played, lastMinute, faultEnd, world::priceAt));
          figures.put("faultCompletionByBucket", StudyMetrics.completionOverTime(scenario, played, faultStart, run.bucket(),
              (int) (run.fault().toMillis() / run.bucket().toMillis())));
          figures.put("faultFirstOnDegradedByBucket", StudyMetrics.firstOnDegradedOverTime(scenario, played, faultStart,
              run.bucket(), (int) (run.fault().toMillis() / run.bucket().toMillis())));
        }
        if (!run.demandDrop().isZero()) {
          figures.put("demandDrop", StudyMetrics.figures(scenario, played, afterEnd, demandEnd, world::priceAt));
        }
        figures.put("firstRouteReasonsInFault", reasonCounts(users.verifications(), reasons, scenario, faultStart, faultEnd));
        if (!run.after().isZero()) {
          figures.put("firstRouteReasonsLate", reasonCounts(users.verifications(), reasons, scenario, afterEnd.minus(LATE),
              afterEnd));
        }
        figures.put("timings", timings(run, scenario, marks, firstSends, phases, readAt));
        double[] completion = StudyMetrics.completionOverTime(scenario, played, begin, run.bucket(), buckets);
        figures.put("completionOverTime", completion);
        double[] firstOnDegraded = StudyMetrics.firstOnDegradedOverTime(scenario, played, begin, run.bucket(), buckets);
        figures.put("firstOnDegradedOverTime", firstOnDegraded);
        if (!run.production()) {
          series.computeIfAbsent(scenario, s -> new EnumMap<>(RoutingMode.class))
              .put(run.mode(), java.util.Arrays.copyOf(completion, plotted));
          routed.computeIfAbsent(scenario, s -> new EnumMap<>(RoutingMode.class))
              .put(run.mode(), java.util.Arrays.copyOf(firstOnDegraded, plotted));
        }
        scenarios.put(scenario.name().toLowerCase(Locale.ROOT), figures);
        System.out.printf(Locale.ROOT, "   %s %s: %s %s%n", scenario.country, scenario.name(), figures.get("fault"),
            figures.get("timings"));
      }
      result.put("scenarios", scenarios);
      result.put("demotions", RouteTimeline.demotions(marks, begin, readAt).stream()
          .map(d -> event(d.provider(), d.country(), d.at(), phases, null)).toList());
      result.put("alerts", alerts.stream()
          .map(a -> event(a.provider(), a.country(), a.raisedAt(), phases, a)).toList());
      if (!run.demandDrop().isZero()) {
        result.put("demandDrop", demandDrop(run, marks, alerts, phases, readAt));
      }
      result.put("readAfterSeconds", Duration.between(begin, readAt).toMillis() / 1000.0);
      return result;
    } finally {
      stack.close();
      deleteQuietly(dataDir);
    }
  }

  /** The moments that divide one run into its phases. */
  record Phases(Instant begin, Instant faultStart, Instant faultEnd, Instant afterEnd, Instant demandEnd,
      Instant trafficEnd) {

    String of(Instant at) {
      if (at.isBefore(faultStart)) {
        return "healthy";
      } else if (at.isBefore(faultEnd)) {
        return "fault";
      } else if (at.isBefore(afterEnd)) {
        return "after";
      } else if (at.isBefore(demandEnd)) {
        return "demand drop";
      } else if (at.isBefore(trafficEnd)) {
        return "after the demand drop";
      }
      return "settling (no new starts)";
    }
  }

  private static Map<String, Object> event(String provider, String country, Instant at, Phases phases,
      SendTries.Alert alert) {
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("route", provider + " " + country);
    event.put("secondsIntoRun", RouteTimeline.seconds(phases.begin(), at));
    event.put("phase", phases.of(at));
    if (alert != null) {
      event.put("kind", alert.kind());
      event.put("metric", alert.metric());
      event.put("scope", alert.scope());
      event.put("dropPoints", alert.dropPoints());
    }
    return event;
  }

  /**
   * When the scenario's provider was demoted and came back, and what happened to its peer: times in
   * seconds from the fault's start (demotion, first verification routed away) or from its end
   * (promotion, first again); null when it did not happen.
   */
  private static Map<String, Object> timings(Run run, Scenario scenario, List<SendTries.Mark> marks,
      List<RouteTimeline.FirstSend> firstSends, Phases phases, Instant readAt) {
    Map<String, Object> timings = new LinkedHashMap<>();
    String provider = scenario.provider;
    String country = scenario.country;
    timings.put("demotedInHealthyPhaseAtSeconds", RouteTimeline.seconds(phases.begin(),
        RouteTimeline.firstDemotion(marks, provider, country, phases.begin(), phases.faultStart())));
    // A demotion up to two delivery windows after the fault's end still judges sends of the fault.
    Instant judgedUntil = phases.faultEnd().plus(run.deliveryWindow().multipliedBy(2));
    timings.put("demoteSeconds", RouteTimeline.seconds(phases.faultStart(),
        RouteTimeline.firstDemotion(marks, provider, country, phases.faultStart(), judgedUntil)));
    timings.put("routedAwaySeconds", run.mode().scored ? RouteTimeline.seconds(phases.faultStart(),
        RouteTimeline.firstRoutedAway(firstSends, scenario, phases.faultStart(), phases.faultEnd())) : null);
    timings.put("demotedAtFaultEnd", RouteTimeline.demotedAt(marks, provider, country, phases.faultEnd()));
    // Whether the route still had most first sends at the fault's end: if so, there is no "first again" to time.
    Instant lastBucket = phases.faultEnd().minus(run.bucket());
    timings.put("firstAtFaultEnd", RouteTimeline.firstAgain(firstSends, scenario, lastBucket, phases.faultEnd(), run.bucket())
        != null);
    if (!run.after().isZero()) {
      timings.put("promoteSeconds", RouteTimeline.seconds(phases.faultEnd(),
          RouteTimeline.firstPromotion(marks, provider, country, phases.faultEnd(), phases.afterEnd())));
      timings.put("firstAgainSeconds", RouteTimeline.seconds(phases.faultEnd(),
          RouteTimeline.firstAgain(firstSends, scenario, phases.faultEnd(), phases.afterEnd(), run.bucket())));
    }
    List<Map<String, Object>> peers = new ArrayList<>();
    for (String peer : StudyWorld.PROVIDERS) {
      if (peer.equals(provider)) {
        continue;
      }
      List<Double> demotedAt = RouteTimeline.demotions(marks, phases.begin(), phases.afterEnd()).stream()
          .filter(d -> d.provider().equals(peer) && d.country().equals(country))
          .map(d -> RouteTimeline.seconds(phases.faultStart(), d.at())).toList();
      SendTries.Mark last = marks.stream().filter(m -> m.provider().equals(peer) && m.country().equals(country)
          && m.at().isBefore(phases.faultEnd())).reduce((x, y) -> y).orElse(null);
      Map<String, Object> about = new LinkedHashMap<>();
      about.put("provider", peer);
      about.put("demotionsSecondsFromFaultStart", demotedAt);
      about.put("lastScoreInFault", last == null ? null : last.score());
      about.put("lastFirstCompletionRateInFault", last == null ? null : last.firstCompletionRate());
      about.put("lastFirstSendsInFault", last == null ? null : last.firstSends());
      peers.add(about);
    }
    timings.put("peers", peers);
    SendTries.Mark last = marks.stream().filter(m -> m.provider().equals(provider) && m.country().equals(country)
        && m.at().isBefore(phases.faultEnd())).reduce((x, y) -> y).orElse(null);
    timings.put("lastScoreInFault", last == null ? null : last.score());
    timings.put("lastFirstCompletionRateInFault", last == null ? null : last.firstCompletionRate());
    return timings;
  }

  /** The demand-side drop: which routes it demoted (none should be) and which alerts it raised, up to the end of the run. */
  private static Map<String, Object> demandDrop(Run run, List<SendTries.Mark> marks, List<SendTries.Alert> alerts,
      Phases phases, Instant readAt) {
    Map<String, Object> drop = new LinkedHashMap<>();
    Map<String, Boolean> demotedAtStart = new java.util.TreeMap<>();
    for (Scenario scenario : run.scenarios()) {
      for (String provider : StudyWorld.PROVIDERS) {
        demotedAtStart.put(provider + " " + scenario.country,
            RouteTimeline.demotedAt(marks, provider, scenario.country, phases.afterEnd()));
      }
    }
    drop.put("demotedAtItsStart", demotedAtStart);
    drop.put("demotions", RouteTimeline.demotions(marks, phases.afterEnd(), readAt).stream()
        .map(d -> Map.of("route", d.provider() + " " + d.country(),
            "secondsFromDropStart", RouteTimeline.seconds(phases.afterEnd(), d.at())))
        .toList());
    Map<String, Integer> kinds = new java.util.TreeMap<>();
    alerts.stream().filter(a -> !a.raisedAt().isBefore(phases.afterEnd()) && a.raisedAt().isBefore(readAt))
        .forEach(a -> kinds.merge(a.kind() + " " + a.metric(), 1, Integer::sum));
    drop.put("alertsByKind", kinds);
    drop.put("sharedDropMarks", marks.stream()
        .filter(m -> m.sharedDrop() != null && !m.at().isBefore(phases.afterEnd()) && m.at().isBefore(readAt))
        .map(SendTries.Mark::sharedDrop).distinct().toList());
    drop.put("untilSecondsFromDropStart", RouteTimeline.seconds(phases.afterEnd(), readAt));
    return drop;
  }

  /** How many first sends of a scenario's verifications started in a span went where they went for each reason. */
  private static Map<String, Integer> reasonCounts(List<StudyUsers.Verification> verifications, Map<String, String> reasons,
      Scenario scenario, Instant from, Instant to) {
    Map<String, Integer> counts = new java.util.TreeMap<>();
    for (StudyUsers.Verification v : verifications) {
      if (v.scenario == scenario && v.id != null && !v.startedAt.isBefore(from) && v.startedAt.isBefore(to)) {
        counts.merge(reasons.getOrDefault(v.id, "unknown"), 1, Integer::sum);
      }
    }
    return counts;
  }

  private static void write(Path out, Map<String, Object> report, Map<Scenario, Map<RoutingMode, double[]>> series,
      Map<Scenario, Map<RoutingMode, double[]>> routed, List<RoutingMode> modes, Duration bucket, Duration healthy,
      Duration fault) throws IOException {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    Files.writeString(out.resolve("routing-study.json"), json.writeValueAsString(report));
    if (modes.isEmpty()) {
      return;
    }
    List<RoutingMode> plotted = modes.stream().filter(m -> m != RoutingMode.TABLE).toList();
    Files.writeString(out.resolve("routing-study-completion.svg"), CompletionPlot.svg(series, plotted.isEmpty() ? modes : plotted,
        bucket.toMillis() / 1000.0, healthy.toSeconds(), healthy.plus(fault).toSeconds(),
        "Completion of the verifications started in each " + bucket.toSeconds() + " s, by routing mode (time-scaled)"));
    Files.writeString(out.resolve("routing-study-first-route.svg"), CompletionPlot.svg(routed, plotted.isEmpty() ? modes : plotted,
        bucket.toMillis() / 1000.0, healthy.toSeconds(), healthy.plus(fault).toSeconds(),
        "Share of first sends on the degraded provider, per " + bucket.toSeconds() + " s, by routing mode (time-scaled)"));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> scenarioOf(Map<String, Object> run, Scenario scenario) {
    Map<String, Object> scenarios = (Map<String, Object>) run.get("scenarios");
    return scenarios == null ? null : (Map<String, Object>) scenarios.get(scenario.name().toLowerCase(Locale.ROOT));
  }

  private static String secs(Object value) {
    return value == null ? "never" : String.format(Locale.ROOT, "%.0f s", (Double) value);
  }

  private static String pct(double value) {
    return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%.1f %%", 100 * value);
  }

  /** The results tables; the run's figures come from the report so a JSON file can be rendered again. */
  @SuppressWarnings("unchecked")
  static String markdown(Map<String, Object> report, List<Run> plan) {
    StringBuilder md = new StringBuilder();
    Map<String, Object> runs = (Map<String, Object>) report.get("runs");
    md.append("Produced by `").append(report.get("command")).append("` on ").append(report.get("when")).append(" (")
        .append(report.get("machine")).append(").\n\n");
    List<Run> scaled = plan.stream().filter(r -> !r.production() && runs.containsKey(r.key())).toList();
    List<Run> production = plan.stream().filter(r -> r.production() && runs.containsKey(r.key())).toList();

    if (!scaled.isEmpty()) {
      md.append("**Time-scaled runs**, fault phase (verifications started while the provider was degraded):\n\n");
      md.append("| scenario | mode | started | completion | p95 time to verify (s) | failovers / verification "
          + "| cost / successful verification | first try on the degraded provider | same, last 20 s after recovery "
          + "| why the first route (fault phase) |\n");
      md.append("|---|---|---|---|---|---|---|---|---|---|\n");
      for (Scenario scenario : Scenario.values()) {
        for (Run run : scaled) {
          Map<String, Object> figures = scenarioOf((Map<String, Object>) runs.get(run.key()), scenario);
          if (figures == null) {
            continue;
          }
          Figures f = (Figures) figures.get("fault");
          Figures late = (Figures) figures.get("afterLate");
          Map<String, Integer> reasons = (Map<String, Integer>) figures.getOrDefault("firstRouteReasonsInFault", Map.of());
          md.append(String.format(Locale.ROOT, "| %s %s (%s) | (%s) %s | %d | %s | %.2f | %.2f | %.4f | %.0f %% | %s | %s |%n",
              scenario.country, scenario.provider, scenario.name().toLowerCase(Locale.ROOT).replace('_', ' '),
              run.mode().letter, run.mode().label, f.started(), pct(f.completion()), f.p95TimeToVerify(),
              f.failoversPerVerification(), f.costPerSuccess(), 100 * f.firstOnDegraded(),
              late == null ? "n/a" : String.format(Locale.ROOT, "%.0f %%", 100 * late.firstOnDegraded()),
              reasons.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).reduce((x, y) -> x + ", " + y).orElse("")));
        }
      }
      md.append("\nTime-scaled, mode (c): when the degraded provider was demoted and came back (the fault starts at 0 s; "
          + "promotion and first again count from the recovery; first again: the end of the first 10 s in which it "
          + "had at least half of the first sends, exploration's left out):\n\n");
      md.append("| scenario | demoted (score published demoted) | first verification routed away | demoted at the fault's end "
          + "| promoted after recovery | first again after recovery | peer demoted? | demoted in the healthy phase? |\n");
      md.append("|---|---|---|---|---|---|---|---|\n");
      for (Run run : scaled) {
        if (!run.mode().scored) {
          continue;
        }
        for (Scenario scenario : Scenario.values()) {
          Map<String, Object> figures = scenarioOf((Map<String, Object>) runs.get(run.key()), scenario);
          if (figures == null) {
            continue;
          }
          Map<String, Object> t = (Map<String, Object>) figures.get("timings");
          md.append(String.format(Locale.ROOT, "| %s %s (%s) | %s | %s | %s | %s | %s | %s | %s |%n", scenario.country,
              scenario.provider, scenario.name().toLowerCase(Locale.ROOT).replace('_', ' '), secs(t.get("demoteSeconds")),
              secs(t.get("routedAwaySeconds")), Boolean.TRUE.equals(t.get("demotedAtFaultEnd")) ? "yes" : "no",
              secs(t.get("promoteSeconds")), Boolean.TRUE.equals(t.get("firstAtFaultEnd"))
                  ? "n/a (still first at the fault's end)" : secs(t.get("firstAgainSeconds")), peers(t),
              t.get("demotedInHealthyPhaseAtSeconds") == null ? "no" : "yes, at " + secs(t.get("demotedInHealthyPhaseAtSeconds"))));
        }
      }
      for (Run run : scaled) {
        Map<String, Object> drop = (Map<String, Object>) ((Map<String, Object>) runs.get(run.key())).get("demandDrop");
        if (drop == null) {
          continue;
        }
        md.append(String.format(Locale.ROOT, "%nDemand-side drop, (%s): for %d s after the after phase, nobody in any "
            + "country enters a code (the people get their codes and leave them); read until %s after its start "
            + "(%d s more traffic, then settling).%n%n", run.mode().letter, run.demandDrop().toSeconds(),
            secs(drop.get("untilSecondsFromDropStart")), run.demandTail().toSeconds()));
        md.append("| country | completion in the drop | started |\n|---|---|---|\n");
        for (Scenario scenario : run.scenarios()) {
          Figures f = (Figures) scenarioOf((Map<String, Object>) runs.get(run.key()), scenario).get("demandDrop");
          md.append(String.format(Locale.ROOT, "| %s | %s | %d |%n", scenario.country, pct(f.completion()), f.started()));
        }
        List<Map<String, Object>> demotions = (List<Map<String, Object>>) drop.get("demotions");
        Map<String, Boolean> before = (Map<String, Boolean>) drop.get("demotedAtItsStart");
        md.append("\nRoutes demoted by the drop: ").append(demotions.isEmpty() ? "**none**" : demotions.stream()
            .map(d -> d.get("route") + " at " + secs(d.get("secondsFromDropStart"))).reduce((x, y) -> x + ", " + y).orElse(""))
            .append(". Already demoted at its start: ").append(before.entrySet().stream().filter(Map.Entry::getValue)
                .map(Map.Entry::getKey).reduce((x, y) -> x + ", " + y).orElse("none"))
            .append(". Alerts raised from its start: ").append(((Map<String, Integer>) drop.get("alertsByKind")).entrySet()
                .stream().map(e -> e.getValue() + " " + e.getKey()).reduce((x, y) -> x + ", " + y).orElse("none"))
            .append("; shared-drop marks on scores: ").append(drop.get("sharedDropMarks")).append(".\n");
      }
    }

    if (!production.isEmpty()) {
      md.append("\n**Production defaults** (shipped windows and thresholds, 30 s delivery window; ")
          .append(People.REALISTIC.label()).append("), DE only, twilio silently drops half of DE's messages for the fault:\n\n");
      md.append("| run | per second | healthy completion | fault completion (of healthy) | last minute of the fault (of healthy) "
          + "| completion per 20 s of the fault | p95 time to verify (s) | failovers / verification | cost / success "
          + "| first try on twilio | twilio demoted | first routed away | vonage |\n");
      md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
      for (Run run : production) {
        Map<String, Object> figures = scenarioOf((Map<String, Object>) runs.get(run.key()), Scenario.DROP_HALF);
        if (figures == null) {
          continue;
        }
        Figures h = (Figures) figures.get("healthy");
        Figures f = (Figures) figures.get("fault");
        Figures last = (Figures) figures.get("faultLastMinute");
        double[] byBucket = (double[]) figures.get("faultCompletionByBucket");
        Map<String, Object> t = (Map<String, Object>) figures.get("timings");
        StringBuilder buckets = new StringBuilder();
        for (double value : byBucket) {
          buckets.append(buckets.length() == 0 ? "" : " ").append(Double.isNaN(value) ? "n/a"
              : String.format(Locale.ROOT, "%.2f", value));
        }
        md.append(String.format(Locale.ROOT, "| (%s) %s, %d s healthy | %d | %s (%d) | %s (%d, %.0f %%) | %s (%d, %.0f %%) "
                + "| %s | %.1f | %.2f | %.4f | %.0f %% | %s | %s | %s |%n",
            run.mode().letter, run.mode().label, run.healthy().toSeconds(), run.perCountry(), pct(h.completion()),
            h.started(), pct(f.completion()), f.started(), 100 * f.completion() / h.completion(), pct(last.completion()),
            last.started(), 100 * last.completion() / h.completion(), buckets, f.p95TimeToVerify(),
            f.failoversPerVerification(), f.costPerSuccess(), 100 * f.firstOnDegraded(),
            run.mode().scored || t.get("demoteSeconds") != null ? secs(t.get("demoteSeconds")) + (run.mode().scored ? "" : " (ignored: scores off)") : "never",
            run.mode().scored ? secs(t.get("routedAwaySeconds")) : "n/a (scores off)", peers(t)));
      }
    }

    if (!scaled.isEmpty()) {
      md.append("\nTime-scaled, healthy phase (after a ").append(WARM_UP.toSeconds()).append(" s warm-up), for reference:\n\n");
      md.append("| scenario country | mode | started | completion | p95 time to verify (s) | failovers / verification "
          + "| cost / successful verification |\n|---|---|---|---|---|---|---|\n");
      for (Scenario scenario : Scenario.values()) {
        for (Run run : scaled) {
          Map<String, Object> figures = scenarioOf((Map<String, Object>) runs.get(run.key()), scenario);
          if (figures == null) {
            continue;
          }
          Figures f = (Figures) figures.get("healthy");
          md.append(String.format(Locale.ROOT, "| %s | (%s) | %d | %s | %.2f | %.2f | %.4f |%n", scenario.country,
              run.mode().letter, f.started(), pct(f.completion()), f.p95TimeToVerify(), f.failoversPerVerification(),
              f.costPerSuccess()));
        }
      }
    }
    md.append("\nAlerts other than recoveries, per run (seconds from the run's start; the fault starts at the healthy phase's end):\n\n");
    for (Run run : plan) {
      Map<String, Object> result = (Map<String, Object>) runs.get(run.key());
      if (result == null) {
        continue;
      }
      List<Map<String, Object>> alerts = (List<Map<String, Object>>) result.get("alerts");
      md.append("- ").append(run.label()).append(" (fault from ").append(run.healthy().toSeconds()).append(" s): ")
          .append(alerts.stream().filter(a -> !"RECOVERY".equals(a.get("kind")))
              .map(a -> String.format(Locale.ROOT, "%s %s %s %.0f s (%s)", a.get("kind"), a.get("metric"),
                  a.get("scope") != null ? a.get("scope") : a.get("route"), (Double) a.get("secondsIntoRun"), a.get("phase")))
              .reduce((x, y) -> x + "; " + y).orElse("none"))
          .append("\n");
    }
    md.append("\nRuns: ");
    for (Run run : plan) {
      Map<String, Object> result = (Map<String, Object>) runs.get(run.key());
      if (result != null) {
        md.append(String.format(Locale.ROOT, "%s: ready in %.0f s, load average %s before and %s after, people %s, "
                + "failed starts %s, resends %s; ", run.label(), result.get("readySeconds"), result.get("loadAverageBefore"),
            result.get("loadAverageAfter"), result.get("fates"), result.get("startFailuresByStatus"),
            result.get("resendsByStatus")));
      }
    }
    md.append(String.format(Locale.ROOT, "the whole study took %.1f min.%n", report.getOrDefault("studyMinutes", Double.NaN)));
    return md.toString();
  }

  @SuppressWarnings("unchecked")
  private static String peers(Map<String, Object> timings) {
    List<Map<String, Object>> peers = (List<Map<String, Object>>) timings.get("peers");
    return peers.stream().map(p -> {
      List<Double> demotions = (List<Double>) p.get("demotionsSecondsFromFaultStart");
      return p.get("provider") + (demotions.isEmpty() ? " never demoted"
          : " demoted at " + demotions.stream().map(RoutingStudy::secs).reduce((x, y) -> x + ", " + y).orElse(""))
          + (p.get("lastScoreInFault") == null ? "" : String.format(Locale.ROOT, " (score %.2f", (Double) p.get("lastScoreInFault"))
              + (p.get("lastFirstCompletionRateInFault") == null ? "" : String.format(Locale.ROOT,
                  ", first-send completion %.2f over %d", (Double) p.get("lastFirstCompletionRateInFault"),
                  (Long) p.get("lastFirstSendsInFault"))) + ")");
    }).reduce((x, y) -> x + "; " + y).orElse("");
  }

  /** Puts the tables between the document's markers; without them, next to the other outputs. */
  private static void publish(Path doc, Path out, String table) throws IOException {
    if (Files.exists(doc)) {
      String text = Files.readString(doc);
      int from = text.indexOf(RESULTS_BEGIN);
      int to = text.indexOf(RESULTS_END);
      if (from >= 0 && to > from) {
        Files.writeString(doc, text.substring(0, from + RESULTS_BEGIN.length()) + "\n" + table + text.substring(to));
        System.out.println("results written into " + doc);
        return;
      }
    }
    Files.writeString(out.resolve("routing-study-results.md"), table);
    System.out.println("results written to " + out.resolve("routing-study-results.md"));
  }

  private static void sleepUntil(Instant when) throws InterruptedException {
    long millis = Duration.between(Instant.now(), when).toMillis();
    if (millis > 0) {
      Thread.sleep(millis);
    }
  }

  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return parts[0] + "/" + parts[1];
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String machine() {
    String cpu = "unknown CPU";
    try {
      cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(line -> line.startsWith("model name"))
          .findFirst().map(line -> line.substring(line.indexOf(':') + 1).trim()).orElse(cpu);
    } catch (IOException e) {
      // Not Linux: the core count still says something.
    }
    return String.format(Locale.ROOT, "%s, %d cores visible, Java %s", cpu, Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      System.out.println("could not delete " + dir + ": " + e.getMessage());
    }
  }
}
