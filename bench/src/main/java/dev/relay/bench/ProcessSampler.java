package dev.relay.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * CPU time and resident memory of this process (the whole stack and the load generator share it),
 * read from /proc once a second. Linux only; elsewhere the figures stay zero.
 */
final class ProcessSampler implements AutoCloseable {

  /** USER_HZ: the unit of utime and stime in /proc/self/stat on every Linux we run on. */
  private static final double TICKS_PER_SECOND = 100.0;

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "bench-sampler");
    thread.setDaemon(true);
    return thread;
  });
  private final long startTicks;
  private final long startNanos;
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
