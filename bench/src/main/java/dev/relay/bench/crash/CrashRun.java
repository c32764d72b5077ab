package dev.relay.bench.crash;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.relay.bench.CommandLineFlags;
import dev.relay.bench.SimLatency;
import dev.relay.schemas.topics.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Kills the whole embedded stack under load and checks that nothing it acknowledged is lost: people start
 * verifications at a steady rate, read their codes at the handset and check them; partway through, the
 * process of {@code relay-local.sh} gets {@code SIGKILL} (broker, services and simulator at once, as a
 * machine's crash or an OOM kill would) and is launched again on the same data at once, while people go on.
 * Afterwards each acknowledged verification is followed up as its person would ({@link FollowUp}).
 *
 * <p>Writes {@code crash.md}, {@code crash.json}, {@code starts.csv} (every start: when it went out and was
 * answered, how) and the two launches' logs to {@code --out}.
 *
 * <pre>./crash-run.sh [--rate=25] [--duration=40s] [--kill-at=15s] [--provider-latency=200ms] [--out=crash-results]
 *     [--launcher=relay-local.sh]</pre>
 */
public final class CrashRun {

  /** How long the first launch may take to serve a start (a cold JVM, a first build's topics). */
  private static final Duration FIRST_SERVE_LIMIT = Duration.ofMinutes(3);
  /** How long a person keeps looking at their phone for the code during the run, and after a resend. */
  private static final Duration CODE_PATIENCE = Duration.ofSeconds(10);
  private static final Duration FOLLOW_UP_PATIENCE = Duration.ofSeconds(60);
  /** A code arrives in well under a second on a stack that serves (the vendors' 200 ms included). */
  private static final Duration HANDSET_POLL = Duration.ofSeconds(1);
  /** Mobile numbers of one German range, one per person. */
  private static final String NUMBER_RANGE = "+491512";
  /** The range's last million numbers are the probes' ({@link #awaitServing}); people take theirs from 0. */
  private static final int PROBE_NUMBERS_FROM = 9_000_000;
  private static final AtomicInteger PROBES = new AtomicInteger();

  private CrashRun() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> flags = CommandLineFlags.parse(args);
    double rate = Double.parseDouble(flags.getOrDefault("rate", "25"));
    Duration duration = Durations.parse(flags.getOrDefault("duration", "40s"));
    Duration killAt = Durations.parse(flags.getOrDefault("kill-at", "15s"));
    // As real vendor APIs answer: with it, sends are in flight at the kill.
    Duration providerLatency = Durations.parse(flags.getOrDefault("provider-latency", "200ms"));
    if (rate <= 0 || killAt.compareTo(duration) >= 0 || rate * duration.toSeconds() > PROBE_NUMBERS_FROM) {
      throw new IllegalArgumentException("--rate must be positive, --kill-at within --duration, and at most "
          + PROBE_NUMBERS_FROM + " people in all");
    }
    Path out = Files.createDirectories(Path.of(flags.getOrDefault("out", "crash-results")));
    Path launcher = Path.of(flags.getOrDefault("launcher", "relay-local.sh")).toAbsolutePath();
    Path dataDir = Files.createTempDirectory("relay-crash");
    StackPorts ports = StackPorts.free();

    LaunchedStack stack = LaunchedStack.launch(launcher, dataDir, ports, out.resolve("stack-1.log"));
    boolean lostAny;
    try {
      RelayApi api = new HttpRelayApi(ports.apiUrl(), ports.simUrl(), awaitFirstServed(stack, ports));
      SimLatency.apply(ports.simUrl(), providerLatency);
      List<Person> people = new CopyOnWriteArrayList<>();
      Played played = playAndKill(stack, api, people, new Load(rate, duration, killAt, providerLatency, ports), out);
      stack = played.stack();
      // People come back to a stack that serves again, however soon after the kill the load ended.
      awaitServing(api, FIRST_SERVE_LIMIT);
      followUp(api, people);
      CrashReport report = new CrashReport(people, played.killedAtSeconds());
      String markdown = report.markdown();
      // Kept for a look at what a lost verification left behind (./relay-local.sh --data-dir=... serves it again).
      System.out.println("stack data: " + dataDir);
      System.out.print(markdown);
      Files.writeString(out.resolve("crash.md"), markdown);
      Map<String, Object> figures = new LinkedHashMap<>(Map.of("when", Instant.now().toString(), "rate", rate,
          "providerLatencyMillis", providerLatency.toMillis()));
      figures.putAll(report.figures());
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("crash.json").toFile(), figures);
      Files.write(out.resolve("starts.csv"), report.startsCsv());
      lostAny = !report.lost().isEmpty();
    } finally {
      stack.stop();
    }
    System.exit(lostAny ? 1 : 0);
  }

  /** The API key, once the first launch has served a start. */
  private static String awaitFirstServed(LaunchedStack stack, StackPorts ports) throws Exception {
    long deadline = System.nanoTime() + FIRST_SERVE_LIMIT.toNanos();
    Optional<String> key = stack.apiKey();
    while (key.isEmpty() && System.nanoTime() - deadline < 0) {
      Thread.sleep(500);
      key = stack.apiKey();
    }
    if (key.isEmpty()) {
      throw new IllegalStateException("the stack created no API key within " + FIRST_SERVE_LIMIT.toSeconds() + " s");
    }
    awaitServing(new HttpRelayApi(ports.apiUrl(), ports.simUrl(), key.get()),
        Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    return key.get();
  }

  /**
   * Until the stack answers a start with 201: throwaway verifications, each on a number of its own (a number's
   * second start is no new verification, and its sends are limited), above those of the people.
   */
  private static void awaitServing(RelayApi api, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (api.start(NUMBER_RANGE + (PROBE_NUMBERS_FROM + PROBES.getAndIncrement())).status() != 201) {
      if (System.nanoTime() - deadline >= 0) {
        throw new IllegalStateException("the stack served no start within " + limit.toSeconds() + " s");
      }
      Thread.sleep(500);
    }
  }

  /** The relaunched stack, and when the killed one was gone (seconds after the load began). */
  private record Played(LaunchedStack stack, double killedAtSeconds) {}

  /** What the people do: start at {@code rate} for {@code duration}; the stack is killed at {@code killAt}. */
  private record Load(double rate, Duration duration, Duration killAt, Duration providerLatency, StackPorts ports) {}

  /** Plays the people, killing and relaunching the stack on the way. */
  private static Played playAndKill(LaunchedStack stack, RelayApi api, List<Person> people, Load load, Path out)
      throws Exception {
    Handset handset = new Handset(api, CODE_PATIENCE, HANDSET_POLL);
    ExecutorService players = Executors.newCachedThreadPool();
    long begin = System.nanoTime();
    double killedAt = -1;
    for (int i = 0; ; i++) {
      long due = begin + (long) (i * 1e9 / load.rate());
      if (due - begin >= load.duration().toNanos()) {
        break;
      }
      if (killedAt < 0 && due - begin >= load.killAt().toNanos()) {
        sleepUntil(begin + load.killAt().toNanos());
        stack.kill();
        killedAt = (System.nanoTime() - begin) / 1e9;
        stack = stack.relaunch(out.resolve("stack-2.log"));
        players.execute(() -> reapplyLatency(load));
      }
      sleepUntil(due);
      Person person = new Person(NUMBER_RANGE + String.format("%07d", i), (System.nanoTime() - begin) / 1e9);
      people.add(person);
      players.execute(() -> play(person, api, handset, begin));
    }
    players.shutdown();
    if (!players.awaitTermination(2, TimeUnit.MINUTES)) {
      throw new IllegalStateException("people still waiting on the stack 2 minutes after the load ended");
    }
    return new Played(stack, killedAt);
  }

  /** The simulator forgets its latency with the process: set it again as soon as the relaunched one answers. */
  private static void reapplyLatency(Load load) {
    long deadline = System.nanoTime() + FIRST_SERVE_LIMIT.toNanos();
    try {
      while (true) {
        try {
          SimLatency.apply(load.ports().simUrl(), load.providerLatency());
          return;
        } catch (IOException e) {
          if (System.nanoTime() - deadline >= 0) {
            System.err.println("the relaunched simulator took no latency: " + e);
            return;
          }
          Thread.sleep(200);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void play(Person person, RelayApi api, Handset handset, long begin) {
    person.start = api.start(person.number);
    person.startAnsweredAtSeconds = (System.nanoTime() - begin) / 1e9;
    if (!person.acknowledged()) {
      return;
    }
    try {
      handset.awaitCode(person.number).ifPresent(code -> {
        person.code = code;
        person.check = api.check(person.verificationId(), code);
      });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void followUp(RelayApi api, List<Person> people) throws InterruptedException {
    FollowUp followUp = new FollowUp(api, new Handset(api, FOLLOW_UP_PATIENCE, HANDSET_POLL));
    ExecutorService followers = Executors.newFixedThreadPool(50);
    for (Person person : people) {
      if (person.acknowledged()) {
        followers.execute(() -> {
          try {
            followUp.settle(person);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
      }
    }
    followers.shutdown();
    if (!followers.awaitTermination(5, TimeUnit.MINUTES)) {
      throw new IllegalStateException("the follow-up did not end within 5 minutes");
    }
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long wait = nanoTime - System.nanoTime();
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }
}
