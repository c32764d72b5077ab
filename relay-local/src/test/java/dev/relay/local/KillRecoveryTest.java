package dev.relay.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.kafka.embedded.FreePorts;
import dev.relay.kafka.embedded.HangingTransactions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole embedded deployment killed with SIGKILL under load (broker, services and simulator in one
 * process, as an OOM kill or a power cut takes them) and started again on the same data directory,
 * twice over (more with {@code -Drelay.tests.kill-cycles=N}; CI keeps two, the repeated runs of issue 17 multiply
 * them): after each restart every verification acknowledged before the kill is served (its
 * status readable and, while it is pending, a resend answered by the dispatcher) within 30 s of the
 * stack reporting ready, and none of these requests is answered 5xx or left without an answer: ready
 * means the dispatcher has worked off what waited for it (see {@code StartupBacklog}), so it answers
 * within the API's reply timeout. The stack runs in a child JVM started from the launcher's own main,
 * so the kill is a real one.
 */
@Tag("integration")
class KillRecoveryTest {

  private static final Logger LOG = LoggerFactory.getLogger(KillRecoveryTest.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  /** Kills per run: each costs a whole stack start (about a minute on 2 cores), so CI's run keeps two. */
  private static final int CYCLES = Integer.getInteger("relay.tests.kill-cycles", 2);
  /** Starts per second while the process is killed; enough for transactions to be open at every kill. */
  private static final int RATE = 10;
  private static final Duration LOAD = Duration.ofSeconds(8);
  /** The launcher's own wait for readiness, plus the JVM's and the broker's start on a busy machine. */
  private static final Duration READY_BOUND = RelayLocal.READY_TIMEOUT.plusSeconds(30);
  /** The promise: every acknowledged verification served within 30 s of the restart. */
  private static final Duration SERVED_BOUND = Duration.ofSeconds(30);
  /** Mobile numbers of five countries (prefix, then the digits left), so no prefix sees all the traffic. */
  private static final List<String> NUMBER_FORMATS = List.of("+49151%08d", "+33612%06d", "+44791%07d", "+34612%06d",
      "+39347%07d");

  @TempDir Path dataDir;
  private Process child;
  private Path childLog;
  private Ports ports;
  private String apiKey;

  record Ports(int kafka, int api, int dispatcher, int dlr, int scoring, int sim, int sender) {
    List<Integer> services() {
      return List.of(api, dispatcher, dlr, scoring, sim, sender);
    }
  }

  @AfterEach
  void killChild() {
    if (child != null) {
      child.destroyForcibly();
    }
  }

  @Test
  void everyAcknowledgedVerificationIsServedSoonAfterARestartFromKill9() throws Exception {
    ports = new Ports(FreePorts.pick(), FreePorts.pick(), FreePorts.pick(), FreePorts.pick(), FreePorts.pick(),
        FreePorts.pick(), FreePorts.pick());
    List<String> acknowledged = List.of();
    for (int cycle = 0; cycle <= CYCLES; cycle++) {
      long begin = System.nanoTime();
      child = startChild(cycle);
      awaitReady(cycle);
      long ready = System.nanoTime();
      LOG.info("start {}: ready {} ms after the process started", cycle, TimeUnit.NANOSECONDS.toMillis(ready - begin));
      apiKey = apiKey();
      put(simUrl("/sim/auto-verify"), "{\"enabled\": true, \"minDelay\": \"PT1S\", \"maxDelay\": \"PT3S\"}");
      if (cycle > 0) {
        assertServed(acknowledged, ready, cycle);
        // The cause behind stalls that no request above happened to cross: a transaction the killed
        // broker left open on a partition, which nothing would ever end.
        assertThat(HangingTransactions.find("127.0.0.1:" + ports.kafka(), Duration.ofSeconds(60)))
            .as("transactions left open for good after restart %d", cycle).isEmpty();
      }
      if (cycle == CYCLES) {
        break;
      }
      acknowledged = loadAndKill(cycle);
      assertThat(acknowledged).as("verifications acknowledged before kill %d", cycle + 1).isNotEmpty();
    }
  }

  private Process startChild(int cycle) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = List.of(java.toString(), "-Xmx768m", "-XX:+UseSerialGC",
        "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2",
        // Its broker picks its controller's port: from a slice no test JVM picks from (relay-local's pom).
        "-D" + FreePorts.SLICE_PROPERTY + "=" + System.getProperty(FreePorts.CHILD_SLICE_PROPERTY, ""),
        "-cp", System.getProperty("java.class.path"), RelayLocal.class.getName(),
        "--data-dir=" + dataDir, "--kafka-port=" + ports.kafka(), "--api-port=" + ports.api(),
        "--dispatcher-port=" + ports.dispatcher(), "--dlr-port=" + ports.dlr(), "--scoring-port=" + ports.scoring(),
        "--sim-port=" + ports.sim(), "--sender-port=" + ports.sender());
    // One log per run and start (the data directory's name is unique), so a repeated run keeps the failing one's.
    childLog = Path.of("target", "kill-recovery", dataDir.getFileName() + "-start-" + cycle + ".log").toAbsolutePath();
    Files.createDirectories(childLog.getParent());
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(childLog.toFile()).start();
  }

