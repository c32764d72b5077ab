package dev.relay.bench.crash;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.List;

/** The ports of one launched stack, chosen free at the run's start and kept across its relaunch. */
record StackPorts(int kafka, int api, int dispatcher, int dlr, int scoring, int sender, int sim) {

  static StackPorts free() {
    return new StackPorts(freePort(), freePort(), freePort(), freePort(), freePort(), freePort(), freePort());
  }

  List<String> launcherFlags() {
    return List.of("--kafka-port=" + kafka, "--api-port=" + api, "--dispatcher-port=" + dispatcher,
        "--dlr-port=" + dlr, "--scoring-port=" + scoring, "--sender-port=" + sender, "--sim-port=" + sim);
  }

  String apiUrl() {
    return "http://localhost:" + api;
  }

  String simUrl() {
    return "http://localhost:" + sim;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
