package dev.relay.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.relay.api.VerificationApiService;
import dev.relay.dispatcher.DispatcherService;
import dev.relay.kafka.embedded.FreePorts;
import dev.relay.local.LocalStack.LocalStackSettings;
import dev.relay.local.LocalStack;
import dev.relay.schemas.topics.Durations;
import dev.relay.sender.SenderService;
import dev.relay.sim.SimService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

/**
 * The benchmark: starts the local stack (embedded broker, every service, the provider simulator) in
 * this process, warms it up, drives it at each requested rate through the public HTTP API, then
 * measures the broker's own ceiling, and writes a Markdown table and a JSON file.
 *
 * <pre>./bench.sh --rate=50,200 --duration=60s [--warmup=10s] [--warmup-rate=50] [--idle=10s] [--idle-settle=0s] [--failover-rate=10] [--failover-duration=20s]
 *     [--ceiling-records=200000] [--provider-latency=0s] [--api-settings=KEY=VALUE,...]
 *     [--sender-settings=KEY=VALUE,...] [--dispatcher-settings=KEY=VALUE,...] [--abandon-every=0] [--out=bench-results]</pre>
 */
public final class Bench {

  /** The fewest samples a p99 is printed from. */
  static final int MIN_SAMPLES_FOR_P99 = 1_000;
  /** Far above any rate the bench offers from its one address (see {@link #stackOverrides}). */
  private static final String ONE_ADDRESS_LIMIT = "10000000/1m";
  /** How long each phase may take at most: past it the phase fails, the run goes on or ends, never hangs. */
  private static final Duration READY_LIMIT = Duration.ofMinutes(3);
  private static final Duration CEILING_LIMIT = Duration.ofMinutes(4);
  private static final Duration CLOSE_LIMIT = Duration.ofMinutes(1);

  private Bench() {}