  private void awaitReady(int cycle) {
    try {
      await().atMost(READY_BOUND).pollInterval(Duration.ofMillis(200)).until(() -> {
        assertThat(child.isAlive()).as("the relay-local process is running (its log: %s)", childLog).isTrue();
        return readiness().values().stream().allMatch(status -> status == 200);
      });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("start " + cycle + " not ready within " + READY_BOUND + ", /health/ready by port: "
          + readiness() + "; the stack's log: " + childLog, e);
    }
  }

  /** Each service's {@code /health/ready} status by port; 0 where it does not answer. */
  private Map<Integer, Integer> readiness() {
    Map<Integer, Integer> statuses = new TreeMap<>();
    for (int port : ports.services()) {
      try {
        statuses.put(port, get("http://127.0.0.1:" + port + "/health/ready").statusCode());
      } catch (IOException e) {
        statuses.put(port, 0);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        statuses.put(port, 0);
      }
    }
    return statuses;
  }

  /** Starts verifications at {@link #RATE}/s for {@link #LOAD}, then SIGKILLs the process mid-traffic. */
  private List<String> loadAndKill(int cycle) throws Exception {
    List<String> acknowledged = new ArrayList<>();
    List<CompletableFuture<HttpResponse<String>>> inFlight = new CopyOnWriteArrayList<>();
    long interval = TimeUnit.SECONDS.toNanos(1) / RATE;
    int sent = (int) (LOAD.toNanos() / interval);
    ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
    try {
      ScheduledFuture<?> last = null;
      for (int i = 0; i < sent; i++) {
        String number = String.format(NUMBER_FORMATS.get(i % NUMBER_FORMATS.size()), cycle * 10_000 + i);
        last = pacer.schedule(() -> inFlight.add(HTTP.sendAsync(apiRequest("/v1/verifications").POST(
            HttpRequest.BodyPublishers.ofString("{\"to\": \"" + number + "\"}")).build(),
            HttpResponse.BodyHandlers.ofString())), i * interval, TimeUnit.NANOSECONDS);
      }
      last.get();
    } finally {
      pacer.shutdown();
    }
    // SIGKILL on Linux: no shutdown hook runs, the broker's files stay as the kill left them.
    child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    Map<String, Integer> answers = new TreeMap<>();
    for (CompletableFuture<HttpResponse<String>> future : inFlight) {
      try {
        HttpResponse<String> response = future.get(30, TimeUnit.SECONDS);
        answers.merge(String.valueOf(response.statusCode()), 1, Integer::sum);
        if (response.statusCode() == 200 || response.statusCode() == 201) {
          acknowledged.add(JSON.readTree(response.body()).get("id").asText());
        }
      } catch (java.util.concurrent.ExecutionException e) {
        answers.merge("no answer (killed)", 1, Integer::sum);
      }
    }
    LOG.info("kill {}: {} starts sent, answers {}", cycle + 1, sent, answers);
    return acknowledged;
  }

