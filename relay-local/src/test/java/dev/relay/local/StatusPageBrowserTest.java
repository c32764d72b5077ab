package dev.relay.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.kafka.embedded.FreePorts;
import dev.relay.local.LocalStack.LocalStackSettings;
import dev.relay.scoring.ScoringService;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page scoring-stream serves, in headless Chromium against the whole stack: it loads, it
 * shows the routes the test's verifications used, and, on the one page kept open (no reload), it
 * follows the simulator degrading a route: the route's delivery rate falls, it is shown demoted and
 * explored, and the DROP alert appears. Skipped, saying so, only where Chromium is not installed.
 *
 * <p>Scoring runs with windows of seconds and sample minimums of a handful, so three verifications
 * make a baseline and three more a drop.
 */
@Tag("integration")
class StatusPageBrowserTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Duration WAIT = Duration.ofSeconds(45);
  private static final Duration SHORT_WINDOW = Duration.ofSeconds(10);
  /** The page's refresh period in this test (?refresh=ms). */
  private static final Duration REFRESH = Duration.ofMillis(500);

  @TempDir static Path dataDir;
  @TempDir static Path browserProfile;
  private static LocalStackSettings settings;
  private static LocalStack stack;
  private static Path chromium;

  @BeforeAll
  static void start() throws IOException {
    chromium = findChromium().orElse(null);
    Assumptions.assumeTrue(chromium != null,
        "chromium is not installed (apt-get install -y chromium, as .ci/run does): the status page browser test is skipped");
    settings = new LocalStackSettings(dataDir, freePort(), freePort(), freePort(), freePort(), freePort(), freePort());
    stack = new LocalStack(settings, Map.of(ScoringService.NAME, Map.of(
        "relay.scoring.window", "40s",
        "relay.scoring.window-advance", "1s",
        "relay.scoring.short-window", SHORT_WINDOW.toString(),
        "relay.scoring.match-horizon", "40s",
        "relay.scoring.emit-interval", "250ms",
        "relay.streams.commit-interval", "100ms",
        "relay.scoring.prior-samples", "2",
        "relay.scoring.demotion-min-samples", "6",
        "relay.scoring.alert-min-samples", "3")));
    stack.start();
    await().atMost(Duration.ofSeconds(60)).until(stack::isReady);
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void thePageShowsTheRoutesAndFollowsADegradedRouteWithoutAReload() throws Exception {
    for (int i = 0; i < 3; i++) {
      verify("+491511234568" + i);
    }
    await().atMost(WAIT).until(() -> deliveryRate("twilio", "DE") == 1.0);

    try (DevTools page = DevTools.open(chromium, Files.createTempDirectory(browserProfile, "profile"),
        scoringUrl() + "/status?refresh=" + REFRESH.toMillis())) {
      // The third approval may reach scoring a moment after the third receipt: the page catches up on its own.
      Document healthy = await().atMost(WAIT).until(() -> dom(page), dom -> row(dom, "twilio|DE|sms") != null
          && dom.getElementById("updated").text().startsWith("updated ")
          && row(dom, "twilio|DE|sms").selectFirst("td.completion").text().equals("100.0 %"));
      // Set once: a reload would clear it.
      page.evaluate("window.relayTestMarker = 'loaded once'");
      assertThat(healthy.title()).isEqualTo("Relay status");
      assertThat(healthy.getElementById("updated").text()).startsWith("updated ");
      Element twilio = row(healthy, "twilio|DE|sms");
      assertThat(twilio.select("td").get(0).text()).isEqualTo("DE");
      assertThat(twilio.select("td").get(1).text()).isEqualTo("twilio");
      assertThat(twilio.selectFirst("td.delivery").text()).isEqualTo("100.0 %");
      assertThat(twilio.selectFirst("td.completion").text()).isEqualTo("100.0 %");
      assertThat(twilio.selectFirst("td.p95").text()).isNotEqualTo("–");
      assertThat(twilio.selectFirst("td.state").text()).isEqualTo("active");
      assertThat(healthy.select("#alerts li").eachText()).containsExactly("none");
      int refreshes = refreshes(page);

      // The healthy sends age out of the short window into the baseline, while the page stays as it was.
      await().during(SHORT_WINDOW).atMost(SHORT_WINDOW.plus(WAIT))
          .until(() -> row(dom(page), "twilio|DE|sms").selectFirst("td.state").text().equals("active"));

      // The simulator stops delivering German messages through Twilio: each next one fails over to Vonage.
      HttpResponse<String> degraded = put(stack.simUrl() + "/sim/providers/twilio/countries/DE", "{\"deliveryRate\": 0.0}");
      assertThat(degraded.statusCode()).as(degraded.body()).isLessThan(300);
      for (int i = 0; i < 3; i++) {
        verify("+491511234569" + i);
      }

      Document after = await().atMost(WAIT).until(() -> dom(page),
          dom -> row(dom, "vonage|DE|sms") != null && row(dom, "twilio|DE|sms") != null
              && row(dom, "vonage|DE|sms").selectFirst("td.delivery").text().equals("100.0 %")
              && row(dom, "twilio|DE|sms").selectFirst("td.delivery").text().equals("50.0 %")
              && row(dom, "twilio|DE|sms").selectFirst("td.state").text().startsWith("demoted")
              && !dom.select("#alerts li[data-kind=DROP][data-route=twilio|DE|sms]").isEmpty());
      assertThat(page.evaluate("window.relayTestMarker")).as("the same page, never reloaded").isEqualTo("loaded once");
      assertThat(refreshes(page)).as("the page refreshed on its own").isGreaterThan(refreshes);
      Element demoted = row(after, "twilio|DE|sms");
      assertThat(demoted.selectFirst("td.delivery").hasClass("warn")).isTrue();
      assertThat(demoted.selectFirst("td.state").text()).isEqualTo("demoted, explored");
      assertThat(demoted.selectFirst("td.state").hasClass("demoted")).isTrue();
      assertThat(row(after, "vonage|DE|sms").selectFirst("td.state").text()).isEqualTo("active");
      Element drop = after.selectFirst("#alerts li[data-kind=DROP][data-route=twilio|DE|sms]");
      assertThat(drop.text()).contains("DROP", "twilio", "DE", "100.0 % → 0.0 %");
      assertThat(after.select("#alerts li").eachText()).noneMatch(text -> text.contains("vonage"));
      assertThat(after.getElementById("error").text()).isEmpty();
      Path screenshot = Path.of("target", "status-page.png").toAbsolutePath();
      Files.write(screenshot, page.screenshot());
    }
  }

  // ---------------------------------------------------------------- helpers

  private static void verify(String number) throws Exception {
    HttpResponse<String> started = post(stack.apiUrl() + "/v1/verifications", "{\"to\": \"" + number + "\"}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    String id = JSON.readTree(started.body()).get("id").asText();
    String inbox = stack.simUrl() + "/sim/handsets/" + number + "/messages";
    await().atMost(WAIT).until(() -> JSON.readTree(get(inbox).body()).size() >= 1);
    JsonNode messages = JSON.readTree(get(inbox).body());
    String code = messages.get(messages.size() - 1).get("code").asText();
    HttpResponse<String> checked = post(stack.apiUrl() + "/v1/verifications/" + id + "/check", "{\"code\": \"" + code + "\"}");
    assertThat(JSON.readTree(checked.body()).get("status").asText()).isEqualTo("approved");
  }

  private static double deliveryRate(String provider, String country) throws Exception {
    HttpResponse<String> scores = get(scoringUrl() + "/scores");
    if (scores.statusCode() != 200) {
      return -1;
    }
    for (JsonNode score : JSON.readTree(scores.body())) {
      if (score.get("provider").asText().equals(provider) && score.get("country").asText().equals(country)
          && score.get("channel").asText().equalsIgnoreCase("sms") && score.path("window").path("deliveryRate").isNumber()) {
        return score.get("window").get("deliveryRate").asDouble();
      }
    }
    return -1;
  }

  private static String scoringUrl() {
    return "http://localhost:" + settings.scoringPort();
  }

  private static Element row(Document page, String route) {
    return page.select("#routes tbody tr").stream().filter(tr -> tr.attr("data-route").equals(route)).findFirst().orElse(null);
  }

  /** The live page's DOM as it is now. */
  private static Document dom(DevTools page) throws Exception {
    // Empty while the page is still being loaded.
    return Jsoup.parse(page.evaluate("document.documentElement ? document.documentElement.outerHTML : ''"));
  }

  private static int refreshes(DevTools page) throws Exception {
    return Integer.parseInt(page.evaluate("(document.body && document.body.dataset.refreshes) || '0'"));
  }

  private static Optional<Path> findChromium() {
    String override = System.getenv("RELAY_CHROMIUM");
    if (override != null && !override.isBlank()) {
      return Optional.of(Path.of(override)).filter(Files::isExecutable);
    }
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .flatMap(dir -> Stream.of("chromium", "chromium-browser").map(name -> Path.of(dir, name)))
        .filter(Files::isExecutable)
        .findFirst();
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String url, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + stack.apiKey())
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> put(String url, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    return FreePorts.pick();
  }
}
