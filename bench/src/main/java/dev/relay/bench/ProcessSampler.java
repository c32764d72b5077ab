package dev.relay.bench;

import dev.relay.api.VerificationApiService;
import dev.relay.dlr.DlrIngestService;
import dev.relay.sim.SimService;
import dev.relay.support.http.HttpClients;
import dev.relay.support.http.RelayHttp;
import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * CPU time and resident memory of this process (the whole stack and the load generator share it),
 * read from /proc once a second. Linux only; elsewhere the figures stay zero.
 */
final class ProcessSampler implements AutoCloseable {

  /** Owner of the load generator's HTTP clients ({@link HttpClients}). */
  static final String BENCH = "bench";
  static final String JIT = "jvm: jit";
  private static final String HTTP_CLIENTS = "http clients: ";
  /**
   * The parts that stand in for the world outside Relay: the simulated vendors and handsets (their server,
   * their receipt poster, their clients) and the load generator playing the users.
   */
  static final Set<String> HARNESS = Set.of("simulator", "http server: simulator", HTTP_CLIENTS + SimService.NAME,
      "bench (load generator)", HTTP_CLIENTS + BENCH);

  /** USER_HZ: the unit of utime and stime in /proc/self/stat on every Linux we run on. */
  private static final double TICKS_PER_SECOND = 100.0;

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "bench-sampler");
    thread.setDaemon(true);
    return thread;
  });
  private final long startTicks;
  private final long startNanos;
  private final Map<Long, ThreadStart> startCpu = threadCpu();
  private final long startGcMillis = gcMillis();
  private final long startJitMillis = jitMillis();
  private volatile long maxRssKiB;
  private volatile long sumRssKiB;
  private volatile int samples;

  ProcessSampler() {
    startTicks = cpuTicks();
    startNanos = System.nanoTime();
    timer.scheduleAtFixedRate(this::sample, 0, 1, TimeUnit.SECONDS);
  }

  private void sample() {
    long rss = rssKiB();
    maxRssKiB = Math.max(maxRssKiB, rss);
    sumRssKiB += rss;
    samples++;
  }

  /** Average CPU over the sampling period, in percent of one core (200 = both cores of a 2-core box). */
  double cpuPercent() {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    return seconds <= 0 ? 0 : 100.0 * (cpuTicks() - startTicks) / TICKS_PER_SECOND / seconds;
  }

  /**
   * CPU seconds spent since the start, per part of the stack, told apart by thread names (all share
   * this process). What the live Java threads do not account for is the JVM's own work (garbage
   * collection, compilation, the rest) and threads that ended in between.
   */
  Map<String, Double> cpuSecondsByPart() {
    Map<String, Double> parts = new TreeMap<>();
    double accounted = 0;
    for (Map.Entry<Long, ThreadStart> now : threadCpu().entrySet()) {
      ThreadStart before = startCpu.get(now.getKey());
      long nanos = now.getValue().cpuNanos() - (before == null ? 0 : before.cpuNanos());
      double seconds = Math.max(0, nanos) / 1e9;
      accounted += seconds;
      parts.merge(part(now.getValue().name()), seconds, Double::sum);
    }
    double total = (cpuTicks() - startTicks) / TICKS_PER_SECOND;
    // Collection and compilation times are elapsed times of the JVM's own threads: close to their CPU
    // with the serial collector and a compiler that runs while the application does.
    double gc = (gcMillis() - startGcMillis) / 1000.0;
    double jit = (jitMillis() - startJitMillis) / 1000.0;
    double rest = Math.max(0, total - accounted);
    parts.put("jvm: gc", Math.min(gc, rest));
    parts.put(JIT, Math.min(jit, Math.max(0, rest - gc)));
    parts.put("jvm: other, and threads that ended", Math.max(0, rest - gc - jit));
    return parts;
  }

  /** This process's garbage-collection time so far, every collector together. */
  static long gcMillis() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(GarbageCollectorMXBean::getCollectionTime).filter(time -> time > 0).sum();
  }

  private static long jitMillis() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
  }

  private record ThreadStart(String name, long cpuNanos) {}

  private static Map<Long, ThreadStart> threadCpu() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<Long, ThreadStart> cpu = new HashMap<>();
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null) {
        long nanos = threads.getThreadCpuTime(info.getThreadId());
        if (nanos >= 0) {
          cpu.put(info.getThreadId(), new ThreadStart(info.getThreadName(), nanos));
        }
      }
    }
    return cpu;
  }

  /** Which part of the stack a thread works for, from the names the clients and services give them. */
  static String part(String thread) {
    if (thread.startsWith("HttpClient-")) {
      return HTTP_CLIENTS + HttpClients.ownerOfThread(thread).orElse("other");
    }
    for (String[] rule : PARTS) {
      if (thread.startsWith(rule[0]) || thread.contains(rule[0])) {
        return rule[1];
      }
    }
    return "other";
  }

  private static final String[][] PARTS = {
      // Each service's HTTP server threads are named after it (RelayHttp.THREAD_PREFIX); before the services' own rules.
      {RelayHttp.THREAD_PREFIX + VerificationApiService.NAME, "http server: api"},
      {RelayHttp.THREAD_PREFIX + DlrIngestService.NAME, "http server: dlr-ingest"},
      {RelayHttp.THREAD_PREFIX + SimService.NAME, "http server: simulator"},
      {RelayHttp.THREAD_PREFIX, "http servers: other services"},
      {"bench-", "bench (load generator)"},
      // The sender service: its worker thread and its Kafka clients (group relay-sender, ids relay-sender-<host>).
      {"relay-sender", "sender"},
      {"relay-dispatcher", "dispatcher streams"},
      {"relay-scoring", "scoring streams"},
      {"verification-api", "api"},
      {"reply-listener", "api"},
      {"dlr-ingest", "dlr-ingest"},
      {"sim-", "simulator"},
      {"micrometer", "metrics"},
      {"adminclient", "admin clients (readiness)"},
      {"data-plane-kafka", "broker"},
      {"kafka-", "broker"},
      {"Txn", "broker"},
      {"AddPartitionsToTxn", "broker"},
      {"group-coordinator", "broker"},
      {"quorum-controller", "broker"},
      {"ExpirationReaper", "broker"},
      {"executor-", "broker"},
      {"LogDirFailureHandler", "broker"},
      {"broker-", "broker"},
      {"controller-", "broker"},
      {"raft", "broker"},
      {"transaction-", "broker"},
      {"share-", "broker"},
      {"log-", "broker"},
  };

  /** CPU seconds of the parts that are the harness ({@link #HARNESS}), not Relay. */
  static double harnessSeconds(Map<String, Double> parts) {
    return parts.entrySet().stream().filter(part -> HARNESS.contains(part.getKey()))
        .mapToDouble(Map.Entry::getValue).sum();
  }

  double maxRssMiB() {
    return maxRssKiB / 1024.0;
  }

  double averageRssMiB() {
    return samples == 0 ? 0 : sumRssKiB / 1024.0 / samples;
  }

  static long rssKiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return 0;
  }

  static long cpuTicks() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      // The command name is in parentheses and may hold spaces: count fields after the last ')'.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