  /**
   * Every verification acknowledged before the kill is still known, and a pending one can still be
   * resent (the dispatcher answers: 200, or 409 when it ended meanwhile, or 429 when its number's
   * limit says wait), within {@link #SERVED_BOUND} of the stack saying it is ready.
   */
  private void assertServed(List<String> acknowledged, long ready, int cycle) throws Exception {
    Set<String> waiting = ConcurrentHashMap.newKeySet();
    waiting.addAll(acknowledged);
    List<String> unavailable = new CopyOnWriteArrayList<>();
    long deadline = ready + SERVED_BOUND.toNanos();
    // A few at once, as clients come back: the bound is on the stack, not on one client's pace.
    ExecutorService clients = Executors.newFixedThreadPool(4);
    try {
      while (!waiting.isEmpty() && System.nanoTime() < deadline) {
        List<Future<?>> round = new ArrayList<>();
        for (String id : List.copyOf(waiting)) {
          round.add(clients.submit(() -> {
            int code = serve(id);
            if (code >= 500) {
              unavailable.add(id + ": " + (code % 1000) + (code >= 1000 ? " to a resend" : " to a status read"));
            } else if (code == 200) {
              waiting.remove(id);
            } else {
              throw new AssertionError("acknowledged " + id + " answered " + code);
            }
            return null;
          }));
        }
        for (Future<?> check : round) {
          check.get();
        }
      }
    } finally {
      clients.shutdownNow();
    }
    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ready);
    LOG.info("restart {}: {} of {} acknowledged verifications served within {} ms of ready; {} answers 5xx {}",
        cycle, acknowledged.size() - waiting.size(), acknowledged.size(), took, unavailable.size(),
        unavailable.subList(0, Math.min(5, unavailable.size())));
    assertThat(waiting).as("acknowledged verifications not served within %s of ready", SERVED_BOUND).isEmpty();
    // Ready means answering: a request the stack let time out after saying so is a broken promise.
    assertThat(unavailable).as("requests answered 5xx (or not at all) after ready, restart %d", cycle).isEmpty();
  }

  /**
   * 200 when served: its status read and, while pending, a resend answered by the dispatcher; a resend's
   * failure is told from a status read's by 1000 added to its code.
   */
  private int serve(String id) throws IOException, InterruptedException {
    HttpResponse<String> status = send(apiRequest("/v1/verifications/" + id).GET().build());
    if (status.statusCode() != 200 || !"pending".equals(JSON.readTree(status.body()).path("status").asText())) {
      return status.statusCode();
    }
    int resend = send(apiRequest("/v1/verifications/" + id + "/resend").POST(HttpRequest.BodyPublishers.ofString("{}"))
        .build()).statusCode();
    // 409: it ended meanwhile; 429: its number's limit says wait. Either is the dispatcher's answer.
    return resend == 409 || resend == 429 ? 200 : resend >= 500 ? 1000 + resend : resend;
  }

  private HttpRequest.Builder apiRequest(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.api() + path))
        .timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + apiKey)
        .header("Content-Type", "application/json");
  }

  private String simUrl(String path) {
    return "http://127.0.0.1:" + ports.sim() + path;
  }

  private String apiKey() throws IOException {
    return Files.readAllLines(dataDir.resolve("secrets.properties")).stream()
        .filter(line -> line.startsWith(LocalSecrets.API_KEY + "="))
        .map(line -> line.substring(LocalSecrets.API_KEY.length() + 1))
        .findFirst().orElseThrow();
  }

  private static HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (java.net.http.HttpTimeoutException e) {
      return new TimedOut(request);
    }
  }

  private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void put(String url, String body) throws IOException, InterruptedException {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  /** A request that got no answer within its timeout, counted as a 504 would be. */
  private record TimedOut(HttpRequest request) implements HttpResponse<String> {
    @Override public int statusCode() { return 504; }
    @Override public java.util.Optional<HttpResponse<String>> previousResponse() { return java.util.Optional.empty(); }
    @Override public java.net.http.HttpHeaders headers() { return java.net.http.HttpHeaders.of(Map.of(), (a, b) -> true); }
    @Override public String body() { return ""; }
    @Override public java.util.Optional<javax.net.ssl.SSLSession> sslSession() { return java.util.Optional.empty(); }
    @Override public URI uri() { return request.uri(); }
    @Override public HttpClient.Version version() { return HttpClient.Version.HTTP_1_1; }
  }
}