  /**
   * The warm-up's rate: as given, else the first rate or 50/s, whichever is lower. The JIT compiles what a
   * rate exercises when it first meets it (the first tens of seconds at a higher rate compile as much again),
   * so a warm-up at the first rate takes that out of the first phase.
   */
  static int warmupRate(Map<String, String> flags, List<Integer> rates) {
    if (!flags.containsKey("warmup-rate")) {
      return Math.min(50, rates.get(0));
    }
    int rate = Integer.parseInt(flags.get("warmup-rate"));
    if (rate <= 0) {
      throw new IllegalArgumentException("--warmup-rate must be positive, not " + rate);
    }
    return rate;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> flags = CommandLineFlags.parse(args);
    List<Integer> rates = List.of(flags.getOrDefault("rate", "100").split(",")).stream().map(Integer::parseInt).toList();
    Duration duration = Durations.parse(flags.getOrDefault("duration", "60s"));
    Duration warmup = Durations.parse(flags.getOrDefault("warmup", "10s"));
    int warmupRate = warmupRate(flags, rates);
    Duration idle = Durations.parse(flags.getOrDefault("idle", "10s"));
    // The JIT goes on compiling the start-up's and the warm-up's code for minutes: an idle phase right after
    // them measures that, not what a stack with nothing to do burns all day.
    Duration idleSettle = Durations.parse(flags.getOrDefault("idle-settle", "0s"));
    int failoverRate = Integer.parseInt(flags.getOrDefault("failover-rate", "10"));
    Duration failoverDuration = Durations.parse(flags.getOrDefault("failover-duration", "20s"));
    int ceilingRecords = Integer.parseInt(flags.getOrDefault("ceiling-records", "200000"));
    Path out = Path.of(flags.getOrDefault("out", "bench-results"));
    Duration providerLatency = Durations.parse(flags.getOrDefault("provider-latency", "0s"));
    // The API's own settings for this run (e.g. its overload shares), to compare them under the same load.
    Map<String, String> apiSettings = CommandLineFlags.settings(flags, "api-settings");
    // The sender's, e.g. relay.providers.max-concurrent-requests: with 200 ms vendors its 64 calls in flight
    // per vendor carry 320 sends a second to one vendor, and the local routing sends nearly all to one.
    Map<String, String> senderSettings = CommandLineFlags.settings(flags, "sender-settings");
    // The dispatcher's, e.g. relay.verification.ttl: with --abandon-every, how soon the abandoned verifications expire.
    Map<String, String> dispatcherSettings = CommandLineFlags.settings(flags, "dispatcher-settings");
    // Every so many verifications the person never types the code (0: all do), as people give up in a
    // deployment: their expiries then fire under load, which a run where everybody checks never makes happen.
    int abandonEvery = Integer.parseInt(flags.getOrDefault("abandon-every", "0"));
    // Every so many verifications the app also reads the status once the code is in (0: none): status reads
    // under load, served from the dispatcher's state, with their own latency figures.
    int statusReadEvery = Integer.parseInt(flags.getOrDefault("status-read-every", "0"));
    Files.createDirectories(out);
    Path dataDir = Files.createTempDirectory("relay-bench");

    Map<String, Object> report = new LinkedHashMap<>();
    report.put("when", Instant.now().toString());
    report.put("machine", machine());
    report.put("durationSeconds", duration.toSeconds());
    report.put("warmupSeconds", warmup.toSeconds());
    report.put("warmupRate", warmupRate);
    report.put("providerLatencyMillis", providerLatency.toMillis());
    report.put("apiSettings", apiSettings);
    report.put("senderSettings", senderSettings);
    report.put("dispatcherSettings", dispatcherSettings);
    report.put("abandonEvery", abandonEvery);
    report.put("statusReadEvery", statusReadEvery);
    report.put("loadAverageAtStart", loadAverage());

    long bootBegin = System.nanoTime();
    LocalStack stack = new LocalStack(new LocalStackSettings(dataDir, freePort(), freePort(), freePort(), freePort(),
        freePort(), freePort()), withSettings(withSettings(withSettings(stackOverrides(), VerificationApiService.NAME, apiSettings), SenderService.NAME,
        senderSettings), DispatcherService.NAME, dispatcherSettings));
    int exitCode = 0;
    try {
      Bounded.run("stack start", READY_LIMIT, () -> {
        stack.start();
        while (!stack.isReady()) {
          Thread.sleep(100);
        }
        return null;
      }, () -> { });
      report.put("readySeconds", (System.nanoTime() - bootBegin) / 1e9);
      // The users' phones are the simulator's handsets, in this process: codes are handed over as they
      // arrive (auto-verify, the simulator's own listener, stays off in the benchmark).
      CodeInbox inbox = new CodeInbox();
      stack.services().stream().filter(SimService.class::isInstance).map(SimService.class::cast).findFirst()
          .orElseThrow(() -> new IllegalStateException("the stack runs no simulator"))
          .handsets().onReceive(inbox::received);
      if (!providerLatency.isZero()) {
        SimLatency.apply(stack.simUrl(), providerLatency);
      }
      System.gc();
      report.put("idleRssMiB", ProcessSampler.rssKiB() / 1024.0);

      int numberOffset = 0;
      if (!warmup.isZero()) {
        int warmupOffset = numberOffset;
        Bounded.run("warm-up", loadLimit(warmup), () -> {
          new LoadRun(stack.apiUrl(), inbox, stack.apiKey(), abandonEvery, statusReadEvery).run(warmupRate, warmup, warmupOffset);
        });
        numberOffset += startsIn(warmupRate, warmup);
      }
      if (!idle.isZero()) {
        // What the stack burns with nothing to do (poll loops, commits, punctuators, metrics): a floor under
        // every figure below, and a cost a deployment pays all day.
        Thread.sleep(idleSettle.toMillis());
        try (ProcessSampler sampler = new ProcessSampler()) {
          Thread.sleep(idle.toMillis());
          Map<String, Object> quiet = new LinkedHashMap<>();
          quiet.put("settledSeconds", idleSettle.toSeconds());
          quiet.put("seconds", idle.toSeconds());
          quiet.put("cpuPercentOfOneCore", sampler.cpuPercent());
          quiet.put("cpuSecondsByPart", sampler.cpuSecondsByPart());
          report.put("idle", quiet);
          System.out.println("idle: " + quiet);
        }
      }
      List<Map<String, Object>> runs = new ArrayList<>();
      for (int rate : rates) {
        Map<String, Long> recordsBefore = recordsWritten(stack.bootstrapServers());
        String loadBefore = loadAverage();
        Instant runStarted = Instant.now();
        LoadRun load = new LoadRun(stack.apiUrl(), inbox, stack.apiKey(), abandonEvery, statusReadEvery);
        LoadRun.Result result;
        double cpu;
        double maxRss;
        Map<String, Double> cpuByPart;
        try (ProcessSampler sampler = new ProcessSampler()) {
          int offset = numberOffset;
          result = Bounded.run("load at " + rate + "/s", loadLimit(duration), () -> load.run(rate, duration, offset),
              () -> { });
          cpu = sampler.cpuPercent();
          maxRss = sampler.maxRssMiB();
          cpuByPart = sampler.cpuSecondsByPart();
        }
        numberOffset += startsIn(rate, duration);
        Map<String, Long> recordsByTopic = recordsSince(recordsBefore, recordsWritten(stack.bootstrapServers()));
        long records = recordsByTopic.values().stream().mapToLong(Long::longValue).sum();
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("offeredPerSecond", rate);
        // The run's wall-clock span, to cut a profile recorded over the whole process down to it.
        run.put("startedAt", runStarted.toString());
        run.put("endedAt", Instant.now().toString());
        run.put("loadAverageBefore", loadBefore);
        run.put("loadAverageAfter", loadAverage());
        run.put("offered", result.offered());
        run.put("started", load.started.get());
        run.put("startFailed", load.startFailed.get());
        run.put("approved", load.approved.get());
        run.put("notApproved", load.notApproved.get());
        run.put("codeNeverCame", load.codeNeverCame.get());
        run.put("abandoned", load.abandoned.get());
        run.put("unfinished", result.unfinished());
        run.put("failureStatuses", load.statusCounts.entrySet().stream()
            .collect(Collectors.toMap(e -> Integer.toString(e.getKey()), e -> e.getValue().length())));
        // 503 (refused at the door or Kafka unavailable) apart from 504 (waited out the reply timeout).
        run.put("startAnswers", answers(load.startAnswers, result.startRefusals()));
        run.put("checkAnswers", answers(load.checkAnswers, result.checkRefusals()));
        if (statusReadEvery > 0) {
          run.put("statusReadAnswers", answers(load.statusReadAnswers, load.statusReadAnswers.refusalLatency.getIntervalHistogram()));
          run.put("statusReadLatencyMs", percentiles(result.statusReads()));
        }
        run.put("approvedPerSecond", load.approved.get() / (result.completedIn().toNanos() / 1e9));
        run.put("kafkaRecordsPerVerification", load.approved.get() == 0 ? 0 : (double) records / load.approved.get());
        run.put("kafkaRecordsByTopic", recordsByTopic);
        run.put("recordsBehindByGroup", ConsumerLag.recordsBehind(stack.bootstrapServers()));
        run.put("startLatencyMs", percentiles(result.starts()));
        run.put("checkLatencyMs", percentiles(result.checks()));
        run.put("timeToCodeMs", percentiles(result.codes()));
        run.put("cpuPercentOfOneCore", cpu);
        run.put("maxRssMiB", maxRss);
        double cpuSeconds = cpuByPart.values().stream().mapToDouble(Double::doubleValue).sum();
        run.put("cpuMillisPerVerification", load.approved.get() == 0 ? 0 : 1000 * cpuSeconds / load.approved.get());
        // Relay's own share: without the simulated vendors and handsets and the load generator, which share this process.
        double stackSeconds = cpuSeconds - ProcessSampler.harnessSeconds(cpuByPart);
        run.put("stackCpuMillisPerVerification", load.approved.get() == 0 ? 0 : 1000 * stackSeconds / load.approved.get());
        run.put("stackCpuMillisPerVerificationWithoutJit", load.approved.get() == 0 ? 0
            : 1000 * (stackSeconds - cpuByPart.getOrDefault(ProcessSampler.JIT, 0.0)) / load.approved.get());
        run.put("cpuSecondsByPart", cpuByPart);
        run.put("seconds", result.seconds());
        runs.add(run);
        System.out.println("rate " + rate + "/s: " + run);
      }
      report.put("runs", runs);
      write(out, report);

      if (failoverRate > 0) {
        int offset = numberOffset;
        FailoverRun failover = new FailoverRun(stack.apiUrl(), stack.simUrl(), stack.apiKey(), inbox);
        Map<String, Object> figures = Bounded.run("failover run", loadLimit(failoverDuration),
            () -> failover.run(failoverRate, failoverDuration, offset), () -> { });
        numberOffset += startsIn(failoverRate, failoverDuration);
        report.put("failover", figures);
        System.out.println("failover: " + figures);
        write(out, report);
      }

      Ceiling ceiling = new Ceiling(stack.bootstrapServers(), dataDir.resolve("ceiling"));
      Map<String, Object> limits = new LinkedHashMap<>();
      limits.put("recordBytes", Ceiling.RECORD_BYTES);
      limits.put("records", ceilingRecords);
      report.put("ceiling", limits);
      // A ceiling that cannot be measured is reported as such; the load figures are kept either way.
      measure(limits, "rawProduceConsumePerSecond", ceiling, () -> ceiling.rawProduceConsume(ceilingRecords));
      measure(limits, "streamsEosPassThroughPerSecond_commit20ms", ceiling,
          () -> ceiling.streamsPassThrough(ceilingRecords, Duration.ofMillis(20)));
      measure(limits, "streamsEosPassThroughPerSecond_commit100ms", ceiling,
          () -> ceiling.streamsPassThrough(ceilingRecords, Duration.ofMillis(100)));
    } catch (Bounded.PhaseTimeoutException e) {
      // The stack never got ready, or a load run hung: what was measured so far is still written.
      report.put("error", e.getMessage());
      System.out.println(e.getMessage());
      exitCode = 1;
    } finally {
      try {
        Bounded.run("stack close", CLOSE_LIMIT, stack::close);
      } catch (Exception e) {
        System.out.println(e.getMessage());
      }
    }

    write(out, report);
    System.out.println(markdown(report));
    System.exit(exitCode);
  }

