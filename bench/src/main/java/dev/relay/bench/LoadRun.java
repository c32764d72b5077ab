package dev.relay.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;

/**
 * The user side of the benchmark, open loop: verifications are started on a fixed schedule (one every
 * 1/rate seconds, whatever the answers do), and a start's latency runs from its scheduled time, so a
 * stall shows in the figures instead of quietly lowering the offered rate (no coordinated omission).
 * Each started verification is then played out as a person would: the code is taken from the
 * simulated handset the moment it arrives ({@link CodeInbox}) and checked at once through the API;
 * the check's latency runs from that moment.
 */
final class LoadRun {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MAX_LATENCY_NANOS = TimeUnit.MINUTES.toNanos(2);
  private static final Duration CODE_WAIT = Duration.ofSeconds(30);
  /** Mobile ranges with seven free digits: DE, FR, NL, GB, ES. */
  private static final List<String> PREFIXES = List.of("+491511", "+3361", "+3161", "+447400", "+3461");
  /** The countries of {@link #PREFIXES}, in the same order. */
  static final List<String> COUNTRIES = List.of("DE", "FR", "NL", "GB", "ES");

  private final String apiUrl;
  // HTTP/1.1 as the API serves it: the JDK would otherwise offer an h2c upgrade on every request.
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  final Recorder startLatency = new Recorder(MAX_LATENCY_NANOS, 3);
  final Recorder checkLatency = new Recorder(MAX_LATENCY_NANOS, 3);
  final AtomicLong started = new AtomicLong();
  final AtomicLong startFailed = new AtomicLong();
  final AtomicLong approved = new AtomicLong();
  final AtomicLong notApproved = new AtomicLong();
  final AtomicLong codeNeverCame = new AtomicLong();
  final ConcurrentHashMap<Integer, String> statusCounts = new ConcurrentHashMap<>();
  private final String apiKey;
  private final AtomicLong inFlight = new AtomicLong();
  private volatile long lastApprovedNanos;

  private final IntFunction<String> numbers;
  private final CodeInbox inbox;

  LoadRun(String apiUrl, CodeInbox inbox, String apiKey) {
    this(apiUrl, inbox, apiKey, LoadRun::number);
  }

  /** @param numbers the number of the i-th verification started */
  LoadRun(String apiUrl, CodeInbox inbox, String apiKey, IntFunction<String> numbers) {
    this.apiUrl = apiUrl;
    this.inbox = inbox;
    this.apiKey = apiKey;
    this.numbers = numbers;
  }

  /** Offers {@code rate} starts a second for {@code duration}, then waits for the stragglers. */
  Result run(int rate, Duration duration, int numberOffset) {
    long period = TimeUnit.SECONDS.toNanos(1) / rate;
    long total = rate * duration.toSeconds();
    long begin = System.nanoTime();
    for (long i = 0; i < total && !Thread.currentThread().isInterrupted(); i++) {
      long intended = begin + i * period;
      long wait;
      while ((wait = intended - System.nanoTime()) > 0 && !Thread.currentThread().isInterrupted()) {
        LockSupport.parkNanos(wait);
      }
      inFlight.incrementAndGet();
      startOne(numbers.apply(numberOffset + (int) i), intended);
    }
    long offeredEnd = System.nanoTime();
    long deadline = offeredEnd + TimeUnit.SECONDS.toNanos(60);
    while (inFlight.get() > 0 && System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
    long end = lastApprovedNanos == 0 ? System.nanoTime() : lastApprovedNanos;
    return new Result(total, Duration.ofNanos(offeredEnd - begin), Duration.ofNanos(end - begin),
        startLatency.getIntervalHistogram(), checkLatency.getIntervalHistogram(), inFlight.get());
  }

  record Result(long offered, Duration offeredFor, Duration completedIn, Histogram starts, Histogram checks,
      long unfinished) {}

  private void startOne(String number, long intended) {
    // Expected before the start is sent: the code may reach the handset before the API answers.
    CompletableFuture<CodeInbox.Code> code = inbox.expect(number, CODE_WAIT);
    post(apiUrl + "/v1/verifications", "{\"to\": \"" + number + "\"}").whenComplete((response, error) -> {
      startLatency.recordValue(Math.min(MAX_LATENCY_NANOS, System.nanoTime() - intended));
      if (error != null || response.statusCode() != 201) {
        startFailed.incrementAndGet();
        statusCounts.merge(error != null ? -1 : response.statusCode(), "x", String::concat);
        inbox.forget(number, code);
        done();
        return;
      }
      started.incrementAndGet();
      String id;
      try {
        id = JSON.readTree(response.body()).get("id").asText();
      } catch (Exception e) {
        startFailed.incrementAndGet();
        inbox.forget(number, code);
        done();
        return;
      }
      code.whenComplete((received, timeout) -> {
        if (timeout != null) {
          codeNeverCame.incrementAndGet();
          inbox.forget(number, code);
          done();
        } else {
          check(id, received.code(), received.arrivedNanos());
        }
      });
    });
  }

  private void check(String id, String code, long intended) {
    post(apiUrl + "/v1/verifications/" + id + "/check", "{\"code\": \"" + code + "\"}").whenComplete((response, error) -> {
      checkLatency.recordValue(Math.min(MAX_LATENCY_NANOS, System.nanoTime() - intended));
      boolean ok = false;
      if (error == null && response.statusCode() == 200) {
        try {
          ok = "approved".equals(JSON.readTree(response.body()).get("status").asText());
        } catch (Exception e) {
          ok = false;
        }
      }
      if (ok) {
        approved.incrementAndGet();
        lastApprovedNanos = System.nanoTime();
      } else {
        notApproved.incrementAndGet();
        statusCounts.merge(error != null ? -2 : 1000 + response.statusCode(), "x", String::concat);
      }
      done();
    });
  }

  private void done() {
    inFlight.decrementAndGet();
  }

  private CompletableFuture<HttpResponse<String>> post(String url, String body) {
    return http.sendAsync(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + apiKey)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Distinct mobile numbers spread over five countries. */
  static String number(int i) {
    String prefix = PREFIXES.get(i % PREFIXES.size());
    int digits = prefix.equals("+447400") ? 6 : 7;
    int bound = digits == 6 ? 1_000_000 : 10_000_000;
    return prefix + String.format("%0" + digits + "d", (i / PREFIXES.size()) % bound);
  }
}
