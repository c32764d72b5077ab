package dev.relay.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.local.LocalStack.LocalStackSettings;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page scoring-stream serves, in headless Chromium against the whole stack: it loads, it
 * shows the routes the test's verifications used, and after the simulator degrades a route the page
 * shows that route's delivery rate fall. Skipped, saying so, only where Chromium is not installed.
 */
class StatusPageBrowserTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Duration WAIT = Duration.ofSeconds(45);

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
    stack = new LocalStack(settings);
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
  void thePageShowsTheRoutesAndFollowsADegradedRoute() throws Exception {
    verify("+4915112345680");
    await().atMost(WAIT).until(() -> deliveryRate("twilio", "DE") == 1.0);

    Document healthy = await().atMost(WAIT).until(StatusPageBrowserTest::renderedPage, page -> row(page, "twilio|DE|sms") != null);
    assertThat(healthy.title()).isEqualTo("Relay status");
    assertThat(healthy.getElementById("updated").text()).startsWith("updated ");
    Element twilio = row(healthy, "twilio|DE|sms");
    assertThat(twilio.select("td").get(0).text()).isEqualTo("DE");
    assertThat(twilio.select("td").get(1).text()).isEqualTo("twilio");
    assertThat(twilio.selectFirst("td.delivery").text()).isEqualTo("100.0 %");
    assertThat(twilio.selectFirst("td.completion").text()).isEqualTo("100.0 %");
    assertThat(twilio.selectFirst("td.p95").text()).isNotEqualTo("–");

    // The simulator stops delivering German messages through Twilio: the next one fails over to Vonage.
    HttpResponse<String> degraded = put(stack.simUrl() + "/sim/providers/twilio/countries/DE", "{\"deliveryRate\": 0.0}");
    assertThat(degraded.statusCode()).as(degraded.body()).isLessThan(300);
    verify("+4915112345681");
    await().atMost(WAIT).until(() -> deliveryRate("twilio", "DE") == 0.5);

    Document after = await().atMost(WAIT).until(StatusPageBrowserTest::renderedPage,
        page -> row(page, "vonage|DE|sms") != null && row(page, "twilio|DE|sms") != null
            && row(page, "twilio|DE|sms").selectFirst("td.delivery").text().equals("50.0 %"));
    assertThat(row(after, "twilio|DE|sms").selectFirst("td.delivery").hasClass("warn")).isTrue();
    assertThat(row(after, "vonage|DE|sms").selectFirst("td.delivery").text()).isEqualTo("100.0 %");
    assertThat(after.getElementById("error").text()).isEmpty();
    screenshot();
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

  /** The DOM after the page's script has fetched and drawn (Chromium runs it on virtual time first). */
  private static Document renderedPage() throws Exception {
    String html = runChromium(List.of("--virtual-time-budget=5000", "--dump-dom", scoringUrl() + "/status"));
    return Jsoup.parse(html);
  }

  private static void screenshot() throws Exception {
    Path target = Path.of("target", "status-page.png").toAbsolutePath();
    runChromium(List.of("--virtual-time-budget=5000", "--window-size=1280,420", "--screenshot=" + target,
        scoringUrl() + "/status"));
  }

  private static String runChromium(List<String> arguments) throws Exception {
    List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + Files.createTempDirectory(browserProfile, "profile")));
    command.addAll(arguments);
    Path out = Files.createTempFile(browserProfile, "dom", ".html");
    Process process = new ProcessBuilder(command).redirectOutput(out.toFile())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("chromium did not finish in 60 s: " + command);
    }
    return Files.readString(out, StandardCharsets.UTF_8);
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
    return dev.relay.local.FreePorts.pick();
  }
}
