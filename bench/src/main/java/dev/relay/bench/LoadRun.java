package dev.relay.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.support.http.HttpClients;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The user side of the benchmark, open loop: verifications are started on a fixed schedule (one every
 * 1/rate seconds, whatever the answers do), and a start's latency runs from its scheduled time, so a
 * stall shows in the figures instead of quietly lowering the offered rate (no coordinated omission).
 * Each started verification is then played out as a person would: the code is taken from the
 * simulated handset the moment it arrives ({@link CodeInbox}) and checked at once through the API;
 * the check's latency runs from that moment.
 *
 * <p>Only answered requests (2xx) go into the latency histograms: a refusal and a timeout are counted
 * beside them ({@link Answers}), 503s apart from 504s, so an overload run shows how much was refused
 * at the door (and how fast) against how much waited out the reply timeout.
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
  private final HttpClient http = HttpClients.build(ProcessSampler.BENCH,
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)));

  final Recorder startLatency = new Recorder(MAX_LATENCY_NANOS, 3);
  final Recorder checkLatency = new Recorder(MAX_LATENCY_NANOS, 3);
  /** From the start's intended send to its code at the handset: what the person waits before typing. */
  final Recorder codeLatency = new Recorder(MAX_LATENCY_NANOS, 3);
  /** {@code GET /v1/verifications/{id}} answered 200, from the code's arrival (the read goes out beside the check). */
  final Recorder statusReadLatency = new Recorder(MAX_LATENCY_NANOS, 3);
  final Answers startAnswers = new Answers();
  final Answers checkAnswers = new Answers();
  final Answers statusReadAnswers = new Answers();
  final AtomicLong started = new AtomicLong();
  final AtomicLong startFailed = new AtomicLong();
  final AtomicLong approved = new AtomicLong();
  final AtomicLong notApproved = new AtomicLong();
  final AtomicLong codeNeverCame = new AtomicLong();
  /** Verifications whose person got the code and never typed it ({@code abandonEvery}). */
  final AtomicLong abandoned = new AtomicLong();
  /** Failed answers by status: a start's as is, a check's 1000 + it, a status read's 2000 + it; -1, -2, -3 for no answer. */
  final ConcurrentHashMap<Integer, String> statusCounts = new ConcurrentHashMap<>();
  private final String apiKey;
  private final AtomicLong inFlight = new AtomicLong();
  private volatile long lastApprovedNanos;

  private final IntFunction<String> numbers;
  private final CodeInbox inbox;
  private final int abandonEvery;
  private final int statusReadEvery;

  /**
   * @param abandonEvery every so many verifications the person gives up once the code has arrived and never
   *     checks it, so the verification runs out its life and its expiry fires (0: everybody checks)
   * @param statusReadEvery every so many verifications the app reads the verification's status once the code
   *     has arrived, beside the check, as an app that shows "waiting for your code" does (0: none)
   */
  LoadRun(String apiUrl, CodeInbox inbox, String apiKey, int abandonEvery, int statusReadEvery) {
    this(apiUrl, inbox, apiKey, LoadRun::number, abandonEvery, statusReadEvery);
  }

  /** @param numbers the number of the i-th verification started */
  LoadRun(String apiUrl, CodeInbox inbox, String apiKey, IntFunction<String> numbers) {
    this(apiUrl, inbox, apiKey, numbers, 0, 0);
  }

  private LoadRun(String apiUrl, CodeInbox inbox, String apiKey, IntFunction<String> numbers, int abandonEvery,
      int statusReadEvery) {
    this.apiUrl = apiUrl;
    this.inbox = inbox;
    this.apiKey = apiKey;
    this.numbers = numbers;
    this.abandonEvery = abandonEvery;
    this.statusReadEvery = statusReadEvery;
  }

  /** Offers {@code rate} starts a second for {@code duration}, then waits for the stragglers. */
  Result run(int rate, Duration duration, int numberOffset) {
    long period = TimeUnit.SECONDS.toNanos(1) / rate;
    long total = rate * duration.toSeconds();
    long begin = System.nanoTime();
    Timeline timeline = Timeline.sampling(begin, (int) duration.toSeconds());
    try {
      for (long i = 0; i < total && !Thread.currentThread().isInterrupted(); i++) {
        long intended = begin + i * period;
        long wait;
        while ((wait = intended - System.nanoTime()) > 0 && !Thread.currentThread().isInterrupted()) {
          LockSupport.parkNanos(wait);
        }
        inFlight.incrementAndGet();
        timeline.offered(intended);
        // Counted within each country (numbers go round the prefixes): one prefix that nobody completes is
        // what SMS pumping looks like, and the dispatcher would rightly block it.
        boolean givesUp = abandonEvery > 0 && (i / PREFIXES.size()) % abandonEvery == abandonEvery - 1;
        boolean readsStatus = statusReadEvery > 0 && i % statusReadEvery == 0;
        startOne(numbers.apply(numberOffset + (int) i), intended, timeline, givesUp, readsStatus);
      }
    } finally {
      // Only the offered seconds have a place for their collection time.
      timeline.close();
    }
    long offeredEnd = System.nanoTime();
    long deadline = offeredEnd + TimeUnit.SECONDS.toNanos(60);
    while (inFlight.get() > 0 && System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
    long end = lastApprovedNanos == 0 ? System.nanoTime() : lastApprovedNanos;
    return new Result(total, Duration.ofNanos(offeredEnd - begin), Duration.ofNanos(end - begin),
        startLatency.getIntervalHistogram(), checkLatency.getIntervalHistogram(), codeLatency.getIntervalHistogram(),
        startAnswers.refusalLatency.getIntervalHistogram(), checkAnswers.refusalLatency.getIntervalHistogram(),
        statusReadLatency.getIntervalHistogram(), inFlight.get(), timeline.seconds());
  }

  /**
   * @param startRefusals how long the API took to refuse a start with 503, apart from the answered starts
   * @param statusReads the status reads answered 200 (the others counted in {@link #statusReadAnswers})
   * @param seconds the phase second by second ({@link Timeline#seconds()})
   */
  record Result(long offered, Duration offeredFor, Duration completedIn, Histogram starts, Histogram checks, Histogram codes,
      Histogram startRefusals, Histogram checkRefusals, Histogram statusReads, long unfinished,
      List<Map<String, Object>> seconds) {}

  /**
   * How the API answered one kind of request. A 503 means it was not taken (overload at the door, or
   * Kafka unavailable): the caller may retry after Retry-After. A 504 means it was taken and not
   * answered within the API's reply timeout: the failure overload control exists to avoid.
   */
  static final class Answers {
    final AtomicLong answered = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong overloaded = new AtomicLong();
    final AtomicLong timedOut = new AtomicLong();
    final AtomicLong otherFailed = new AtomicLong();
    final Recorder refusalLatency = new Recorder(MAX_LATENCY_NANOS, 3);

    /**
     * Counts a failed answer; {@code response} is null when the request got no HTTP answer at all.
     * Returns whether it was a refusal (503).
     */
    boolean failed(HttpResponse<String> response, long latencyNanos) {
      int status = response == null ? -1 : response.statusCode();
      if (status == 503) {
        refused.incrementAndGet();
        refusalLatency.recordValue(Math.min(MAX_LATENCY_NANOS, latencyNanos));
        if ("overloaded".equals(errorCode(response))) {
          overloaded.incrementAndGet();
        }
        return true;
      }
      if (status == 504) {
        timedOut.incrementAndGet();
      } else {
        otherFailed.incrementAndGet();
      }
      return false;
    }

    private static String errorCode(HttpResponse<String> response) {
      try {
        return JSON.readTree(response.body()).path("error").asText();
      } catch (Exception e) {
        return "";
      }
    }
  }

  private void startOne(String number, long intended, Timeline timeline, boolean givesUp, boolean readsStatus) {
    // Expected before the start is sent: the code may reach the handset before the API answers.
    CompletableFuture<CodeInbox.Code> code = inbox.expect(number, CODE_WAIT);
    post(apiUrl + "/v1/verifications", "{\"to\": \"" + number + "\"}").whenComplete((response, error) -> {
      long latency = System.nanoTime() - intended;
      if (error != null || response.statusCode() != 201) {
        startFailed.incrementAndGet();
        if (startAnswers.failed(error != null ? null : response, latency)) {
          timeline.refused(intended);
        }
        statusCounts.merge(error != null ? -1 : response.statusCode(), "x", String::concat);
        inbox.forget(number, code);
        done();
        return;
      }
      started.incrementAndGet();
      startAnswers.answered.incrementAndGet();
      startLatency.recordValue(Math.min(MAX_LATENCY_NANOS, latency));
      timeline.answered(intended, latency);
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
          codeLatency.recordValue(Math.min(MAX_LATENCY_NANOS, Math.max(0, received.arrivedNanos() - intended)));
          if (readsStatus) {
            readStatus(id, received.arrivedNanos());
          }
          if (givesUp) {
            abandoned.incrementAndGet();
            done();
          } else {
            check(id, received.code(), received.arrivedNanos());
          }
        }
      });
    });
  }

  private void check(String id, String code, long intended) {
    post(apiUrl + "/v1/verifications/" + id + "/check", "{\"code\": \"" + code + "\"}").whenComplete((response, error) -> {
      long latency = System.nanoTime() - intended;
      boolean ok = false;
      if (error == null && response.statusCode() == 200) {
        checkAnswers.answered.incrementAndGet();
        checkLatency.recordValue(Math.min(MAX_LATENCY_NANOS, latency));
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
        if (error != null || response.statusCode() != 200) {
          checkAnswers.failed(error != null ? null : response, latency);
        }
        statusCounts.merge(error != null ? -2 : 1000 + response.statusCode(), "x", String::concat);
      }
      done();
    });
  }

  private void readStatus(String id, long intended) {
    inFlight.incrementAndGet();
    http.sendAsync(request(apiUrl + "/v1/verifications/" + id).GET().build(), HttpResponse.BodyHandlers.ofString())
        .whenComplete((response, error) -> {
          long latency = System.nanoTime() - intended;
          if (error == null && response.statusCode() == 200 && id.equals(idIn(response))) {
            statusReadAnswers.answered.incrementAndGet();
            statusReadLatency.recordValue(Math.min(MAX_LATENCY_NANOS, latency));
          } else {
            // A 200 for another verification is no answer either: counted with the failures.
            statusReadAnswers.failed(error != null ? null : response, latency);
            statusCounts.merge(error != null ? -3 : 2000 + response.statusCode(), "x", String::concat);
          }
          done();
        });
  }

  private static String idIn(HttpResponse<String> response) {
    try {
      return JSON.readTree(response.body()).path("id").asText();
    } catch (Exception e) {
      return "";
    }
  }

  private void done() {
    inFlight.decrementAndGet();
  }

  private CompletableFuture<HttpResponse<String>> post(String url, String body) {
    return http.sendAsync(request(url).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A request to the API as the load's users make them: their key, and a bound on the wait. */
  private HttpRequest.Builder request(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + apiKey);
  }

  /** Distinct mobile numbers spread over five countries. */
  static String number(int i) {
    String prefix = PREFIXES.get(i % PREFIXES.size());
    int digits = prefix.equals("+447400") ? 6 : 7;
    int bound = digits == 6 ? 1_000_000 : 10_000_000;
    return prefix + String.format("%0" + digits + "d", (i / PREFIXES.size()) % bound);
  }
}
