package dev.relay.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.sim.SimService;
import dev.relay.support.http.HttpClients;
import java.net.http.HttpClient;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessSamplerTest {

  @Test
  void aClientsThreadsAreChargedToTheirOwnerAndUnknownClientsToNone() {
    long before = clientIds();
    HttpClients.build(SimService.NAME, HttpClient.newBuilder());
    String simulatorsSelector = "HttpClient-" + (before + 1) + "-SelectorManager";

    assertThat(ProcessSampler.part(simulatorsSelector)).isEqualTo("http clients: " + SimService.NAME);
    assertThat(ProcessSampler.part("HttpClient-" + (before + 1) + "-Worker-0")).isEqualTo("http clients: " + SimService.NAME);
    assertThat(ProcessSampler.part("HttpClient-999999-SelectorManager")).isEqualTo("http clients: other");
    assertThat(ProcessSampler.part("relay-dispatcher-1c2d-StreamThread-1")).isEqualTo("dispatcher streams");
  }

  @Test
  void theHarnessIsTheSimulatorAndTheLoadGeneratorAndNothingOfRelay() {
    Map<String, Double> parts = Map.of(
        "http clients: " + SimService.NAME, 1.0, "http server: simulator", 2.0, "simulator", 0.5,
        "bench (load generator)", 0.25, "http clients: " + ProcessSampler.BENCH, 4.0,
        "http clients: provider adapters", 8.0, "broker", 16.0, "http server: api", 32.0, ProcessSampler.JIT, 64.0);

    assertThat(ProcessSampler.harnessSeconds(parts)).isEqualTo(7.75);
  }

  /** The id of the latest client the JDK numbered, from a client built just to read it. */
  private static long clientIds() {
    String name = HttpClient.newHttpClient().toString();
    return Long.parseLong(name.substring(name.lastIndexOf('(') + 1, name.length() - 1));
  }
}
