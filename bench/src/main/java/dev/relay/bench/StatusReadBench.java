package dev.relay.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.kafka.embedded.FreePorts;
import dev.relay.local.LocalStack.LocalStackSettings;
import dev.relay.local.LocalStack;
import dev.relay.support.http.HttpClients;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Status-read latency on the embedded stack: starts a set of verifications through the API, then
 * reads their status ({@code GET /v1/verifications/{id}}, served from the dispatcher's state) one
 * after another from one client, round robin over the ids, and reports p50, p99 and the maximum of
 * the reads answered 200 (others are counted beside them, never in the histogram). p99 is printed
 * only with at least 1,000 samples.
 *
 * <pre>java -cp "bench/target/classes:bench/target/lib/*" dev.relay.bench.StatusReadBench
 *     [--verifications=100] [--reads=5000] [--warmup-reads=1000] [--out=bench-results]</pre>
 */
public final class StatusReadBench {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MAX_LATENCY_NANOS = TimeUnit.SECONDS.toNanos(30);
  private static final int MIN_SAMPLES_FOR_P99 = 1_000;
  private static final Duration READY_LIMIT = Duration.ofMinutes(3);

  private StatusReadBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> flags = CommandLineFlags.parse(args);
    int verifications = Integer.parseInt(flags.getOrDefault("verifications", "100"));
    int reads = Integer.parseInt(flags.getOrDefault("reads", "5000"));
    int warmupReads = Integer.parseInt(flags.getOrDefault("warmup-reads", "1000"));
    Path out = Path.of(flags.getOrDefault("out", "bench-results"));
    Files.createDirectories(out);
    Path dataDir = Files.createTempDirectory("relay-status-bench");

    LocalStack stack = new LocalStack(new LocalStackSettings(dataDir, FreePorts.pick(), FreePorts.pick(), FreePorts.pick(),
        FreePorts.pick(), FreePorts.pick(), FreePorts.pick()));
    int exitCode = 0;
    try {
      Bounded.run("stack start", READY_LIMIT, () -> {
        stack.start();
        while (!stack.isReady()) {
          Thread.sleep(100);
        }
        return null;
      }, () -> { });
      HttpClient http = HttpClients.build(ProcessSampler.BENCH,
          HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)));
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < verifications; i++) {
        String number = String.format("+491511%07d", 9_000_000 + i);
        HttpResponse<String> started = http.send(request(stack, "/v1/verifications")
            .POST(HttpRequest.BodyPublishers.ofString("{\"to\": \"" + number + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        if (started.statusCode() != 201) {
          throw new IllegalStateException("start answered " + started.statusCode() + ": " + started.body());
        }
        ids.add(JSON.readTree(started.body()).get("id").asText());
      }

      read(http, stack, ids, warmupReads);
      Result result = read(http, stack, ids, reads);

      Map<String, Object> report = new LinkedHashMap<>();
      report.put("verifications", verifications);
      report.put("reads", reads);
      report.put("answered200", result.latency.getTotalCount());
      report.put("otherAnswers", result.others);
      report.put("p50Ms", millis(result.latency.getValueAtPercentile(50)));
      if (result.latency.getTotalCount() >= MIN_SAMPLES_FOR_P99) {
        report.put("p99Ms", millis(result.latency.getValueAtPercentile(99)));
      }
      report.put("maxMs", millis(result.latency.getMaxValue()));
      report.put("readsPerSecond", result.latency.getTotalCount() / (result.nanos / 1e9));
      String json = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report);
      Files.writeString(out.resolve("status-reads.json"), json);
      System.out.println("status reads: " + json);
    } catch (Exception e) {
      e.printStackTrace();
      exitCode = 1;
    } finally {
      stack.close();
    }
    System.exit(exitCode);
  }

  private record Result(Histogram latency, Map<Integer, Integer> others, long nanos) {}

  private static Result read(HttpClient http, LocalStack stack, List<String> ids, int reads) throws Exception {
    Histogram latency = new Histogram(MAX_LATENCY_NANOS, 3);
    Map<Integer, Integer> others = new LinkedHashMap<>();
    long begin = System.nanoTime();
    for (int i = 0; i < reads; i++) {
      HttpRequest request = request(stack, "/v1/verifications/" + ids.get(i % ids.size())).GET().build();
      long sent = System.nanoTime();
      HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
      long took = System.nanoTime() - sent;
      if (answer.statusCode() == 200) {
        latency.recordValue(Math.min(took, MAX_LATENCY_NANOS));
      } else {
        others.merge(answer.statusCode(), 1, Integer::sum);
      }
    }
    return new Result(latency, others, System.nanoTime() - begin);
  }

  private static HttpRequest.Builder request(LocalStack stack, String path) {
    return HttpRequest.newBuilder(URI.create(stack.apiUrl() + path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + stack.apiKey());
  }

  private static double millis(long nanos) {
    return Math.round(nanos / 10_000.0) / 100.0;
  }
}
