package dev.relay.bench.crash;

import dev.relay.kafka.embedded.FreePorts;
import java.util.List;

/**
 * The ports of one launched stack, chosen free at the run's start and kept across its relaunch: by
 * {@link FreePorts}, below the ephemeral range, where no client's connection takes one while the stack is down.
 */
record StackPorts(int kafka, int api, int dispatcher, int dlr, int scoring, int sender, int sim) {

  static StackPorts free() {
    return new StackPorts(FreePorts.pick(), FreePorts.pick(), FreePorts.pick(), FreePorts.pick(), FreePorts.pick(),
        FreePorts.pick(), FreePorts.pick());
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
}
