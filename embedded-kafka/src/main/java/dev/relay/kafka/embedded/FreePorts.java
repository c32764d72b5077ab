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

  private static final int FIRST = 20_000;
  private static final int LAST = 32_000;
  private static int next = FIRST + ThreadLocalRandom.current().nextInt(LAST - FIRST);

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
