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
   * Test JVMs run side by side (Failsafe's forks) each take their own slice of the range, numbered
   * from 1 by {@code relay.free-ports.fork} out of {@code relay.free-ports.forks}: a port one has
   * picked and not bound yet is then never picked by the other.
   */
  private static final Slice SLICE = Slice.of(Integer.getInteger("relay.free-ports.fork", 1),
      Integer.getInteger("relay.free-ports.forks", 1));
  private static final int FIRST = SLICE.first();
  private static final int LAST = SLICE.last();
  private static int next = FIRST + ThreadLocalRandom.current().nextInt(LAST - FIRST);

  /** Ports {@code first} (inclusive) to {@code last} (exclusive): fork {@code fork}'s share of the range. */
  record Slice(int first, int last) {
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
