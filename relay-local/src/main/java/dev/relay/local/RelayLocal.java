package dev.relay.local;

import dev.relay.local.LocalStack.LocalStackSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * {@code relay-local}: runs the whole system on this machine until Ctrl-C. Flags:
 * {@code --data-dir=./data --kafka-port=9092 --api-port=8080 --dispatcher-port=8081 --dlr-port=8082
 * --scoring-port=8083 --sender-port=8084 --sim-port=8090}.
 */
public final class RelayLocal {

  /** How long the banner waits for every service to report ready (Streams apps restore state first). */
  static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

  private RelayLocal() {}

  public static void main(String[] args) throws InterruptedException {
    LocalStackSettings settings;
    try {
      settings = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("relay-local: " + e.getMessage());
      System.exit(2);
      return;
    }
    LocalStack stack = new LocalStack(settings);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("\nrelay-local: stopping...");
      stack.close();
      stopped.countDown();
    }, "relay-local-shutdown"));
    long started = System.nanoTime();
    try {
      stack.start();
    } catch (RuntimeException e) {
      System.err.println("relay-local: could not start: " + e.getMessage());
      e.printStackTrace();
      System.exit(1);
    }
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (!stack.isReady() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    if (!stack.isReady()) {
      System.err.println("relay-local: not every service is ready after " + READY_TIMEOUT.toSeconds()
          + " s; still waiting (see /health of each service)");
    }
    System.out.println(Banner.of(stack, (System.nanoTime() - started) / 1_000_000));
    stopped.await();
  }

  static LocalStackSettings parse(String[] args) {
    LocalStackSettings defaults = LocalStackSettings.defaults(Path.of("data"));
    Path dataDir = defaults.dataDir();
    int kafka = defaults.kafkaPort();
    int api = defaults.apiPort();
    int dispatcher = defaults.dispatcherPort();
    int dlr = defaults.dlrPort();
    int scoring = defaults.scoringPort();
    int sim = defaults.simPort();
    int sender = defaults.senderPort();
    for (String arg : args) {
      int equals = arg.indexOf('=');
      if (!arg.startsWith("--") || equals < 0) {
        throw new IllegalArgumentException("unknown argument '" + arg + "' (flags are --name=value)");
      }
      String name = arg.substring(2, equals);
      String value = arg.substring(equals + 1);
      switch (name) {
        case "data-dir" -> dataDir = Path.of(value);
        case "kafka-port" -> kafka = port(name, value);
        case "api-port" -> api = port(name, value);
        case "dispatcher-port" -> dispatcher = port(name, value);
        case "dlr-port" -> dlr = port(name, value);
        case "scoring-port" -> scoring = port(name, value);
        case "sim-port" -> sim = port(name, value);
        case "sender-port" -> sender = port(name, value);
        default -> throw new IllegalArgumentException("unknown flag --" + name);
      }
    }
    return new LocalStackSettings(dataDir, kafka, api, dispatcher, dlr, scoring, sim, sender);
  }

  private static int port(String name, String value) {
    try {
      int port = Integer.parseInt(value);
      if (port > 0 && port < 65536) {
        return port;
      }
    } catch (NumberFormatException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException("--" + name + " must be a port number from 1 to 65535, not '" + value + "'");
  }
}
