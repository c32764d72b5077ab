package dev.relay.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.kafka.embedded.FreePorts;
import dev.relay.local.LocalStack.LocalStackSettings;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.topics.Topics;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's walk-through, run against the whole stack as the launcher starts it: the embedded
 * broker, every service and the simulator, talking over loopback with the vendors' real protocols.
 * Each test makes what it needs itself (its own numbers, its own verification) and asserts nothing
 * another left behind, so they run in a random order: an order dependence shows as a failure, with the
 * seed JUnit logs to repeat it.
 */
@TestMethodOrder(MethodOrderer.Random.class)
@Tag("integration")
class LocalStackEndToEndTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Duration STACK_WAIT = Duration.ofSeconds(60);
  /** Maven runs the tests in the module's directory. */
  private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();

  @TempDir static Path dataDir;
  private static LocalStackSettings settings;
  private static LocalStack stack;

  @BeforeAll
  static void start() throws IOException {
    settings = new LocalStackSettings(dataDir, freePort(), freePort(), freePort(), freePort(), freePort(), freePort(),
        freePort());
    stack = new LocalStack(settings);
    stack.start();
    await().atMost(STACK_WAIT).until(stack::isReady);
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void everyServiceAnswersHealth() throws Exception {
    for (int port : List.of(settings.apiPort(), settings.dispatcherPort(), settings.senderPort(), settings.dlrPort(),
        settings.scoringPort(), settings.simPort())) {
      assertThat(get("http://localhost:" + port + "/health").statusCode()).as("health on %d", port).isEqualTo(200);
    }
  }

  @Test
  void aVerificationTravelsTheWholePathAndIsApproved() throws Exception {
    String number = "+4915112345678";
    HttpResponse<String> started = post(stack.apiUrl() + "/v1/verifications", "{\"to\": \"" + number + "\"}");

    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    JsonNode verification = JSON.readTree(started.body());
    assertThat(verification.get("status").asText()).isEqualTo("pending");
    assertThat(verification.get("channel").asText()).isEqualTo("sms");
    assertThat(verification.get("to").asText()).isEqualTo(number);
    String id = verification.get("id").asText();

    String code = awaitCodeInInbox(number, 1);
    String wrong = code.equals("000000") ? "111111" : "000000";

    HttpResponse<String> wrongCheck = post(stack.apiUrl() + "/v1/verifications/" + id + "/check", "{\"code\": \"" + wrong + "\"}");
    assertThat(wrongCheck.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(wrongCheck.body()).get("valid").asBoolean()).isFalse();
    assertThat(JSON.readTree(wrongCheck.body()).get("status").asText()).isEqualTo("pending");

    HttpResponse<String> rightCheck = post(stack.apiUrl() + "/v1/verifications/" + id + "/check", "{\"code\": \"" + code + "\"}");
    assertThat(rightCheck.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(rightCheck.body()).get("status").asText()).isEqualTo("approved");
    assertThat(JSON.readTree(rightCheck.body()).get("valid").asBoolean()).isTrue();

    HttpResponse<String> status = apiGet("/v1/verifications/" + id);
    assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
    JsonNode history = JSON.readTree(status.body());
    assertThat(history.get("status").asText()).isEqualTo("approved");
    assertThat(history.has("code")).isFalse();
    assertThat(history.get("attempts")).hasSize(1);
    assertThat(history.get("attempts").get(0).get("provider").asText()).isNotBlank();
    assertThat(history.get("attempts").get(0).get("submittedAt").asText()).isNotBlank();
  }

  @Test
  void aResendRepeatsTheSameCodeAndACancelStopsItWorking() throws Exception {
    String number = "+4915212345678";
    HttpResponse<String> started = post(stack.apiUrl() + "/v1/verifications", "{\"to\": \"" + number + "\"}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    String id = JSON.readTree(started.body()).get("id").asText();
    String code = awaitCodeInInbox(number, 1);

    HttpResponse<String> resent = post(stack.apiUrl() + "/v1/verifications/" + id + "/resend", "{\"channel\": \"sms\"}");
    assertThat(resent.statusCode()).as(resent.body()).isEqualTo(200);
    assertThat(awaitCodeInInbox(number, 2)).as("the same code again").isEqualTo(code);

    HttpResponse<String> canceled = send("DELETE", "/v1/verifications/" + id);
    assertThat(canceled.statusCode()).as(canceled.body()).isEqualTo(200);
    assertThat(JSON.readTree(canceled.body()).get("status").asText()).isEqualTo("canceled");

    // A canceled verification cannot be checked, and the answer does not say it was canceled.
    HttpResponse<String> check = post(stack.apiUrl() + "/v1/verifications/" + id + "/check", "{\"code\": \"" + code + "\"}");
    assertThat(check.statusCode()).as(check.body()).isEqualTo(404);
    assertThat(JSON.readTree(check.body()).get("error").asText()).isEqualTo("not_found");
    assertThat(check.body()).doesNotContain("canceled");
  }

  @Test
  void theReceiptReachesScoringAsADeliveryForTheProviderAndCountry() throws Exception {
    startAndAwaitSms("+4915112345670");

    awaitDeliveredScore("twilio", "DE");
  }

  @Test
  void anAnalyticsConsumerOutsideTheJvmReadsProviderScoresWithOnlyTheReleasedSchemas() throws Exception {
    assumeTrue(onPath("node"), "the README's example needs Node.js");
    Path example = REPOSITORY.resolve("examples/analytics-node");
    // The build installs nothing from a registry: .ci/run (or `npm ci` by hand) installs the locked deps first.
    assumeTrue(Files.isDirectory(example.resolve("node_modules")),
        "examples/analytics-node has no node_modules: run `npm ci` there (.ci/run does) to include this test");
    String released = REPOSITORY.resolve("schemas/src/main/resources/dev/relay/schemas/released").toString();
    // Its own delivery, so the scores it reads are there whatever ran before.
    startAndAwaitSms("+4915112345671");
    awaitDeliveredScore("twilio", "DE");

    String printed = run(example, Duration.ofMinutes(2), "node", "read-provider-scores.mjs", stack.bootstrapServers(), released, "5");

    List<JsonNode> scores = new ArrayList<>();
    for (String line : printed.split("\\R")) {
      if (line.startsWith("{")) {
        scores.add(JSON.readTree(line));
      }
    }
    assertThat(scores).as(printed).anySatisfy(score -> {
      assertThat(score.get("route").asText()).isEqualTo("twilio|DE|SMS");
      assertThat(score.get("delivered").asLong()).isGreaterThanOrEqualTo(1);
      assertThat(score.get("tried").asLong()).isGreaterThanOrEqualTo(1);
    });
  }

  @Test
  void errorsAreJsonWithTheRightStatus() throws Exception {
    HttpResponse<String> malformed = post(stack.apiUrl() + "/v1/verifications", "{\"to\": ");
    HttpResponse<String> badNumber = post(stack.apiUrl() + "/v1/verifications", "{\"to\": \"12345\"}");
    HttpResponse<String> unknownId = post(stack.apiUrl() + "/v1/verifications/VEnotarealid/check", "{\"code\": \"123456\"}");

    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(malformed.body()).has("error")).isTrue();
    assertThat(badNumber.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(badNumber.body()).has("error")).isTrue();
    assertThat(unknownId.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(unknownId.body()).has("error")).isTrue();

    HttpResponse<String> noKey = HTTP.send(HttpRequest.newBuilder(URI.create(stack.apiUrl() + "/v1/verifications"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"to\": \"+4915112345672\"}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(noKey.statusCode()).as("the local API takes only its key").isEqualTo(401);
    assertThat(JSON.readTree(noKey.body()).get("error").asText()).isEqualTo("unauthorized");
  }

  @Test
  void aVerificationStartedBeforeARestartIsApprovedAfterIt() throws Exception {
    String number = "+33612345678";
    HttpResponse<String> started = post(stack.apiUrl() + "/v1/verifications", "{\"to\": \"" + number + "\"}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    String id = JSON.readTree(started.body()).get("id").asText();
    String code = awaitCodeInInbox(number, 1);

    stack.close();
    stack = new LocalStack(settings);
    stack.start();
    await().atMost(STACK_WAIT).until(stack::isReady);

    HttpResponse<String> check = post(stack.apiUrl() + "/v1/verifications/" + id + "/check", "{\"code\": \"" + code + "\"}");
    assertThat(check.statusCode()).as(check.body()).isEqualTo(200);
    assertThat(JSON.readTree(check.body()).get("status").asText()).isEqualTo("approved");
  }

  /** Starts a verification to {@code number} and waits until its SMS reached the simulator's handset. */
  private static void startAndAwaitSms(String number) throws Exception {
    HttpResponse<String> started = post(stack.apiUrl() + "/v1/verifications", "{\"to\": \"" + number + "\"}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    awaitCodeInInbox(number, 1);
  }

  /** Waits until scoring has published a score that counts a delivery for this provider and country. */
  private static void awaitDeliveredScore(String provider, String country) {
    Topics topics = Topics.defaults();
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    Map<String, ProviderScore> latest = new HashMap<>();
    try (KafkaConsumer<String, ProviderScore> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
        topics.providerScores.valueSerde().deserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topics.providerScores.name()).stream()
          .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      await().atMost(STACK_WAIT).until(() -> {
        for (ConsumerRecord<String, ProviderScore> record : consumer.poll(Duration.ofMillis(200))) {
          latest.put(record.key(), record.value());
        }
        return latest.values().stream().anyMatch(score -> score.getProvider().equals(provider)
            && score.getCountry().equals(country) && score.getDelivered() >= 1);
      });
    }
  }

  private static String awaitCodeInInbox(String number, int messages) throws Exception {
    String url = stack.simUrl() + "/sim/handsets/" + number + "/messages";
    await().atMost(Duration.ofSeconds(30)).until(() -> JSON.readTree(get(url).body()).size() >= messages);
    JsonNode inbox = JSON.readTree(get(url).body());
    JsonNode message = inbox.get(inbox.size() - 1);
    assertThat(message.get("provider").asText()).isNotBlank();
    assertThat(message.get("channel").asText()).isEqualTo("sms");
    return message.get("code").asText();
  }

  /** Runs a command to its end and returns what it printed; fails on a non-zero exit or a timeout. */
  private static String run(Path directory, Duration limit, String... command) throws Exception {
    Path output = Files.createTempFile(dataDir, "process", ".out");
    Process process = new ProcessBuilder(command).directory(directory.toFile())
        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    boolean ended = process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
    if (!ended) {
      process.destroyForcibly();
    }
    String printed = Files.readString(output);
    assertThat(ended).as("%s ended within %s: %s", String.join(" ", command), limit, printed).isTrue();
    assertThat(process.exitValue()).as("%s: %s", String.join(" ", command), printed).isZero();
    return printed;
  }

  private static boolean onPath(String executable) {
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, executable)));
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> apiGet(String path) throws Exception {
    return send("GET", path);
  }

  private static HttpResponse<String> send(String method, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(stack.apiUrl() + path)).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + stack.apiKey())
        .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A POST to the API, with the stack's development key as the README shows it. */
  private static HttpResponse<String> post(String url, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + stack.apiKey())
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    return FreePorts.pick();
  }
}