  /** A load run offers for its duration, then waits up to a minute for stragglers (LoadRun), plus slack. */
  private static Duration loadLimit(Duration duration) {
    return duration.plus(Duration.ofMinutes(3));
  }

  /** Written after the load runs and again at the end, so a failing ceiling keeps the load figures. */
  private static void write(Path out, Map<String, Object> report) throws IOException {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    Files.writeString(out.resolve("bench.json"), json.writeValueAsString(report));
    Files.writeString(out.resolve("bench.md"), markdown(report));
  }

  private interface Measurement {
    double run() throws Exception;
  }

  private static void measure(Map<String, Object> into, String name, Ceiling ceiling, Measurement measurement) {
    try {
      into.put(name, Bounded.run(name, CEILING_LIMIT, measurement::run, ceiling::abandon));
    } catch (Exception e) {
      into.put(name, -1.0);
      into.put(name + "Error", e.toString());
      System.out.println(name + " failed: " + e);
    }
  }

  /**
   * Records written per topic between two readings, most first, topics that got none left out. Transaction
   * markers take an offset too: {@code __transaction_state} and {@code __consumer_offsets} show what the
   * transactions themselves cost.
   */
  private static Map<String, Long> recordsSince(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> written = new LinkedHashMap<>();
    after.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
        .filter(e -> e.getValue() > 0)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> written.put(e.getKey(), e.getValue()));
    return written;
  }

  /** The machine's load average (1, 5, 15 min), beside each figure: the machine may be shared. */
  private static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** Every record on every topic, internal ones included, per topic: the end offsets summed (markers count too). */
  private static Map<String, Long> recordsWritten(String bootstrap) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      Set<String> names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
      Map<String, TopicDescription> topics = admin.describeTopics(names).allTopicNames().get();
      Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
      topics.values().forEach(topic -> topic.partitions().forEach(p ->
          latest.put(new TopicPartition(topic.name(), p.partition()), OffsetSpec.latest())));
      Map<String, Long> byTopic = new LinkedHashMap<>();
      admin.listOffsets(latest).all().get().forEach((partition, info) ->
          byTopic.merge(partition.topic(), info.offset(), Long::sum));
      return byTopic;
    }
  }

  private static Map<String, Object> answers(LoadRun.Answers answers, Histogram refusalLatency) {
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("answered", answers.answered.get());
    figures.put("refused503", answers.refused.get());
    figures.put("overloaded503", answers.overloaded.get());
    figures.put("timedOut504", answers.timedOut.get());
    figures.put("otherFailed", answers.otherFailed.get());
    figures.put("refusalLatencyMs", percentiles(refusalLatency));
    return figures;
  }

  /** "p50 / p95 / p99 / max" in ms; a p99 over fewer than {@link #MIN_SAMPLES_FOR_P99} samples says nothing, so none is given. */
  static String latencies(Map<String, Double> figures) {
    if (figures.isEmpty()) {
      return "-";
    }
    String p99 = figures.getOrDefault("count", 0.0) >= MIN_SAMPLES_FOR_P99
        ? String.format("%.1f", figures.get("p99")) : "-";
    return String.format("%.1f / %.1f / %s / %.1f", figures.get("p50"), figures.get("p95"), p99, figures.get("max"));
  }

  /**
   * The status reads of the runs that made them: answered 200 with their latency from the code's arrival,
   * the others counted beside them. Empty when the runs read no status.
   */
  @SuppressWarnings("unchecked")
  static String statusReads(Map<String, Object> report) {
    int every = ((Number) report.getOrDefault("statusReadEvery", 0)).intValue();
    if (every <= 0) {
      return "";
    }
    StringBuilder md = new StringBuilder(String.format("%nEvery %d. verification's app read its status once the code had"
        + " arrived, beside the check (`GET /v1/verifications/{id}`, served from the dispatcher's state):%n%n", every));
    md.append("| offered/s | status reads answered | p50 / p95 / p99 / max (ms) | 503 | 504 | other failures |\n");
    md.append("|---|---|---|---|---|---|\n");
    for (Map<String, Object> run : (List<Map<String, Object>>) report.getOrDefault("runs", List.of())) {
      Map<String, Object> reads = (Map<String, Object>) run.get("statusReadAnswers");
      if (reads == null) {
        continue;
      }
      md.append(String.format("| %d | %d | %s | %d | %d | %d |%n", run.get("offeredPerSecond"), reads.get("answered"),
          latencies((Map<String, Double>) run.get("statusReadLatencyMs")), reads.get("refused503"), reads.get("timedOut504"),
          reads.get("otherFailed")));
    }
    return md.toString();
  }

  /**
   * When a phase refused its starts: each second with a refusal (refused of offered, the slowest start
   * answered, the collection time), and the phase's longest collection second beside them.
   */
  @SuppressWarnings("unchecked")
  static String secondsWithRefusals(Map<String, Object> run) {
    List<Map<String, Object>> seconds = (List<Map<String, Object>>) run.getOrDefault("seconds", List.of());
    if (seconds.isEmpty()) {
      return "";
    }
    String refusing = seconds.stream()
        .filter(second -> ((Number) second.get("refused")).longValue() > 0)
        .map(second -> String.format("%s: %s of %s, slowest start %.0f ms, GC %s ms", second.get("second"),
            second.get("refused"), second.get("offered"), ((Number) second.get("slowestStartMs")).doubleValue(),
            second.get("gcMs")))
        .collect(Collectors.joining("; "));
    Map<String, Object> mostGc = seconds.stream()
        .max(Comparator.comparingLong(second -> ((Number) second.get("gcMs")).longValue())).orElseThrow();
    long gcTotal = seconds.stream().mapToLong(second -> ((Number) second.get("gcMs")).longValue()).sum();
    return String.format("%nAt %s/s, starts refused by the second they were due (second of the phase: refused of offered,"
            + " the slowest answered start, garbage collection): %s. Garbage collection in the phase: %d ms, at most %s ms"
            + " in one second (second %s).%n", run.get("offeredPerSecond"), refusing.isEmpty() ? "none" : refusing,
        gcTotal, mostGc.get("gcMs"), mostGc.get("second"));
  }

  private static Map<String, Double> percentiles(Histogram histogram) {
    Map<String, Double> values = new LinkedHashMap<>();
    values.put("p50", histogram.getValueAtPercentile(50) / 1e6);
    values.put("p95", histogram.getValueAtPercentile(95) / 1e6);
    values.put("p99", histogram.getValueAtPercentile(99) / 1e6);
    values.put("max", histogram.getMaxValue() / 1e6);
    values.put("count", (double) histogram.getTotalCount());
    return values;
  }

  @SuppressWarnings("unchecked")
  private static String markdown(Map<String, Object> report) {
    StringBuilder md = new StringBuilder();
    md.append("Machine: ").append(report.get("machine")).append("\n\n");
    md.append(String.format("Stack ready in %.1f s; idle RSS %.0f MiB (whole process: broker, services, simulator).%n%n",
        report.get("readySeconds"), report.get("idleRssMiB")));
    Map<String, Object> idle = (Map<String, Object>) report.get("idle");
    if (idle != null) {
      md.append(String.format("Idle %s s after the warm-up, for %s s: CPU %.1f %% of one core (", idle.get("settledSeconds"),
          idle.get("seconds"), idle.get("cpuPercentOfOneCore")));
      md.append(((Map<String, Double>) idle.get("cpuSecondsByPart")).entrySet().stream()
          .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
          .map(e -> String.format("%s %.1f s", e.getKey(), e.getValue())).collect(Collectors.joining(", ")));
      md.append(").\n\n");
    }
    md.append("| offered/s | approved/s | approved / offered | Kafka records per verification | start p50 / p95 / p99 / max (ms) "
        + "| check p50 / p95 / p99 / max (ms) | start to code at the handset p50 / p95 / p99 / max (ms) "
        + "| CPU (% of one core) | CPU ms per verification | max RSS (MiB) |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (Map<String, Object> run : (List<Map<String, Object>>) report.getOrDefault("runs", List.of())) {
      md.append(String.format("| %d | %.1f | %d / %d | %.1f | %s | %s | %s | %.0f | %.1f | %.0f |%n",
          run.get("offeredPerSecond"), run.get("approvedPerSecond"), run.get("approved"), run.get("offered"),
          run.get("kafkaRecordsPerVerification"),
          latencies((Map<String, Double>) run.get("startLatencyMs")),
          latencies((Map<String, Double>) run.get("checkLatencyMs")),
          latencies((Map<String, Double>) run.getOrDefault("timeToCodeMs", Map.of())),
          run.get("cpuPercentOfOneCore"), run.get("cpuMillisPerVerification"), run.get("maxRssMiB")));
    }
    md.append("\nA p99 is given only over at least " + MIN_SAMPLES_FOR_P99 + " samples (\"-\" otherwise).\n");
    if (((Number) report.getOrDefault("abandonEvery", 0)).intValue() > 0) {
      md.append(String.format("%nEvery %s. person gave up with the code at hand and never checked it: those are neither "
          + "approved nor failed (the runs' `abandoned` in the JSON), and the per-verification figures divide by the "
          + "approved only.%n", report.get("abandonEvery")));
    }
    md.append("\nStarts and checks that were not answered, apart from the latencies above (which hold answered"
        + " requests only): 503 is refused without being stored (`overloaded`: at the door, before Kafka), 504 waited"
        + " out the API's reply timeout.\n\n");
    md.append("| offered/s | starts answered | starts 503 (of them overloaded) | starts 504 | starts other failures "
        + "| start 503 answered in p50 / p95 / p99 / max (ms) | checks answered | checks 503 | checks 504 | checks other failures |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (Map<String, Object> run : (List<Map<String, Object>>) report.getOrDefault("runs", List.of())) {
      Map<String, Object> starts = (Map<String, Object>) run.get("startAnswers");
      Map<String, Object> checks = (Map<String, Object>) run.get("checkAnswers");
      if (starts == null || checks == null) {
        continue;
      }
      Map<String, Double> refusal = (Map<String, Double>) starts.get("refusalLatencyMs");
      md.append(String.format("| %d | %d | %d (%d) | %d | %d | %s | %d | %d | %d | %d |%n",
          run.get("offeredPerSecond"), starts.get("answered"), starts.get("refused503"), starts.get("overloaded503"),
          starts.get("timedOut504"), starts.get("otherFailed"), latencies(refusal),
          checks.get("answered"), checks.get("refused503"), checks.get("timedOut504"), checks.get("otherFailed")));
    }
    for (Map<String, Object> run : (List<Map<String, Object>>) report.getOrDefault("runs", List.of())) {
      md.append(secondsWithRefusals(run));
    }
    md.append(statusReads(report));
    md.append(String.format("%nProvider APIs answer after %s ms. Load average at the start: %s.%n",
        report.get("providerLatencyMillis"), report.get("loadAverageAtStart")));
    for (Map<String, Object> run : (List<Map<String, Object>>) report.getOrDefault("runs", List.of())) {
      // Per approved verification; with none approved, per offered start (the work a collapse still does).
      long approved = ((Number) run.get("approved")).longValue();
      long per = approved > 0 ? approved : ((Number) run.get("offered")).longValue();
      md.append(String.format("%nAt %d/s, load average before %s, after %s. Kafka records per %s verification by topic: ",
          run.get("offeredPerSecond"), run.get("loadAverageBefore"), run.get("loadAverageAfter"),
          approved > 0 ? "approved" : "offered (none approved)"));
      md.append(((Map<String, Long>) run.get("kafkaRecordsByTopic")).entrySet().stream()
          .map(e -> String.format("%s %.2f", e.getKey(), e.getValue().doubleValue() / Math.max(1, per)))
          .collect(Collectors.joining(", ")));
      md.append(String.format("%nAt %d/s, records not yet read at the phase's end, by consumer group (a group still catching up"
          + " falls behind for good if this grows phase after phase): ", run.get("offeredPerSecond")));
      md.append(((Map<String, Long>) run.get("recordsBehindByGroup")).entrySet().stream()
          .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")));
      md.append("\n");
    }
    for (Map<String, Object> run : (List<Map<String, Object>>) report.getOrDefault("runs", List.of())) {
      Map<String, Double> parts = (Map<String, Double>) run.get("cpuSecondsByPart");
      md.append(String.format("%nCPU seconds by part at %d/s: ", run.get("offeredPerSecond")));
      md.append(parts.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
          .map(e -> String.format("%s %.1f", e.getKey(), e.getValue())).collect(Collectors.joining(", ")));
      md.append(String.format("%nRelay's stack at %d/s (all but the simulator and the load generator: %s): %.1f ms of CPU per "
              + "verification, %.1f ms without the JIT's compilation.%n", run.get("offeredPerSecond"),
          String.join(", ", new TreeSet<>(ProcessSampler.HARNESS)),
          run.getOrDefault("stackCpuMillisPerVerification", 0.0), run.getOrDefault("stackCpuMillisPerVerificationWithoutJit", 0.0)));
    }
    Map<String, Object> failover = (Map<String, Object>) report.get("failover");
    if (failover != null) {
      Map<String, Double> overhead = (Map<String, Double>) failover.get("failoverOverheadMicros");
      Map<String, Double> lateness = (Map<String, Double>) failover.get("timeoutLatenessMillis");
      md.append(String.format("%nFailover at %d verifications/s (a third refused at once by the first route, a third "
              + "accepted and never delivered, a third healthy; %d of %d approved):%n%n",
          failover.get("offeredPerSecond"), failover.get("approved"), failover.get("offered")));
      md.append("| measure | p50 | p99 | max | samples |\n|---|---|---|---|---|\n");
      md.append(String.format("| fast failover: refusal answered -> next provider's request arrives (µs) | %.0f | %.0f | %.0f | %.0f |%n",
          overhead.get("p50"), overhead.get("p99"), overhead.get("max"), overhead.get("count")));
      md.append(String.format("| timeout: resend arrives minus (acceptance + %d s window) (ms) | %.0f | %.0f | %.0f | %.0f |%n",
          failover.get("deliveryWindowSeconds"), lateness.get("p50"), lateness.get("p99"), lateness.get("max"),
          lateness.get("count")));
    }
    Map<String, Object> ceiling = (Map<String, Object>) report.get("ceiling");
    if (ceiling != null) {
      md.append(String.format("%nCeiling on the same broker, %d records of %d bytes (-1: not measured, see the JSON): "
              + "raw produce -> consume %.0f records/s; "
              + "Streams pass-through under exactly_once_v2 %.0f records/s (commit 20 ms), %.0f records/s (commit 100 ms).%n",
          ceiling.get("records"), ceiling.get("recordBytes"), ceiling.get("rawProduceConsumePerSecond"),
          ceiling.get("streamsEosPassThroughPerSecond_commit20ms"), ceiling.get("streamsEosPassThroughPerSecond_commit100ms")));
    }
    return md.toString();
  }

  private static String machine() {
    String cpu = "unknown CPU";
    try {
      cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(line -> line.startsWith("model name"))
          .findFirst().map(line -> line.substring(line.indexOf(':') + 1).trim()).orElse(cpu);
    } catch (IOException e) {
      // Not Linux: the core count and the JVM still say something.
    }
    return String.format("%s, %d cores visible, %.1f GiB max heap, Java %s, %s %s", cpu,
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() / 1024.0 / 1024 / 1024,
        System.getProperty("java.version"), System.getProperty("os.name"), System.getProperty("os.version"));
  }


  private static int freePort() throws IOException {
    return FreePorts.pick();
  }

  /**
   * How many numbers a phase uses: the next phase's start on. Numbers go round each country's range
   * ({@link LoadRun#number}, a million in GB), so a fixed stride per phase soon met numbers of an earlier
   * phase, whose verification an abandoning person left pending: a start then found it (200, not 201).
   */
  private static int startsIn(int rate, Duration duration) {
    return Math.toIntExact(rate * duration.toSeconds());
  }

  /**
   * The failover phase's settings, and request limits for one client address far above any rate the
   * bench offers: every simulated person calls from 127.0.0.1, where a deployment's people come from
   * many addresses and networks. The local run's own per-address limits (6,000 a minute) would otherwise
   * answer 429 to the bench's second minute above 100/s, and the figures would measure the limits.
   */
  static Map<String, Map<String, String>> stackOverrides() {
    Map<String, Map<String, String>> overrides = new LinkedHashMap<>(FailoverRun.stackOverrides());
    Map<String, String> dispatcher = new LinkedHashMap<>(overrides.getOrDefault(DispatcherService.NAME, Map.of()));
    dispatcher.put("relay.limits.per-ip", ONE_ADDRESS_LIMIT);
    dispatcher.put("relay.limits.per-network", ONE_ADDRESS_LIMIT);
    dispatcher.put("relay.limits.per-api-key", ONE_ADDRESS_LIMIT);
    overrides.put(DispatcherService.NAME, dispatcher);
    overrides.put(VerificationApiService.NAME, Map.of(
        "relay.api.checks-per-ip", ONE_ADDRESS_LIMIT, "relay.api.checks-per-api-key", ONE_ADDRESS_LIMIT));
    return overrides;
  }

  private static Map<String, Map<String, String>> withSettings(Map<String, Map<String, String>> overrides,
      String service, Map<String, String> settings) {
    Map<String, Map<String, String>> all = new LinkedHashMap<>(overrides);
    Map<String, String> merged = new LinkedHashMap<>(all.getOrDefault(service, Map.of()));
    merged.putAll(settings);
    all.put(service, merged);
    return all;
  }
}
