package dev.relay.support.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ManagementServerTest {

  private final HttpClient client = HttpClient.newHttpClient();
  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  private int status(int port, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void withAManagementPortMetricsLeaveThePublicPort() throws Exception {
    metrics.counter("relay.test.sends").increment();
    try (ManagementServer management = ManagementServer.start(OptionalInt.of(0), "127.0.0.1", "test", () -> true, metrics)) {
      Javalin app = RelayHttp.create("test", () -> true, metrics, !management.enabled()).start("127.0.0.1", 0);
      try {
        int managementPort = management.port().orElseThrow();
        assertThat(status(app.port(), "/metrics")).as("public port").isEqualTo(404);
        assertThat(status(app.port(), "/health/ready")).isEqualTo(200);
        assertThat(status(managementPort, "/metrics")).isEqualTo(200);
        assertThat(status(managementPort, "/health/ready")).isEqualTo(200);
        assertThat(status(managementPort, "/v1/verifications")).isEqualTo(404);
        assertThat(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body()).contains("relay_test_sends_total");
      } finally {
        app.stop();
      }
    }
  }

  @Test
  void withoutOneThePublicPortServesMetricsAsBefore() throws Exception {
    try (ManagementServer management = ManagementServer.start(OptionalInt.empty(), "127.0.0.1", "test", () -> true, metrics)) {
      assertThat(management.enabled()).isFalse();
      Javalin app = RelayHttp.create("test", () -> true, metrics, !management.enabled()).start("127.0.0.1", 0);
      try {
        assertThat(status(app.port(), "/metrics")).isEqualTo(200);
      } finally {
        app.stop();
      }
    }
  }
}
