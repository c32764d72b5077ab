package dev.relay.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.kafka.embedded.FreePorts;
import dev.relay.local.LocalStack.LocalStackSettings;
import dev.relay.scoring.ScoringService;
import dev.relay.support.phone.PhoneNumbers;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
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
 * The status page scoring-stream serves (the operator's console), in headless Chromium against the
 * whole stack: it loads, it shows the routes the test's verifications used, and, on the one page kept
 * open (no reload), it follows the simulator degrading a route: the route's delivery rate falls, it is
 * shown demoted and explored, the DROP alert appears, the route's chart (drawn from the score history
 * on Kafka) marks the demotion at the moment scoring published it, the routing table says why the route
 * went last, and the alert's link opens the chart at that moment. The verification look-up asks the
 * stack's own verification-api: refused without the admin key, and with it a real fast failover's
 * rejected and accepted try, each with its vendor error, times and price, as the dispatcher recorded
 * them. Skipped, saying so, only where Chromium is not installed.
 *
 * <p>Scoring runs with windows of seconds and sample minimums of a handful, so three verifications
 * make a baseline and three more a drop.
 */
@Tag("integration")
class StatusPageBrowserTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Duration WAIT = Duration.ofSeconds(45);
  /** How the page writes a moment (JavaScript's toISOString). */
  private static final DateTimeFormatter ISO_MILLIS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final Duration SHORT_WINDOW = Duration.ofSeconds(10);
  private static final Duration WINDOW_ADVANCE = Duration.ofSeconds(1);
  /** Completion waits this long for a code to be entered: the simulator's handsets enter theirs within 0.4 s. */
  private static final Duration COMPLETION_SETTLE = Duration.ofSeconds(1);
  /** How far behind the windows completion is judged at most: the settle in whole panes, and one pane. */
  private static final Duration JUDGED_REACH = COMPLETION_SETTLE.plus(WINDOW_ADVANCE);
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
    // The console's look-up goes to the stack's verification-api (LocalStack points scoring at it).
    stack = new LocalStack(settings, Map.of(ScoringService.NAME, Map.ofEntries(
        Map.entry("relay.scoring.window", "40s"),
        Map.entry("relay.scoring.window-advance", WINDOW_ADVANCE.toString()),
        Map.entry("relay.scoring.short-window", SHORT_WINDOW.toString()),
        Map.entry("relay.scoring.completion-settle", COMPLETION_SETTLE.toString()),
        Map.entry("relay.scoring.emit-interval", "250ms"),
        Map.entry("relay.streams.commit-interval", "100ms"),
        Map.entry("relay.scoring.prior-samples", "2"),
        Map.entry("relay.scoring.demotion-min-samples", "6"),
        Map.entry("relay.scoring.alert-min-samples", "3"))));
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
        scoringUrl() + "/status?span=10m&refresh=" + REFRESH.toMillis())) {
      // The third approval may reach scoring a moment after the third receipt: the page catches up on its own.
      Document healthy = await().atMost(WAIT).until(() -> dom(page), dom -> row(dom, "twilio|DE|sms") != null
          && dom.getElementById("updated").text().startsWith("updated ")
          && row(dom, "twilio|DE|sms").selectFirst("td.completion").text().equals("100.0 %"));
      // Set once: a reload would clear it.
      page.evaluate("window.relayTestMarker = 'loaded once'");
      // Scoring may demote a route only while its completion drop lasts (seconds at this test's
      // windows): the page's every redraw is recorded, so a state it showed between two looks counts.
      page.evaluate(SEEN_RECORDER);
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

      // The healthy sends age out of the short window into the baseline (completion's, judged behind it,
      // too), while the page stays as it was.
      await().during(SHORT_WINDOW.plus(JUDGED_REACH)).atMost(SHORT_WINDOW.plus(JUDGED_REACH).plus(WAIT))
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
              && seen(page, "states").contains("route state demoted explored=demoted, explored")
              && dom.select("#alerts li[data-kind=DROP][data-route=twilio|DE|sms]").eachText().stream()
                  .anyMatch(text -> text.contains("completion rate")));
      assertThat(page.evaluate("window.relayTestMarker")).as("the same page, never reloaded").isEqualTo("loaded once");
      assertThat(refreshes(page)).as("the page refreshed on its own").isGreaterThan(refreshes);
      Element demoted = row(after, "twilio|DE|sms");
      assertThat(demoted.selectFirst("td.delivery").hasClass("warn")).isTrue();
      assertThat(seen(page, "states")).as("twilio's state as the page showed it, redraw by redraw")
          .startsWith("route state active=active").contains("route state demoted explored=demoted, explored");
      assertThat(row(after, "vonage|DE|sms").selectFirst("td.state").text()).isEqualTo("active");
      // Delivery falls at once; completion once the degraded sends have had the settle to be entered.
      Element drop = after.select("#alerts li[data-kind=DROP][data-route=twilio|DE|sms]").stream()
          .filter(alert -> alert.text().contains("completion rate")).findFirst().orElseThrow();
      // The rate before the fall is the baseline of the moment the alert was raised: how many of the healthy
      // and of the first degraded sends it still holds depends on how long this machine took between them.
      assertThat(drop.text()).contains("DROP", "twilio", "DE").containsPattern("completion rate [1-9][0-9.]* % → 0\\.0 %");
      assertThat(after.select("#alerts li").eachText()).noneMatch(text -> text.contains("vonage"));
      assertThat(after.getElementById("error").text()).isEmpty();

      // The route's chart, drawn from provider-score-history: its delivery rate fell, Vonage delivered
      // failovers (not first sends, so they add nothing to its share; a closed window may still hold a
      // receipt on its way), and the demotion is marked at the moment scoring published it on provider-scores.
      Document charted = await().atMost(WAIT).until(() -> dom(page), dom -> chart(dom, "twilio|DE|sms") != null
          && chart(dom, "twilio|DE|sms").selectFirst("g.mark[data-kind=DEMOTED]") != null
          && chart(dom, "twilio|DE|sms").selectFirst("g.mark[data-kind=DROP]") != null
          && Double.parseDouble(chart(dom, "twilio|DE|sms").selectFirst("path.delivery").attr("data-last")) < 1.0
          && chart(dom, "vonage|DE|sms") != null && chart(dom, "vonage|DE|sms").selectFirst("path.delivery") != null
          && Double.parseDouble(chart(dom, "vonage|DE|sms").selectFirst("path.delivery").attr("data-last")) > 0);
      Element twilioChart = chart(charted, "twilio|DE|sms");
      assertThat(Integer.parseInt(twilioChart.selectFirst("path.completion").attr("data-points"))).isGreaterThan(1);
      assertThat(twilioChart.selectFirst("figcaption").text()).contains("p95 to delivery", "cost per success");
      Instant demotedAt = ScoreTopic.firstDemotion(stack.bootstrapServers(), "twilio", "DE");
      assertThat(twilioChart.select("g.mark[data-kind=DEMOTED]").eachAttr("data-at"))
          .as("marked when scoring published the demotion").first().isEqualTo(Long.toString(demotedAt.toEpochMilli()));
      assertThat(twilioChart.select("ul.marks li[data-kind=DEMOTED]").eachText())
          .as("the mark in words too, not only a red line").first().isEqualTo("▼ demoted at " + ISO_MILLIS.format(demotedAt));
      assertThat(twilioChart.select("g.mark[data-kind=DROP] title").eachText()).allMatch(title -> title.startsWith("! DROP "));
      assertThat(chart(charted, "vonage|DE|sms").select("g.mark[data-kind=DEMOTED]")).isEmpty();

      // The routing table and why: while demoted, Twilio went last (second of two, first in the table)
      // because scoring demoted it, and was still explored. No table is published in this run: the
      // dispatcher's from its settings (*:twilio,vonage) is the one explained.
      await().atMost(WAIT).until(() -> seen(page, "reasons"),
          reasons -> reasons.contains("demoted:2/1:demoted, explored:scoring published it demoted"));
      Document routing = dom(page);
      assertThat(routing.getElementById("routing-summary").text()).startsWith("the dispatcher's table from its settings");
      assertThat(routing.select("table.routing-table[data-country=DE][data-channel=sms] tbody tr").eachAttr("data-provider"))
          .containsExactlyInAnyOrder("twilio", "vonage");

      // The completion alert's link, followed from the keyboard, opens the route's chart at the alert's moment.
      Instant raisedAt = dropRaisedAt("twilio", "DE", "COMPLETION_RATE");
      page.evaluate("[...document.querySelectorAll('#alerts li[data-kind=DROP]')]"
          + ".find(li => li.textContent.includes('completion rate')).querySelector('a.chart-link').focus()");
      page.press("Enter", "Enter", 13);
      Document followed = await().atMost(WAIT).until(() -> dom(page), dom -> chart(dom, "twilio|DE|sms") != null
          && chart(dom, "twilio|DE|sms").hasClass("focused") && chart(dom, "twilio|DE|sms").selectFirst("line.focus") != null);
      assertThat(chart(followed, "twilio|DE|sms").selectFirst("line.focus").attr("data-at"))
          .isEqualTo(Long.toString(raisedAt.toEpochMilli()));
      assertThat(page.evaluate("document.activeElement.id")).isEqualTo("chart-twilio|DE|sms");
      assertThat(page.evaluate("window.relayTestMarker")).as("the same page, never reloaded").isEqualTo("loaded once");

      Files.write(Path.of("target", "status-page.png").toAbsolutePath(), page.fullPageScreenshot());
    }
  }

  @Test
  void theLookUpIsRefusedWithoutTheAdminKeyAndShowsEveryTryOfAFastFailoverWithIt() throws Exception {
    // A fast failover in France (the other test degrades Germany): Twilio answers 20429 Too Many
    // Requests, so the sender moves on to Vonage at once, in the same send.
    HttpResponse<String> throttled = put(stack.simUrl() + "/sim/providers/twilio/countries/FR",
        "{\"acceptRate\": 0.0, \"errorCode\": 20429}");
    assertThat(throttled.statusCode()).as(throttled.body()).isLessThan(300);
    String number = "+33698760010";
    String id = verify(number);
    // The page shows what the API answers; wait until the receipt of Vonage's message is in it too.
    JsonNode lookedUp = await().atMost(WAIT).until(() -> adminLookup(number), body -> body != null
        && "delivered".equals(body.path("attempts").path(0).path("deliveryStatus").asText()));
    JsonNode tries = lookedUp.get("attempts").get(0).get("providerTries");
    assertThat(lookedUp.get("attempts")).as("one send, two tries").hasSize(1);
    assertThat(tries).extracting(t -> t.get("provider").asText() + " " + t.get("reason").asText() + " " + t.get("outcome").asText()
        + " " + t.get("errorCategory").asText() + " " + t.get("vendorCode").asText())
        .containsExactly("twilio initial rejected throttled 20429", "vonage rejection accepted null null");

    try (DevTools page = DevTools.open(chromium, Files.createTempDirectory(browserProfile, "profile"),
        scoringUrl() + "/status?refresh=" + REFRESH.toMillis())) {
      await().atMost(WAIT).until(() -> dom(page).getElementById("lookup-form") != null);

      lookUp(page, number, "");
      Element refused = await().atMost(WAIT).until(() -> dom(page).getElementById("lookup-error"),
          error -> error != null && !error.text().isEmpty());
      assertThat(refused.attr("data-status")).isEqualTo("401");
      assertThat(refused.text()).startsWith("refused: ").contains("admin key");

      lookUp(page, number, "not-the-admin-key");
      refused = await().atMost(WAIT).until(() -> dom(page).getElementById("lookup-error"),
          error -> error != null && !error.text().isEmpty());
      assertThat(refused.attr("data-status")).isEqualTo("401");
      assertThat(refused.text()).as("verification-api's own refusal").startsWith("refused: ").contains("not an admin key");
      assertThat(dom(page).select("#lookup-result article")).isEmpty();

      // With the key, submitted from the keyboard (Enter in the form).
      page.evaluate("document.getElementById('lookup-key').value = " + JSON.writeValueAsString(stack.adminKey()));
      page.evaluate("document.getElementById('lookup-query').value = " + JSON.writeValueAsString(number));
      page.evaluate("document.getElementById('lookup-query').focus()");
      page.press("Enter", "Enter", 13);
      Element found = await().atMost(WAIT).until(() -> dom(page).selectFirst("#lookup-result article.verification"),
          article -> article != null);
      assertThat(found.selectFirst("h3").text()).isEqualTo(id + " · approved · " + PhoneNumbers.mask(number));
      assertThat(found.selectFirst("h4").text()).isEqualTo("tries (2 in 1 send)");
      JsonNode rejected = tries.get(0);
      JsonNode accepted = tries.get(1);
      JsonNode send = lookedUp.get("attempts").get(0);
      List<List<String>> rows = found.select("table.attempts tbody tr").stream().map(tr -> tr.select("td").eachText()).toList();
      assertThat(rows).extracting(row -> row.subList(0, 11)).containsExactly(
          List.of("1.1", "twilio", "sms", "initial", rejected.get("routingReason").asText(), "rejected", "throttled 20429",
              iso(rejected.get("startedAt")), iso(rejected.get("completedAt")), millisBetween(rejected) + " ms", "–"),
          List.of("1.2", "vonage", "sms", "rejection", accepted.get("routingReason").asText(), "accepted, delivered", "–",
              iso(accepted.get("startedAt")), iso(accepted.get("completedAt")), millisBetween(accepted) + " ms",
              iso(send.get("deliveredAt"))));
      assertThat(rows.get(0).get(11)).as("a rejection costs nothing").isEqualTo("–");
      assertPrice(rows.get(1).get(11), accepted.get("priceMicros"));
      assertThat(found.select("table.receipts tbody tr td").eachText())
          .containsExactly("vonage", "delivered", "–", iso(send.get("deliveredAt")));
      assertThat(dom(page).getElementById("lookup-error").text()).isEmpty();
      assertThat(dom(page).text()).doesNotContain(number);
      assertThat(page.evaluate("String(localStorage.length + sessionStorage.length)"))
          .as("the key is not kept by the page").isEqualTo("0");

      // A phone-sized screen: nothing wider than the screen but the scrolling tables.
      page.viewport(390, 844, true);
      assertThat(page.evaluate("String(document.documentElement.scrollWidth <= window.innerWidth)")).isEqualTo("true");
      assertThat(page.evaluate("(h => String(h.scrollWidth <= h.clientWidth))(document.querySelector('#lookup-result h3'))"))
          .as("the long verification id wraps inside its box").isEqualTo("true");
      Files.write(Path.of("target", "console-phone.png").toAbsolutePath(), page.fullPageScreenshot());
    }
  }

  /** verification-api's admin look-up by number, or null while it has no answer. */
  private static JsonNode adminLookup(String number) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(stack.apiUrl() + "/v1/admin/verifications?number="
            + URLEncoder.encode(number, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + stack.adminKey()).GET().build(), HttpResponse.BodyHandlers.ofString());
    return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
  }

  /** A moment as the page writes the API's: its ISO-8601 text as it came, a dash for none. */
  private static String iso(JsonNode instant) {
    return instant == null || instant.isNull() ? "–" : instant.asText();
  }

  private static long millisBetween(JsonNode oneTry) {
    return Duration.between(Instant.parse(oneTry.get("startedAt").asText()), Instant.parse(oneTry.get("completedAt").asText()))
        .toMillis();
  }

  /** A price as the page writes it: in units to four places, or a dash when the vendor reported none. */
  private static void assertPrice(String shown, JsonNode micros) {
    if (micros == null || micros.isNull()) {
      assertThat(shown).isEqualTo("–");
      return;
    }
    assertThat(shown).matches("\\$[0-9]+\\.[0-9]{4}");
    assertThat(Double.parseDouble(shown.substring(1))).isCloseTo(micros.asLong() / 1e6, org.assertj.core.data.Offset.offset(0.00005));
  }

  // ---------------------------------------------------------------- helpers

  private static String verify(String number) throws Exception {
    HttpResponse<String> started = post(stack.apiUrl() + "/v1/verifications", "{\"to\": \"" + number + "\"}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    String id = JSON.readTree(started.body()).get("id").asText();
    String inbox = stack.simUrl() + "/sim/handsets/" + number + "/messages";
    await().atMost(WAIT).until(() -> JSON.readTree(get(inbox).body()).size() >= 1);
    JsonNode messages = JSON.readTree(get(inbox).body());
    String code = messages.get(messages.size() - 1).get("code").asText();
    HttpResponse<String> checked = post(stack.apiUrl() + "/v1/verifications/" + id + "/check", "{\"code\": \"" + code + "\"}");
    assertThat(JSON.readTree(checked.body()).get("status").asText()).isEqualTo("approved");
    return id;
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

  /** Records, at every redraw, twilio's state in the routes table and its row in DE's routing table. */
  private static final String SEEN_RECORDER = """
      window.relaySeen = {states: [], reasons: []};
      new MutationObserver(() => {
        const state = document.querySelector('#routes tbody tr[data-route="twilio|DE|sms"] td.state');
        if (state) relaySeen.states.push(state.className + '=' + state.textContent);
        const route = document.querySelector('table.routing-table[data-country=DE][data-channel=sms] tr[data-provider=twilio]');
        if (route) relaySeen.reasons.push(route.dataset.reason + ':' + route.querySelector('td.place').textContent + '/'
            + route.querySelector('td.table-place').textContent + ':' + route.querySelector('.reason').textContent + ':'
            + route.querySelector('td.why').textContent.split(' (')[0]);
      }).observe(document.body, {subtree: true, childList: true});
      'recording'""";

  /** What the recorder saw, in order, without repeats in a row. */
  private static List<String> seen(DevTools page, String what) {
    List<String> all;
    try {
      all = JSON.readValue(page.evaluate("JSON.stringify(window.relaySeen." + what + ")"),
          JSON.getTypeFactory().constructCollectionType(List.class, String.class));
    } catch (Exception e) {
      throw new IllegalStateException("cannot read what the page showed", e);
    }
    List<String> changes = new java.util.ArrayList<>();
    for (String one : all) {
      if (changes.isEmpty() || !changes.get(changes.size() - 1).equals(one)) {
        changes.add(one);
      }
    }
    return changes;
  }

  private static void lookUp(DevTools page, String query, String key) throws Exception {
    page.evaluate("document.getElementById('lookup-query').value = " + JSON.writeValueAsString(query)
        + "; document.getElementById('lookup-key').value = " + JSON.writeValueAsString(key)
        + "; document.getElementById('lookup-error').textContent = ''"
        + "; document.getElementById('lookup-form').requestSubmit()");
  }

  private static Element chart(Document page, String route) {
    return page.select("#charts figure.chart").stream().filter(fig -> fig.attr("data-route").equals(route)).findFirst().orElse(null);
  }

  private static Instant dropRaisedAt(String provider, String country, String metric) throws Exception {
    for (JsonNode alert : JSON.readTree(get(scoringUrl() + "/alerts").body())) {
      if (alert.get("kind").asText().equals("DROP") && alert.get("provider").asText().equals(provider)
          && alert.get("country").asText().equals(country) && alert.get("metric").asText().equals(metric)) {
        return Instant.parse(alert.get("raisedAt").asText());
      }
    }
    throw new AssertionError("no " + metric + " DROP alert for " + provider + " in " + country);
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
