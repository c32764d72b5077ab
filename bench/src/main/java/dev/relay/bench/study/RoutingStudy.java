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
 * The routing degradation study: for each routing mode, a fresh local stack (broker, every service,
 * the simulator) with time-scaled settings; people verify in four countries at a fixed rate while,
 * after a healthy phase, one provider degrades in each country (one scenario per country) and then
 * recovers. Writes the figures as JSON, a Markdown table (into the study document between its
 * markers) and an SVG of completion over time.
 *
 * <pre>./routing-study.sh [--rate-per-country=1] [--healthy=50s] [--fault=100s] [--after=50s] [--warmup=30s] [--modes=a,b,c] [--out=docs]</pre>
 */
public final class RoutingStudy {

  static final String RESULTS_BEGIN = "<!-- study:results:begin -->";
  static final String RESULTS_END = "<!-- study:results:end -->";

  /**
   * The time scaling: what the study runs with instead of the production defaults (see
   * docs/routing-study.md). The delivery window and the people are five times faster than life; the
   * long scoring window holds as many tries per route at the study's rate as the default hour holds
   * on a route that sends about once a minute, the short one 30, enough for the default 20 sends a
   * sharp-drop alert (and demotion) needs on each side, as the default 5 minutes hold on a route
   * that sends 6 a minute.
   */
  static final Duration DELIVERY_WINDOW = Duration.ofSeconds(6);
  static final Map<String, String> SCALED_DISPATCHER = Map.of(
      DispatcherConfig.DELIVERY_WINDOW.name(), DELIVERY_WINDOW.toSeconds() + "s",
      // Load relief, not scaling: fewer exactly-once transactions on a shared 2-core machine; 100 ms is
      // nothing against a 6 s delivery window.
      DispatcherConfig.COMMIT_INTERVAL.name(), "100ms");
  static final Map<String, String> SCALED_SCORING = Map.of(
      ScoringConfig.WINDOW.name(), "60s",
      ScoringConfig.WINDOW_ADVANCE.name(), "5s",
      ScoringConfig.SHORT_WINDOW.name(), "30s",
      ScoringConfig.EMIT_INTERVAL.name(), "2s",
      ScoringConfig.MATCH_HORIZON.name(), "120s");
  /** A start answered late is still a start the person waits on: the API waits longer than its 5 s default for the reply. */
  static final Map<String, String> SCALED_API = Map.of(ApiConfig.REPLY_TIMEOUT.name(), "20s");
  static final Duration MIN_PATIENCE = Duration.ofSeconds(4);
  static final Duration MAX_PATIENCE = Duration.ofSeconds(16);
  static final Duration MIN_TYPING = Duration.ofSeconds(2);
  static final Duration MAX_TYPING = Duration.ofSeconds(6);
  /** Warm-up at the start of the healthy phase left out of its figures (JIT, first scores). */
  static final Duration WARM_UP = Duration.ofSeconds(10);
  /** The end of the after phase over which the first-try share shows whether a route came back. */
  static final Duration LATE = Duration.ofSeconds(20);

