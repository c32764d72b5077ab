package dev.relay.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.kafka.embedded.FreePorts;
import dev.relay.local.LocalStack.LocalStackSettings;
import dev.relay.support.phone.PhoneNumbers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue 7 on the whole stack: after a walk-through (one plain approval, one failover after a failed
 * receipt) every service's /metrics shows the expected counts, the JSON logs of the run hold neither
 * a code nor a full phone number, and readiness follows the broker going away and coming back.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Tag("integration")
class ObservabilityEndToEndTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String PLAIN = "+4915112345670";
  private static final String FAILED_OVER = "+4915112345671";

  @TempDir static Path dataDir;
  private static LocalStackSettings settings;
  private static LocalStack stack;
  private static final ByteArrayOutputStream LOGS = new ByteArrayOutputStream();
  private static PrintStream originalOut;
  /** Each service's public port to its management port, where /metrics is served instead. */
  private static final Map<Integer, Integer> MANAGEMENT = new java.util.HashMap<>();
  private static final List<String> CODES = new ArrayList<>();
  /** The id of the plain approval, which every service that handled it must have logged under. */
  private static volatile String plainId;

  @BeforeAll
  static void start() throws Exception {
    // The services' own logback.xml in its JSON form, at DEBUG for Relay, writing into LOGS.
    originalOut = System.out;
    System.setOut(new PrintStream(new TeeStream(LOGS, originalOut), true, StandardCharsets.UTF_8));
    System.setProperty("RELAY_LOG_FORMAT", "json");
    System.setProperty("RELAY_LOG_LEVEL", "DEBUG");
    reconfigureLogging();

    settings = new LocalStackSettings(dataDir, freePort(), freePort(), freePort(), freePort(), freePort(), freePort(), freePort());
    // /metrics on a management port apart from each public port, as a deployment runs them.
    Map<String, Map<String, String>> overrides = new java.util.HashMap<>();
    Map<String, Integer> publicPorts = Map.of(dev.relay.api.VerificationApiService.NAME, settings.apiPort(),
        dev.relay.dispatcher.DispatcherService.NAME, settings.dispatcherPort(),
        dev.relay.sender.SenderService.NAME, settings.senderPort(),
        dev.relay.dlr.DlrIngestService.NAME, settings.dlrPort(),
        dev.relay.scoring.ScoringService.NAME, settings.scoringPort());
    for (Map.Entry<String, Integer> service : publicPorts.entrySet()) {
      int management = freePort();
      MANAGEMENT.put(service.getValue(), management);
      overrides.put(service.getKey(), Map.of("relay.management.port", Integer.toString(management)));
    }
    stack = new LocalStack(settings, overrides);
    stack.start();
    await().atMost(Duration.ofSeconds(60)).until(stack::isReady);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (stack != null) {
        stack.close();
      }
    } finally {
      System.clearProperty("RELAY_LOG_FORMAT");
      System.clearProperty("RELAY_LOG_LEVEL");
      System.setOut(originalOut);
      reconfigureLogging();
    }
  }

  @Test
  @Order(1)
  void aPlainApprovalAndAFailoverAfterAFailedReceipt() throws Exception {
    String id = startVerification(PLAIN);
    plainId = id;
    String code = awaitCode(PLAIN);
    // Delivered before the right guess, so the delivery time is known when it is approved.
    await().atMost(WAIT).until(() -> sum(scrape(settings.dispatcherPort()), "relay_delivery_time_seconds_count",
        Map.of("country", "DE")) >= 1);
    assertThat(check(id, code.equals("000000") ? "111111" : "000000").get("status").asText()).isEqualTo("pending");
    assertThat(check(id, code).get("status").asText()).isEqualTo("approved");

    // Twilio accepts German sends but never delivers them: the failed receipt moves the send to Vonage.
    HttpResponse<String> degraded = put(stack.simUrl() + "/sim/providers/twilio/countries/DE", "{\"deliveryRate\": 0.0}");
    assertThat(degraded.statusCode()).as(degraded.body()).isLessThan(300);
    String second = startVerification(FAILED_OVER);
    String secondCode = awaitCode(FAILED_OVER);
    assertThat(lastMessage(FAILED_OVER).get("provider").asText()).isEqualTo("vonage");
    assertThat(check(second, secondCode).get("status").asText()).isEqualTo("approved");
  }

  @Test
  @Order(2)
  void everyServiceShowsTheRunInItsMetrics() {
    await().atMost(WAIT).untilAsserted(() -> {
      String dispatcher = scrape(settings.dispatcherPort());
      String sender = scrape(settings.senderPort());
      // Submissions by provider and country: twilio took both German sends, vonage the failover.
      assertThat(sum(sender, "relay_submissions_total",
          Map.of("provider", "twilio", "country", "DE", "channel", "sms", "outcome", "accepted"))).isEqualTo(2);
      assertThat(sum(sender, "relay_submissions_total",
          Map.of("provider", "vonage", "country", "DE", "channel", "sms", "outcome", "accepted"))).isEqualTo(1);
      assertThat(sum(dispatcher, "relay_sends_dispatched_total", Map.of("channel", "sms"))).isEqualTo(3);
      assertThat(sum(dispatcher, "relay_failovers_total",
          Map.of("reason", "failed_receipt", "provider", "twilio", "country", "DE"))).isEqualTo(1);
      assertThat(sum(dispatcher, "relay_checks_total", Map.of("outcome", "wrong"))).isEqualTo(1);
      assertThat(sum(dispatcher, "relay_checks_total", Map.of("outcome", "approved"))).isEqualTo(2);
      assertThat(sum(dispatcher, "relay_verifications_finished_total", Map.of("status", "approved"))).isEqualTo(2);
      assertThat(sum(dispatcher, "relay_verification_time_to_verify_seconds_count",
          Map.of("country", "DE", "channel", "sms"))).isEqualTo(2);
      assertThat(dispatcher).contains("relay_verification_time_to_verify_seconds_bucket{");
      assertThat(sum(dispatcher, "relay_delivery_time_seconds_count",
          Map.of("provider", "twilio", "country", "DE", "channel", "sms"))).isEqualTo(1);
      assertThat(sum(dispatcher, "relay_delivery_time_seconds_count",
          Map.of("provider", "vonage", "country", "DE", "channel", "sms"))).isEqualTo(1);
      // The delivery rate's inputs, one per message: Twilio's failed German send and the two delivered ones.
      assertThat(sum(dispatcher, "relay_delivery_outcomes_total",
          Map.of("provider", "twilio", "country", "DE", "status", "delivered"))).isEqualTo(1);
      assertThat(sum(dispatcher, "relay_delivery_outcomes_total",
          Map.of("provider", "twilio", "country", "DE", "status", "undelivered"))).isEqualTo(1);
      assertThat(sum(dispatcher, "relay_delivery_outcomes_total",
          Map.of("provider", "vonage", "country", "DE", "status", "delivered"))).isEqualTo(1);
      assertThat(sum(dispatcher, "relay_verification_cost_usd_count", Map.of("country", "DE"))).isEqualTo(2);
      // The simulated Vonage prices its sends; cost per success is the sum over the count.
      assertThat(sum(sender, "relay_send_cost_usd_total", Map.of("provider", "vonage", "country", "DE"))).isPositive();
      assertThat(sum(dispatcher, "relay_verification_cost_usd_sum", Map.of("country", "DE"))).isPositive();
      // Kafka's own figures: the Streams app, and the sender's consumer and producer.
      assertThat(dispatcher).contains("kafka_stream_thread_process_total");
      assertThat(sender).contains("kafka_consumer_fetch_manager_records_consumed_total").contains("kafka_producer_record_send_total");

      String dlr = scrape(settings.dlrPort());
      assertThat(sum(dlr, "relay_dlr_receipts_total",
          Map.of("provider", "twilio", "country", "DE", "status", "delivered", "final", "true"))).isEqualTo(1);
      assertThat(sum(dlr, "relay_dlr_receipts_total",
          Map.of("provider", "twilio", "country", "DE", "status", "undelivered", "final", "true"))).isEqualTo(1);
      assertThat(sum(dlr, "relay_dlr_receipts_total",
          Map.of("provider", "vonage", "country", "DE", "status", "delivered", "final", "true"))).isEqualTo(1);
      assertThat(dlr).contains("kafka_producer_record_send_total");
      assertThat(sum(dlr, "http_server_requests_seconds_count", Map.of("method", "POST", "route", "/dlr/twilio")))
          .isGreaterThanOrEqualTo(2);

      String api = scrape(settings.apiPort());
      assertThat(sum(api, "http_server_requests_seconds_count",
          Map.of("method", "POST", "route", "/v1/verifications", "status", "201"))).isEqualTo(2);
      // One wrong guess and two approvals, each a 200.
      assertThat(sum(api, "http_server_requests_seconds_count",
          Map.of("method", "POST", "route", "/v1/verifications/{id}/check", "status", "200"))).isEqualTo(3);
      assertThat(api).contains("kafka_producer_record_send_total").contains("kafka_consumer_fetch_manager_records_consumed_total");

      String scoring = scrape(settings.scoringPort());
      assertThat(scoring).contains("kafka_stream_thread_process_total");
      assertThat(sum(scoring, "http_server_requests_seconds_count", Map.of("route", "/metrics"))).isPositive();
    });
  }

  @Test
  @Order(3)
  void thePublicPortsServeNoMetricsAndTheManagementPortsServeHealth() throws Exception {
    for (int port : MANAGEMENT.keySet()) {
      assertThat(get("http://localhost:" + port + "/metrics").statusCode()).as("public port %d", port).isEqualTo(404);
      assertThat(get("http://localhost:" + MANAGEMENT.get(port) + "/health/ready").statusCode()).isEqualTo(200);
    }
  }

  @Test
  @Order(3)
  void tagValuesAreBoundedNeverANumberIdOrCode() throws Exception {
    for (int port : List.of(settings.apiPort(), settings.dispatcherPort(), settings.senderPort(), settings.dlrPort(),
        settings.scoringPort())) {
      String text = scrape(port);
      assertThat(text).doesNotContain("4915112345670").doesNotContain("4915112345671");
      for (String code : CODES) {
        assertThat(text).doesNotContain("\"" + code + "\"");
      }
      assertThat(text).doesNotContainPattern("\"VE[0-9a-zA-Z]{6,}\"");
    }
  }

  @Test
  @Order(4)
  void theLogsAreJsonWithTheVerificationIdAndHoldNoCodeAndNoFullNumber() {
    String logs = LOGS.toString(StandardCharsets.UTF_8);
    List<JsonNode> events = new ArrayList<>();
    for (String line : logs.split("\n")) {
      if (line.startsWith("{")) {
        events.add(parse(line));
      }
    }
    assertThat(events).as("JSON log lines").hasSizeGreaterThan(10);
    assertThat(events).anySatisfy(event -> assertThat(event.path("mdc").path("verificationId").asText()).startsWith("VE"));
    // Each service that handled the plain verification logged under its id: the API (start, checks), the
    // dispatcher's topology, the sender, and dlr-ingest (the receipts name the attempt).
    assertThat(events.stream().filter(event -> plainId.equals(event.path("mdc").path("verificationId").asText()))
        .map(event -> event.path("loggerName").asText()).distinct().toList())
        .as("loggers that wrote a line under the verification id")
        .contains("dev.relay.api.http.VerificationRoutes", "dev.relay.dispatcher.topology.VerificationProcessor",
            "dev.relay.sender.CommandSender", "dev.relay.dlr.http.DlrRoutes");
    assertThat(events).anySatisfy(event -> assertThat(event.path("formattedMessage").asText()).contains(PhoneNumbers.mask(PLAIN)));
    assertThat(logs).doesNotContain(PLAIN).doesNotContain(FAILED_OVER)
        .doesNotContain(PLAIN.substring(1)).doesNotContain(FAILED_OVER.substring(1));
    assertThat(CODES).hasSize(2);
    for (String code : CODES) {
      assertThat(logs).doesNotContainPattern("(?<![0-9])" + code + "(?![0-9])");
    }
  }

  @Test
  @Order(5)
  void readinessFollowsTheBrokerAwayAndBack() throws Exception {
    List<Integer> kafkaServices = List.of(settings.apiPort(), settings.dispatcherPort(), settings.senderPort(), settings.dlrPort(),
        settings.scoringPort());
    for (int port : kafkaServices) {
      assertThat(ready(port)).as("ready on %d", port).isEqualTo(200);
    }
    stack.stopBroker();
    try {
      await().atMost(WAIT).untilAsserted(() -> {
        Map<String, Integer> readiness = new java.util.TreeMap<>();
        for (int port : kafkaServices) {
          readiness.put(serviceOn(port), ready(port));
          assertThat(get("http://localhost:" + port + "/health/live").statusCode()).isEqualTo(200);
        }
        assertThat(readiness).as("readiness without a broker").allSatisfy((service, status) -> assertThat(status).isEqualTo(503));
      });
    } finally {
      stack.startBroker();
    }
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      Map<String, Integer> readiness = new java.util.TreeMap<>();
      for (int port : kafkaServices) {
        readiness.put(serviceOn(port), ready(port));
      }
      assertThat(readiness).as("readiness with the broker back").allSatisfy((service, status) -> assertThat(status).isEqualTo(200));
    });
  }

  // ---------------------------------------------------------------- helpers

  /** Sums the samples of one metric whose labels include all of {@code labels}. */
  static double sum(String exposition, String metric, Map<String, String> labels) {
    // Label values are quoted and may hold braces themselves: a route tag is a pattern like
    // /v1/verifications/{id}/check, which a plain [^}]* would cut short and so never match.
    Pattern line = Pattern.compile("^" + Pattern.quote(metric) + "(\\{((?:[^\"}]|\"(?:[^\"\\\\]|\\\\.)*\")*)\\})? (\\S+)$",
        Pattern.MULTILINE);
    double total = 0;
    Matcher matcher = line.matcher(exposition);
    while (matcher.find()) {
      String given = matcher.group(2) == null ? "" : matcher.group(2);
      boolean all = labels.entrySet().stream().allMatch(label ->
          given.contains(label.getKey() + "=\"" + label.getValue() + "\""));
      if (all) {
        total += Double.parseDouble(matcher.group(3));
      }
    }
    return total;
  }

  /** The metrics of the service whose public port is {@code port}, read on its management port. */
  private static String scrape(int port) throws Exception {
    HttpResponse<String> response = get("http://localhost:" + MANAGEMENT.get(port) + "/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  private static String serviceOn(int port) {
    return port == settings.apiPort() ? "verification-api" : port == settings.dispatcherPort() ? "dispatcher-stream"
        : port == settings.senderPort() ? "sender"
        : port == settings.dlrPort() ? "dlr-ingest" : port == settings.scoringPort() ? "scoring-stream" : "port " + port;
  }

  private static int ready(int port) throws Exception {
    return get("http://localhost:" + port + "/health/ready").statusCode();
  }

  private static String startVerification(String number) throws Exception {
    HttpResponse<String> started = post(stack.apiUrl() + "/v1/verifications", "{\"to\": \"" + number + "\"}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    return JSON.readTree(started.body()).get("id").asText();
  }

  private static JsonNode check(String id, String code) throws Exception {
    HttpResponse<String> checked = post(stack.apiUrl() + "/v1/verifications/" + id + "/check", "{\"code\": \"" + code + "\"}");
    assertThat(checked.statusCode()).as(checked.body()).isEqualTo(200);
    return JSON.readTree(checked.body());
  }

  private static String awaitCode(String number) throws Exception {
    String url = stack.simUrl() + "/sim/handsets/" + number + "/messages";
    await().atMost(WAIT).until(() -> JSON.readTree(get(url).body()).size() >= 1);
    String code = lastMessage(number).get("code").asText();
    CODES.add(code);
    return code;
  }

  private static JsonNode lastMessage(String number) throws Exception {
    JsonNode inbox = JSON.readTree(get(stack.simUrl() + "/sim/handsets/" + number + "/messages").body());
    return inbox.get(inbox.size() - 1);
  }

  private static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (IOException e) {
      throw new AssertionError("a log line is not JSON: " + line, e);
    }
  }

  private static void reconfigureLogging() throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(ObservabilityEndToEndTest.class.getResource("/logback.xml"));
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

  /** Writes to the captured buffer and on to the console, so a failing run still shows its logs. */
  private static final class TeeStream extends java.io.OutputStream {
    private final java.io.OutputStream first;
    private final java.io.OutputStream second;

    TeeStream(java.io.OutputStream first, java.io.OutputStream second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public synchronized void write(int b) throws IOException {
      first.write(b);
      second.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
      first.write(b, off, len);
      second.write(b, off, len);
    }
  }
}
