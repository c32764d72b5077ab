package dev.relay.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.kafka.embedded.EmbeddedKafkaCluster;
import dev.relay.scoring.config.ScoringConfig;
import dev.relay.support.config.RelayConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readiness follows the broker: not ready while it is gone (liveness stays up), ready once it is
 * back; the status page is served beside it.
 */
@Tag("integration")
class ScoringReadinessIntegrationTest {

  private static final Duration WAIT = Duration.ofSeconds(45);
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void notReadyWhileTheBrokerIsDownAndReadyAgainWhenItReturns(@TempDir Path stateDir) throws Exception {
    try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().build()) {
      kafka.start();
      RelayConfig config = RelayConfig.of(ScoringConfig.SCHEMA, Map.of(
          "relay.kafka.bootstrap-servers", kafka.bootstrapServers(),
          "relay.streams.application-id", "scoring-readiness-it",
          "relay.streams.state-dir", stateDir.toString(),
          "relay.topics.partitions", "2",
          "relay.http.port", "0",
          "relay.http.host", "127.0.0.1"));
      try (ScoringService service = new ScoringService(config)) {
        service.start();
        await().atMost(WAIT).until(() -> status(service, "/health/ready") == 200);
        // The status page is served by the same server, as one static page reading GET /scores.
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(service.endpoint() + "/status")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
        assertThat(page.body()).contains("<title>Relay status</title>", "fetch('scores'");

        kafka.stopBroker(0);
        try {
          await().atMost(WAIT).until(() -> status(service, "/health/ready") == 503);
          assertThat(status(service, "/health/live")).isEqualTo(200);
        } finally {
          kafka.startBroker(0);
        }
        await().atMost(WAIT).until(() -> status(service, "/health/ready") == 200);
      }
    }
  }

  private int status(ScoringService service, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(service.endpoint() + path)).GET().build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