  private RoutingStudy() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> flags = CommandLineFlags.parse(args);
    int perCountry = Integer.parseInt(flags.getOrDefault("rate-per-country", "1"));
    Duration healthy = Durations.parse(flags.getOrDefault("healthy", "50s"));
    Duration fault = Durations.parse(flags.getOrDefault("fault", "100s"));
    Duration after = Durations.parse(flags.getOrDefault("after", "50s"));
    Duration bucket = Durations.parse(flags.getOrDefault("bucket", "10s"));
    long seed = Long.parseLong(flags.getOrDefault("seed", "7"));
    Path out = Path.of(flags.getOrDefault("out", "docs"));
    Path doc = Path.of(flags.getOrDefault("doc", out.resolve("routing-study.md").toString()));
    List<RoutingMode> modes = Stream.of(flags.getOrDefault("modes", "a,b,c").split(","))
        .map(letter -> Stream.of(RoutingMode.values()).filter(m -> m.letter.equals(letter.trim())).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("--modes takes a, b and c, not " + letter)))
        .toList();
    Files.createDirectories(out);

    Map<String, Object> report = new LinkedHashMap<>();
    report.put("when", Instant.now().toString());
    report.put("machine", machine());
    report.put("ratePerCountry", perCountry);
    report.put("phases", Map.of("healthySeconds", healthy.toSeconds(), "faultSeconds", fault.toSeconds(),
        "afterSeconds", after.toSeconds()));
    report.put("scaledDispatcher", SCALED_DISPATCHER);
    report.put("scaledScoring", SCALED_SCORING);
    report.put("scaledApi", SCALED_API);
    report.put("people", Map.of("patienceSeconds", List.of(MIN_PATIENCE.toSeconds(), MAX_PATIENCE.toSeconds()),
        "typingSeconds", List.of(MIN_TYPING.toSeconds(), MAX_TYPING.toSeconds()), "seed", seed));
    Map<String, Object> runs = new LinkedHashMap<>();
    report.put("runs", runs);
    Map<Scenario, Map<RoutingMode, double[]>> series = new EnumMap<>(Scenario.class);
    Map<Scenario, Map<RoutingMode, double[]>> routed = new EnumMap<>(Scenario.class);
    long began = System.nanoTime();
    Duration warmUp = Durations.parse(flags.getOrDefault("warmup", "30s"));
    if (!warmUp.isZero()) {
      // The first stack in a fresh JVM runs interpreted code for a while; without this, the first mode
      // alone would pay for it.
      System.out.println("== warm-up, figures discarded");
      warmUp(perCountry, warmUp, seed);
    }
    for (RoutingMode mode : modes) {
      System.out.printf(Locale.ROOT, "== mode (%s) %s%n", mode.letter, mode.label);
      Map<String, Object> run = runMode(mode, perCountry, healthy, fault, after, bucket, seed, series, routed);
      runs.put(mode.name().toLowerCase(Locale.ROOT), run);
      write(out, report, series, routed, modes, bucket, healthy, fault);
    }
    report.put("studyMinutes", (System.nanoTime() - began) / 60e9);
    write(out, report, series, routed, modes, bucket, healthy, fault);
    String table = markdown(report, modes);
    System.out.println(table);
    publish(doc, out, table);
    System.exit(0);
  }

  private static void warmUp(int perCountry, Duration duration, long seed) throws Exception {
    Path dataDir = Files.createTempDirectory("relay-study-warmup");
    LocalStack stack = new LocalStack(new LocalStackSettings(dataDir, FreePorts.pick(), FreePorts.pick(), FreePorts.pick(),
        FreePorts.pick(), FreePorts.pick(), FreePorts.pick()), Map.of());
    try {
      stack.start();
      awaitReady(stack);
      new StudyWorld(stack.simUrl()).healthy();
      StudyUsers users = new StudyUsers(stack.apiUrl(), stack.simUrl(), stack.apiKey(), MIN_PATIENCE, MAX_PATIENCE,
          MIN_TYPING, MAX_TYPING, seed);
      users.offer(perCountry, duration);
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

  private static Map<String, Object> runMode(RoutingMode mode, int perCountry, Duration healthy, Duration fault,
      Duration after, Duration bucket, long seed, Map<Scenario, Map<RoutingMode, double[]>> series,
      Map<Scenario, Map<RoutingMode, double[]>> routed) throws Exception {
    Map<String, Map<String, String>> overrides = new HashMap<>();
    Map<String, String> dispatcher = new HashMap<>(SCALED_DISPATCHER);
    dispatcher.putAll(mode.dispatcherSettings());
    overrides.put(DispatcherService.NAME, dispatcher);
    overrides.put(ScoringService.NAME, SCALED_SCORING);
    overrides.put(VerificationApiService.NAME, SCALED_API);
    overrides.put(SimService.NAME, Map.of(SimConfig.RANDOM_SEED.name(), Long.toString(seed)));
    Path dataDir = Files.createTempDirectory("relay-study");
    Map<String, Object> run = new LinkedHashMap<>();
    long boot = System.nanoTime();
    LocalStack stack = new LocalStack(new LocalStackSettings(dataDir, FreePorts.pick(), FreePorts.pick(), FreePorts.pick(),
        FreePorts.pick(), FreePorts.pick(), FreePorts.pick()), overrides);
    try {
      stack.start();
      awaitReady(stack);
      run.put("readySeconds", (System.nanoTime() - boot) / 1e9);
      run.put("loadAverageBefore", loadAverage());
      StudyWorld world = new StudyWorld(stack.simUrl());
      world.healthy();
      StudyUsers users = new StudyUsers(stack.apiUrl(), stack.simUrl(), stack.apiKey(), MIN_PATIENCE, MAX_PATIENCE,
          MIN_TYPING, MAX_TYPING, seed);
      Duration total = healthy.plus(fault).plus(after);
      Instant begin = Instant.now();
      Thread driver = new Thread(() -> users.offer(perCountry, total), "study-driver");
      driver.start();
      sleepUntil(begin.plus(healthy));
      world.degrade();
      System.out.println("   degraded at " + Duration.between(begin, Instant.now()).toMillis() / 1000.0 + " s");
      sleepUntil(begin.plus(healthy).plus(fault));
      world.recover();
      System.out.println("   recovered at " + Duration.between(begin, Instant.now()).toMillis() / 1000.0 + " s");
      driver.join();
      boolean settled = users.awaitAll(Duration.ofSeconds(60));
      users.close();
      // Failovers of people who gave up still go out for a delivery window or two.
      Thread.sleep(DELIVERY_WINDOW.multipliedBy(3).toMillis());
      run.put("loadAverageAfter", loadAverage());
      Map<String, List<SendTries.Try>> tries = SendTries.read(stack.bootstrapServers());
      Map<String, String> reasons = SendTries.firstRoutingReasons(stack.bootstrapServers());
      List<Played> played = new ArrayList<>();
      Map<String, Long> fates = new LinkedHashMap<>();
      for (StudyUsers.Verification v : users.verifications()) {
        fates.merge(v.fate.name().toLowerCase(Locale.ROOT), 1L, Long::sum);
        played.add(new Played(v.scenario, v.startedAt, v.fate == StudyUsers.Fate.APPROVED ? v.approvedAt : null,
            v.id == null ? List.of() : tries.getOrDefault(v.id, List.of())));
      }
      run.put("allSettled", settled);
      run.put("fates", fates);
      run.put("startFailuresByStatus", users.startFailures());
      Instant end = begin.plus(total);
      int buckets = (int) (total.toMillis() / bucket.toMillis());
      Map<String, Object> scenarios = new LinkedHashMap<>();
      for (Scenario scenario : Scenario.values()) {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("healthy", StudyMetrics.figures(scenario, played, begin.plus(WARM_UP), world.faultStart(), world::priceAt));
        figures.put("fault", StudyMetrics.figures(scenario, played, world.faultStart(), world.faultEnd(), world::priceAt));
        figures.put("after", StudyMetrics.figures(scenario, played, world.faultEnd(), end, world::priceAt));
        figures.put("afterLate", StudyMetrics.figures(scenario, played, end.minus(LATE), end, world::priceAt));
        figures.put("firstRouteReasonsInFault", reasonCounts(users.verifications(), reasons, scenario, world.faultStart(),
            world.faultEnd()));
        figures.put("firstRouteReasonsLate", reasonCounts(users.verifications(), reasons, scenario, end.minus(LATE), end));
        double[] completion = StudyMetrics.completionOverTime(scenario, played, begin, bucket, buckets);
        figures.put("completionOverTime", completion);
        series.computeIfAbsent(scenario, s -> new EnumMap<>(RoutingMode.class)).put(mode, completion);
        double[] firstOnDegraded = StudyMetrics.firstOnDegradedOverTime(scenario, played, begin, bucket, buckets);
        figures.put("firstOnDegradedOverTime", firstOnDegraded);
        routed.computeIfAbsent(scenario, s -> new EnumMap<>(RoutingMode.class)).put(mode, firstOnDegraded);
        scenarios.put(scenario.name().toLowerCase(Locale.ROOT), figures);
        System.out.printf(Locale.ROOT, "   %s %s: %s%n", scenario.country, scenario.name(), figures.get("fault"));
      }
      run.put("scenarios", scenarios);
      return run;
    } finally {
      stack.close();
      deleteQuietly(dataDir);
    }
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
    List<RoutingMode> plotted = modes.stream().filter(m -> m != RoutingMode.TABLE).toList();
    Files.writeString(out.resolve("routing-study-completion.svg"), CompletionPlot.svg(series, plotted.isEmpty() ? modes : plotted,
        bucket.toMillis() / 1000.0, healthy.toSeconds(), healthy.plus(fault).toSeconds(),
        "Completion of the verifications started in each " + bucket.toSeconds() + " s, by routing mode"));
    Files.writeString(out.resolve("routing-study-first-route.svg"), CompletionPlot.svg(routed, plotted.isEmpty() ? modes : plotted,
        bucket.toMillis() / 1000.0, healthy.toSeconds(), healthy.plus(fault).toSeconds(),
        "Share of first sends on the degraded provider, per " + bucket.toSeconds() + " s, by routing mode"));
  }

  /** The results tables; the run's figures come from the report so a JSON file can be rendered again. */
  @SuppressWarnings("unchecked")
  static String markdown(Map<String, Object> report, List<RoutingMode> modes) {
    StringBuilder md = new StringBuilder();
    md.append("Produced by `./routing-study.sh` on ").append(report.get("when")).append(" (").append(report.get("machine"))
        .append(").\n\n");
    md.append("Fault phase (verifications started while the provider was degraded):\n\n");
    md.append("| scenario | mode | started | completion | p95 time to verify (s) | failovers / verification "
        + "| cost / successful verification | first try on the degraded provider | same, last 20 s after recovery "
        + "| why the first route (fault phase) |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|\n");
    Map<String, Object> runs = (Map<String, Object>) report.get("runs");
    for (Scenario scenario : Scenario.values()) {
      for (RoutingMode mode : modes) {
        Map<String, Object> run = (Map<String, Object>) runs.get(mode.name().toLowerCase(Locale.ROOT));
        if (run == null || !run.containsKey("scenarios")) {
          continue;
        }
        Map<String, Object> figures = (Map<String, Object>) ((Map<String, Object>) run.get("scenarios"))
            .get(scenario.name().toLowerCase(Locale.ROOT));
        Figures f = (Figures) figures.get("fault");
        Figures late = (Figures) figures.get("afterLate");
        Map<String, Integer> reasons = (Map<String, Integer>) figures.getOrDefault("firstRouteReasonsInFault", Map.of());
        md.append(String.format(Locale.ROOT, "| %s %s (%s) | (%s) %s | %d | %.1f %% | %.2f | %.2f | %.4f | %.0f %% | %.0f %% | %s |%n",
            scenario.country, scenario.provider, scenario.name().toLowerCase(Locale.ROOT).replace('_', ' '),
            mode.letter, mode.label, f.started(), 100 * f.completion(), f.p95TimeToVerify(), f.failoversPerVerification(),
            f.costPerSuccess(), 100 * f.firstOnDegraded(), 100 * late.firstOnDegraded(),
            reasons.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).reduce((x, y) -> x + ", " + y).orElse("")));
      }
    }
    md.append("\nHealthy phase (after a ").append(WARM_UP.toSeconds()).append(" s warm-up), for reference:\n\n");
    md.append("| scenario country | mode | started | completion | p95 time to verify (s) | failovers / verification "
        + "| cost / successful verification |\n|---|---|---|---|---|---|---|\n");
    for (Scenario scenario : Scenario.values()) {
      for (RoutingMode mode : modes) {
        Map<String, Object> run = (Map<String, Object>) runs.get(mode.name().toLowerCase(Locale.ROOT));
        if (run == null || !run.containsKey("scenarios")) {
          continue;
        }
        Figures f = (Figures) ((Map<String, Object>) ((Map<String, Object>) run.get("scenarios"))
            .get(scenario.name().toLowerCase(Locale.ROOT))).get("healthy");
        md.append(String.format(Locale.ROOT, "| %s | (%s) | %d | %.1f %% | %.2f | %.2f | %.4f |%n", scenario.country,
            mode.letter, f.started(), 100 * f.completion(), f.p95TimeToVerify(), f.failoversPerVerification(),
            f.costPerSuccess()));
      }
    }
    md.append("\nRuns: ");
    for (RoutingMode mode : modes) {
      Map<String, Object> run = (Map<String, Object>) runs.get(mode.name().toLowerCase(Locale.ROOT));
      if (run != null) {
        md.append(String.format(Locale.ROOT, "(%s) ready in %.0f s, load average %s before and %s after, people: %s; ",
            mode.letter, run.get("readySeconds"), run.get("loadAverageBefore"), run.get("loadAverageAfter"), run.get("fates")));
      }
    }
    md.append(String.format(Locale.ROOT, "the whole study took %.1f min.%n", report.getOrDefault("studyMinutes", Double.NaN)));
    return md.toString();
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
