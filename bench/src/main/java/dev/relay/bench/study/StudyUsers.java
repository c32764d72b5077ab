package dev.relay.bench.study;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The people being verified, open loop like the benchmark's {@code LoadRun}: verifications start on a
 * fixed schedule through the public API, round-robin over the scenarios' countries, and each person
 * watches their handset inbox on the simulator. A person waits for the code only so long (their
 * patience) and then gives up; once it is there, they take a while to type it (their typing time)
 * and check it. Patience and typing time are drawn per person from a fixed seed, so every routing
 * mode meets the same people.
 */
final class StudyUsers {

  /** How long a person waits for a code before giving up, and how long they take to type it once seen. */
  record Person(Duration patience, Duration typing) {}

  enum Fate { PENDING, START_FAILED, ABANDONED, APPROVED, NOT_APPROVED }

  /** One person's verification, as seen from their side. */
  static final class Verification {
    final Scenario scenario;
    final String number;
    final Instant startedAt;
    final Person person;
    volatile String id;
    volatile Instant codeAt;
    volatile Instant approvedAt;
    volatile Fate fate = Fate.PENDING;

    Verification(Scenario scenario, String number, Instant startedAt, Person person) {
      this.scenario = scenario;
      this.number = number;
      this.startedAt = startedAt;
      this.person = person;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  /** The inbox's receivedAt is what counts for patience and typing, so the poll period only adds load, not error. */
  private static final Duration INBOX_POLL = Duration.ofMillis(250);

  private final String apiUrl;
  private final String simUrl;
  private final String apiKey;
  private final Duration minPatience;
  private final Duration maxPatience;
  private final Duration minTyping;
  private final Duration maxTyping;
  private final long seed;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2, r -> {
    Thread thread = new Thread(r, "study-users");
    thread.setDaemon(true);
    return thread;
  });
  private final List<Verification> verifications = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger open = new AtomicInteger();
  /** Why starts failed: HTTP status (-1: no answer) to count, and the first few answers to print. */
  private final Map<Integer, Integer> startFailures = new ConcurrentHashMap<>();
  private final AtomicInteger printed = new AtomicInteger();

  StudyUsers(String apiUrl, String simUrl, String apiKey, Duration minPatience, Duration maxPatience,
      Duration minTyping, Duration maxTyping, long seed) {
    this.apiUrl = apiUrl;
    this.simUrl = simUrl;
    this.apiKey = apiKey;
    this.minPatience = minPatience;
    this.maxPatience = maxPatience;
    this.minTyping = minTyping;
    this.maxTyping = maxTyping;
    this.seed = seed;
  }

  /** The i-th person: the same in every run with the same seed. */
  static Person person(long seed, int i, Duration minPatience, Duration maxPatience, Duration minTyping, Duration maxTyping) {
    SplittableRandom random = new SplittableRandom(seed * 1_000_003L + i);
    return new Person(between(random, minPatience, maxPatience), between(random, minTyping, maxTyping));
  }

  private static Duration between(SplittableRandom random, Duration min, Duration max) {
    long span = max.toMillis() - min.toMillis();
    return min.plusMillis(span <= 0 ? 0 : random.nextLong(span + 1));
  }

  /**
   * Starts {@code perCountry} verifications a second in each scenario's country for {@code duration}
   * (blocking the caller), then returns; the people keep playing out their verifications.
   */
  void offer(int perCountry, Duration duration) {
    Scenario[] scenarios = Scenario.values();
    long rate = (long) perCountry * scenarios.length;
    long period = TimeUnit.SECONDS.toNanos(1) / rate;
    long total = rate * duration.toSeconds();
    long begin = System.nanoTime();
    Instant beginWall = Instant.now();
    for (int i = 0; i < total; i++) {
      long intended = begin + i * period;
      long wait;
      while ((wait = intended - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      Scenario scenario = scenarios[i % scenarios.length];
      int n = i / scenarios.length;
      Verification v = new Verification(scenario, scenario.number(n), beginWall.plusNanos(intended - begin),
          person(seed, n, minPatience, maxPatience, minTyping, maxTyping));
      verifications.add(v);
      open.incrementAndGet();
      start(v);
    }
  }

  /** Waits until every person has approved, given up or failed, or {@code timeout} passed; true when all did. */
  boolean awaitAll(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (open.get() > 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
    return open.get() == 0;
  }

  List<Verification> verifications() {
    synchronized (verifications) {
      return List.copyOf(verifications);
    }
  }

  /** Failed starts by HTTP status, -1 for no answer at all. */
  Map<Integer, Integer> startFailures() {
    return Map.copyOf(startFailures);
  }

  void close() {
    timers.shutdownNow();
  }

  private void start(Verification v) {
    post(apiUrl + "/v1/verifications", "{\"to\": \"" + v.number + "\"}").whenComplete((response, error) -> {
      try {
        if (error != null || response.statusCode() != 201) {
          startFailures.merge(error != null ? -1 : response.statusCode(), 1, Integer::sum);
          if (printed.incrementAndGet() <= 3) {
            System.out.println("   a start failed: " + (error != null ? error : response.statusCode() + " " + response.body()));
          }
          finish(v, Fate.START_FAILED);
          return;
        }
        v.id = JSON.readTree(response.body()).get("id").asText();
        watchInbox(v);
      } catch (Exception e) {
        finish(v, Fate.START_FAILED);
      }
    });
  }

  private void watchInbox(Verification v) {
    get(simUrl + "/sim/handsets/" + v.number + "/messages").whenComplete((response, error) -> {
      Instant giveUpAt = v.startedAt.plus(v.person.patience());
      String code = null;
      Instant receivedAt = null;
      if (error == null && response.statusCode() == 200) {
        try {
          for (JsonNode message : JSON.readTree(response.body())) {
            String text = message.path("code").asText("");
            if (!text.isEmpty()) {
              // The first code to arrive is the one the person reads; a failover resends the same code.
              code = text;
              receivedAt = Instant.parse(message.get("receivedAt").asText());
              break;
            }
          }
        } catch (Exception e) {
          code = null;
        }
      }
      if (code != null && !receivedAt.isAfter(giveUpAt)) {
        v.codeAt = receivedAt;
        String seen = code;
        long typedIn = Duration.between(Instant.now(), receivedAt.plus(v.person.typing())).toMillis();
        timers.schedule(() -> check(v, seen), Math.max(0, typedIn), TimeUnit.MILLISECONDS);
      } else if (code != null || Instant.now().isAfter(giveUpAt)) {
        finish(v, Fate.ABANDONED);
      } else {
        timers.schedule(() -> watchInbox(v), INBOX_POLL.toMillis(), TimeUnit.MILLISECONDS);
      }
    });
  }

  private void check(Verification v, String code) {
    post(apiUrl + "/v1/verifications/" + v.id + "/check", "{\"code\": \"" + code + "\"}").whenComplete((response, error) -> {
      boolean approved = false;
      if (error == null && response.statusCode() == 200) {
        try {
          approved = "approved".equals(JSON.readTree(response.body()).path("status").asText());
        } catch (Exception e) {
          approved = false;
        }
      }
      if (approved) {
        v.approvedAt = Instant.now();
      }
      finish(v, approved ? Fate.APPROVED : Fate.NOT_APPROVED);
    });
  }

  private void finish(Verification v, Fate fate) {
    v.fate = fate;
    open.decrementAndGet();
  }

  private CompletableFuture<HttpResponse<String>> post(String url, String body) {
    return http.sendAsync(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + apiKey)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private CompletableFuture<HttpResponse<String>> get(String url) {
    return http.sendAsync(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
