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
 * patience) and then gives up, may press resend once while waiting; once the code is there, they
 * take a while to type it (their typing time) and check it. The people are drawn from {@link People}
 * with a fixed seed, so every routing mode meets the same people. During a demand-side drop the
 * people get their codes and do not enter them.
 */
final class StudyUsers {

  /** NOT_ENTERED: the code arrived in time, but the person (in a demand-side drop) never entered it. */
  enum Fate { PENDING, START_FAILED, ABANDONED, APPROVED, NOT_APPROVED, NOT_ENTERED }

  /** One person's verification, as seen from their side. */
  static final class Verification {
    final Scenario scenario;
    final String number;
    final Instant startedAt;
    final People.Person person;
    volatile String id;
    volatile boolean resent;
    volatile Instant codeAt;
    volatile Instant approvedAt;
    volatile Fate fate = Fate.PENDING;

    Verification(Scenario scenario, String number, Instant startedAt, People.Person person) {
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
  private final People people;
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
  /** Resends pressed, by HTTP status of their answer (-1: no answer). */
  private final Map<Integer, Integer> resends = new ConcurrentHashMap<>();
  private volatile Instant notEnteringFrom = Instant.MAX;
  private volatile Instant notEnteringTo = Instant.MAX;

  StudyUsers(String apiUrl, String simUrl, String apiKey, People people, long seed) {
    this.apiUrl = apiUrl;
    this.simUrl = simUrl;
    this.apiKey = apiKey;
    this.people = people;
    this.seed = seed;
  }

  /** A demand-side drop: the people whose verification starts in [from, to) get their code and never enter it. */
  void stopEnteringCodes(Instant from, Instant to) {
    notEnteringFrom = from;
    notEnteringTo = to;
  }

  /**
   * Starts {@code perCountry} verifications a second in each of the scenarios' countries for {@code duration}
   * (blocking the caller), then returns; the people keep playing out their verifications.
   */
  void offer(List<Scenario> countries, int perCountry, Duration duration) {
    Scenario[] scenarios = countries.toArray(Scenario[]::new);
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
          people.person(seed, n));
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

  /** Resends the people pressed, by HTTP status of the answer, -1 for no answer at all. */
  Map<Integer, Integer> resends() {
    return Map.copyOf(resends);
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
        if (!v.startedAt.isBefore(notEnteringFrom) && v.startedAt.isBefore(notEnteringTo)) {
          finish(v, Fate.NOT_ENTERED);
          return;
        }
        String seen = code;
        long typedIn = Duration.between(Instant.now(), receivedAt.plus(v.person.typing())).toMillis();
        timers.schedule(() -> check(v, seen), Math.max(0, typedIn), TimeUnit.MILLISECONDS);
      } else if (code != null || Instant.now().isAfter(giveUpAt)) {
        finish(v, Fate.ABANDONED);
      } else {
        Duration resendAfter = v.person.resendAfter();
        if (resendAfter != null && !v.resent && !Instant.now().isBefore(v.startedAt.plus(resendAfter))) {
          v.resent = true;
          resend(v);
        }
        timers.schedule(() -> watchInbox(v), INBOX_POLL.toMillis(), TimeUnit.MILLISECONDS);
      }
    });
  }

  /** The person presses resend: the API sends the same code again (the route is Relay's choice). */
  private void resend(Verification v) {
    post(apiUrl + "/v1/verifications/" + v.id + "/resend", "{}").whenComplete((response, error) ->
        resends.merge(error != null ? -1 : response.statusCode(), 1, Integer::sum));
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
