package dev.relay.bench.study;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The simulated world of one run: sets each provider's route per country on the simulator (prices,
 * then the faults and their end) and remembers when, so the study can price every send as the
 * provider charged it at that moment.
 */
final class StudyWorld {

  static final List<String> PROVIDERS = List.of("twilio", "vonage");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String simUrl;
  private final List<Scenario> scenarios;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private volatile Instant faultStart = Instant.MAX;
  private volatile Instant faultEnd = Instant.MAX;

  /** The world of the given scenarios' countries: only their routes are set, degraded and recovered. */
  StudyWorld(String simUrl, List<Scenario> scenarios) {
    this.simUrl = simUrl;
    this.scenarios = List.copyOf(scenarios);
  }

  /** Every route healthy, at the world's prices. */
  void healthy() throws IOException, InterruptedException {
    for (Scenario scenario : scenarios) {
      for (String provider : PROVIDERS) {
        put(scenario, provider, scenario.healthyRoute(provider));
      }
    }
  }

  /** Each scenario's provider degrades in its country. */
  void degrade() throws IOException, InterruptedException {
    faultStart = Instant.now();
    for (Scenario scenario : scenarios) {
      put(scenario, scenario.provider, scenario.faultRoute());
    }
  }

  /** The faults end; a price change stays. */
  void recover() throws IOException, InterruptedException {
    faultEnd = Instant.now();
    for (Scenario scenario : scenarios) {
      if (!scenario.lasting) {
        put(scenario, scenario.provider, scenario.healthyRoute(scenario.provider));
      }
    }
  }

  Instant faultStart() {
    return faultStart;
  }

  Instant faultEnd() {
    return faultEnd;
  }

  /** What a message through {@code provider} to the scenario's country cost when it was sent at {@code when}. */
  BigDecimal priceAt(Scenario scenario, String provider, Instant when) {
    return price(scenario, provider, when, faultStart, faultEnd);
  }

  static BigDecimal price(Scenario scenario, String provider, Instant when, Instant faultStart, Instant faultEnd) {
    boolean changed = provider.equals(scenario.provider) && !when.isBefore(faultStart)
        && (scenario.lasting || when.isBefore(faultEnd));
    return changed ? scenario.faultPrice() : scenario.healthyPrice(provider);
  }

  private void put(Scenario scenario, String provider, Map<String, Object> route) throws IOException, InterruptedException {
    String url = simUrl + "/sim/providers/" + provider + "/countries/" + scenario.country + "?channel=sms";
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(route))).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IOException("the simulator refused the route " + provider + "/" + scenario.country + " " + route + ": "
          + response.statusCode() + " " + response.body());
    }
  }
}
