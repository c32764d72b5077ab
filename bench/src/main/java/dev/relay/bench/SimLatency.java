package dev.relay.bench;

import dev.relay.support.http.HttpClients;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * Makes the simulator's provider APIs answer after a fixed latency for every country the load uses,
 * as real vendor APIs do: a sender that serialises on provider latency must show it in the figures.
 */
public final class SimLatency {

  /** The simulator's SMS providers; each one's routes to the load's countries get the latency. */
  private static final List<String> PROVIDERS = List.of("twilio", "vonage", "plivo");

  private SimLatency() {}

  public static void apply(String simUrl, Duration latency) throws IOException, InterruptedException {
    HttpClient http = HttpClients.build(ProcessSampler.BENCH, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1));
    String body = "{\"latency\": \"" + latency + "\"}";
    for (String provider : PROVIDERS) {
      for (String country : LoadRun.COUNTRIES) {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create(simUrl + "/sim/providers/" + provider + "/countries/" + country))
            .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
          throw new IllegalStateException("the simulator refused latency " + latency + " for " + provider + "/" + country
              + ": " + response.body());
        }
      }
    }
  }
}
