package dev.relay.kafka.embedded;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for brokers and stacks started on random ports (tests, benchmarks). Picked below Linux's ephemeral range
 * (32768 and up), where every outgoing connection of this machine takes its local port: a port
 * found free with {@code new ServerSocket(0)} lies in that range and can be taken by a Kafka
 * client's connection before the service binds it (a restarted broker met "address in use" that way).
 * Successive picks walk on from a random start, so one JVM never hands out the same port twice.
 */
public final class FreePorts {

  private static final int RANGE_FIRST = 20_000;
  private static final int RANGE_LAST = 32_000;
  /**
   * JVMs run side by side (Failsafe's forks, and a process a test launches) each take their own slice of
   * the range, {@code relay.free-ports.slice} as {@code <number>/<count>}, numbered from 1: a port one has
   * picked and not bound yet is then never picked by another. Without it, the whole range.
   */
  public static final String SLICE_PROPERTY = "relay.free-ports.slice";
  /**
   * The slice a test JVM hands to a whole Relay it launches as a process (whose broker picks its controller's
   * port), as {@link #SLICE_PROPERTY}: set where the forks' slices are (relay-local's Failsafe configuration).
   */
  public static final String CHILD_SLICE_PROPERTY = "relay.free-ports.child-slice";
  private static final Slice SLICE = Slice.parse(System.getProperty(SLICE_PROPERTY, ""));
  private static final int FIRST = SLICE.first();
  private static final int LAST = SLICE.last();
  private static int next = FIRST + ThreadLocalRandom.current().nextInt(LAST - FIRST);

  /** Ports {@code first} (inclusive) to {@code last} (exclusive): fork {@code fork}'s share of the range. */
  record Slice(int first, int last) {
    /** {@code "2/3"}: the second of three slices; anything else, the whole range. */
    static Slice parse(String numberOfCount) {
      String[] parts = numberOfCount.trim().split("/");
      if (parts.length != 2) {
        return of(1, 1);
      }
      try {
        return of(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
      } catch (NumberFormatException notANumber) {
        return of(1, 1);
      }
    }

    static Slice of(int fork, int forks) {
      int count = Math.max(1, forks);
      int index = Math.min(count, Math.max(1, fork)) - 1;
      int size = (RANGE_LAST - RANGE_FIRST) / count;
      return new Slice(RANGE_FIRST + index * size, RANGE_FIRST + (index + 1) * size);
    }
  }

  private FreePorts() {}

  public static synchronized int pick() {
    for (int tried = 0; tried < LAST - FIRST; tried++) {
      int port = next;
      next = next + 1 >= LAST ? FIRST : next + 1;
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(port));
        return port;
      } catch (IOException taken) {
        // in use: try the next one
      }
    }
    throw new IllegalStateException("no free port between " + FIRST + " and " + LAST);
  }
}
