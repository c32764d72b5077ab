package dev.relay.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.dispatcher.DispatcherService;
import dev.relay.support.http.HttpClients;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fast failover and timeout precision, seen from the provider's side (the simulator's send log, which
 * stamps each vendor request's arrival and answer to the microsecond). During one open-loop run, a third
 * of the verifications go to Austria, where Twilio refuses every message at once, a third to Italy, where
 * Twilio accepts every message and never delivers it, and a third to the usual countries, as load.
 * Twilio is pinned first for both countries, so scores do not move it out of the way.
 *
 * <ul>
 *   <li>failover overhead: Vonage's request arrival minus the moment Twilio's refusal was answered;
 *   <li>timeout lateness: Vonage's request arrival minus (Twilio's acceptance + the delivery window).
 * </ul>
 */
final class FailoverRun {

  /** Short, so a run sees many timeouts; set for {@link #SILENT_COUNTRY} only, the other countries keep theirs. */
  static final Duration WINDOW = Duration.ofSeconds(2);
  static final String REFUSING_COUNTRY = "AT";
  static final String SILENT_COUNTRY = "IT";
  private static final String REFUSING_PREFIX = "+43664";
  private static final String SILENT_PREFIX = "+39347";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String apiUrl;
  private final String simUrl;
  private final String apiKey;
  private final CodeInbox inbox;
  // HTTP/1.1 as the API serves it: the JDK would otherwise offer an h2c upgrade on every request.
  private final HttpClient http = HttpClients.build(ProcessSampler.BENCH,
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)));

  FailoverRun(String apiUrl, String simUrl, String apiKey, CodeInbox inbox) {
    this.apiUrl = apiUrl;
    this.simUrl = simUrl;
    this.apiKey = apiKey;
    this.inbox = inbox;
  }

  /** Settings the stack needs from its start: the short window and the pins, for the two countries alone. */
  static Map<String, Map<String, String>> stackOverrides() {
    return Map.of(DispatcherService.NAME, Map.of(
        "relay.verification.delivery-window-by-country", SILENT_COUNTRY + ":" + WINDOW.toSeconds() + "s",
        "relay.routing.pins", REFUSING_COUNTRY + "/sms:twilio;" + SILENT_COUNTRY + "/sms:twilio"));
  }

  /**
   * The i-th number: Austria, Italy, or one of the load's countries, in turn. The load's third takes the
   * load's own i-th number, inside the range the bench gave this phase, so it never meets a number an
   * earlier phase used (a person an earlier phase left pending would answer the start 200, not 201).
   */
  static String number(int i) {
    return switch (i % 3) {
      case 0 -> REFUSING_PREFIX + String.format("%07d", (i / 3) % 10_000_000);
      case 1 -> SILENT_PREFIX + String.format("%07d", (i / 3) % 10_000_000);
      default -> LoadRun.number(i);
    };
  }

  Map<String, Object> run(int rate, Duration duration, int numberOffset) throws Exception {
    route("twilio", REFUSING_COUNTRY, "{\"acceptRate\": 0}");
    route("twilio", SILENT_COUNTRY, "{\"silentDropRate\": 1.0}");
    LoadRun load = new LoadRun(apiUrl, inbox, apiKey, FailoverRun::number);
    LoadRun.Result result;
    try {
      result = load.run(rate, duration, numberOffset);
    } finally {
      delete("/sim/providers/twilio/countries/" + REFUSING_COUNTRY);
      delete("/sim/providers/twilio/countries/" + SILENT_COUNTRY);
    }
    List<Double> overheadMicros = new ArrayList<>();
    List<Double> latenessMillis = new ArrayList<>();
    int unmatched = 0;
    for (long i = 0; i < result.offered(); i++) {
      int index = numberOffset + (int) i;
      if (index % 3 == 2) {
        continue;
      }
      JsonNode sends = JSON.readTree(get("/sim/handsets/" + number(index) + "/sends"));
      Double gap = gap(sends, index % 3 == 1);
      if (gap == null) {
        unmatched++;
      } else if (index % 3 == 0) {
        overheadMicros.add(gap / 1_000.0);
      } else {
        latenessMillis.add((gap - WINDOW.toNanos()) / 1_000_000.0);
      }
    }
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("offeredPerSecond", rate);
    report.put("offered", result.offered());
    report.put("approved", load.approved.get());
    report.put("deliveryWindowSeconds", WINDOW.toSeconds());
    report.put("failoverOverheadMicros", percentiles(overheadMicros));
    report.put("timeoutLatenessMillis", percentiles(latenessMillis));
    report.put("verificationsWithoutASecondProvider", unmatched);
    return report;
  }

  /**
   * Nanoseconds from Twilio's answer (a refusal, or an acceptance that never delivers) to the arrival
   * of the next provider's request; null when there is no such pair.
   */
  private static Double gap(JsonNode sends, boolean afterAcceptance) {
    for (int i = 0; i + 1 < sends.size(); i++) {
      JsonNode first = sends.get(i);
      JsonNode next = sends.get(i + 1);
      if ("twilio".equals(first.path("provider").asText()) && first.path("accepted").asBoolean() == afterAcceptance
          && !"twilio".equals(next.path("provider").asText())) {
        Instant answered = Instant.parse(first.path("answeredAt").asText());
        Instant arrived = Instant.parse(next.path("receivedAt").asText());
        return (double) Duration.between(answered, arrived).toNanos();
      }
    }
    return null;
  }

  static Map<String, Double> percentiles(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("p50", at(sorted, 0.50));
    out.put("p99", at(sorted, 0.99));
    out.put("max", sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1));
    out.put("min", sorted.isEmpty() ? 0 : sorted.get(0));
    out.put("count", (double) sorted.size());
    return out;
  }

  /** Nearest rank. */
  private static double at(List<Double> sorted, double quantile) {
    if (sorted.isEmpty()) {
      return 0;
    }
    int rank = (int) Math.ceil(quantile * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  private void route(String provider, String country, String behaviour) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(
            URI.create(simUrl + "/sim/providers/" + provider + "/countries/" + country))
        .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(behaviour)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("the simulator refused " + behaviour + " for " + provider + "/" + country + ": "
          + response.body());
    }
  }

  private void delete(String path) throws IOException, InterruptedException {
    http.send(HttpRequest.newBuilder(URI.create(simUrl + path)).DELETE().build(), HttpResponse.BodyHandlers.discarding());
  }

  private String get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(simUrl + path)).GET().build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
