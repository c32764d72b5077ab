package dev.relay.failure;

import dev.relay.support.kafka.KafkaAccess;
import static dev.relay.failure.StackFixture.freePort;
import static dev.relay.failure.StackFixture.get;
import static dev.relay.failure.StackFixture.inbox;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.dispatcher.DispatcherService;
import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.sender.SenderService;
import dev.relay.sender.config.SenderConfig;
import dev.relay.kafka.embedded.EmbeddedKafkaCluster;
import dev.relay.local.LocalSecrets;
import dev.relay.providers.CircuitBreakingClient;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.VerificationRequest;
import dev.relay.schemas.topics.Topics;
import dev.relay.sim.SimService;
import dev.relay.sim.config.SimConfig;
import dev.relay.support.config.CommonKeys;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.kafka.KafkaSettings;
import dev.relay.support.secrets.Keyring;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Twilio hard down (the simulator's outage switch, every request a 503) behind the dispatcher's real
 * vendor adapters and circuit breakers: after a bounded number of failed calls the circuit opens and
 * Twilio is not called at all, every verification goes out through Vonage, and once Twilio is back
 * the circuit lets a probe through and closes, and traffic returns to Twilio.
 */
@Tag("integration")
class ProviderOutageTest {

  private static final int MINIMUM_CALLS = 3;
  private static final Duration OPEN_FOR = Duration.ofSeconds(2);
  private static final int VERIFICATIONS_DURING_OUTAGE = 12;
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir static Path dir;
  private static EmbeddedKafkaCluster kafka;
  private static SimService sim;
  private static DispatcherService dispatcher;
  private static SenderService sender;
  private static Topics topics;
  private static String simUrl;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafkaCluster.builder().build();
    kafka.start();
    LocalSecrets secrets = LocalSecrets.loadOrCreate(dir);
    int simPort = freePort();
    simUrl = "http://localhost:" + simPort;
    sim = new SimService(RelayConfig.of(SimConfig.SCHEMA, Map.of(
        "relay.http.port", Integer.toString(simPort),
        "relay.sim.enabled", "true",
        // No dlr-ingest here: receipts are not what this test is about.
        "relay.sim.dlr-url", "http://localhost:" + freePort(),
        "relay.sim.callback-attempts", "1",
        "relay.sim.twilio.account-sid", secrets.get("twilio-account-sid"),
        "relay.sim.twilio.auth-token", secrets.get("twilio-auth-token"),
        "relay.sim.vonage.api-key", secrets.get("vonage-api-key"),
        "relay.sim.vonage.api-secret", secrets.get("vonage-api-secret"),
        "relay.sim.vonage.signature-secret", secrets.get("vonage-signature-secret"))));
    sim.start();

    Map<String, String> values = new HashMap<>();
    values.put(CommonKeys.BOOTSTRAP_SERVERS.name(), kafka.bootstrapServers());
    values.put(CommonKeys.CODE_HMAC_KEYS.name(), Keyring.generateSetting("h1"));
    values.put(CommonKeys.CODE_ENCRYPTION_KEYS.name(), Keyring.generateSetting("e1"));
    values.put(CommonKeys.GUESS_ENCRYPTION_KEYS.name(), Keyring.generateSetting("g1"));
    values.put(CommonKeys.ID_KEYS.name(), Keyring.generateSetting("i1"));
    values.put(Topics.PREFIX, "outage.");
    values.put(DispatcherConfig.APPLICATION_ID.name(), "outage.dispatcher");
    values.put(DispatcherConfig.STATE_DIR.name(), dir.resolve("state").toString());
    values.put(DispatcherConfig.HTTP_PORT.name(), "0");
    values.put("relay.providers.enabled", "twilio,vonage");
    values.put("relay.dlr.public-url", "http://localhost:" + freePort());
    values.put("relay.providers.circuit-breaker.minimum-calls", Integer.toString(MINIMUM_CALLS));
    values.put("relay.providers.circuit-breaker.window-calls", "10");
    values.put("relay.providers.circuit-breaker.open-for", OPEN_FOR.toMillis() + "ms");
    values.put("relay.providers.twilio.base-url", simUrl);
    values.put("relay.providers.twilio.account-sid", secrets.get("twilio-account-sid"));
    values.put("relay.providers.twilio.auth-token", secrets.get("twilio-auth-token"));
    values.put("relay.providers.twilio.from", "+15005550006");
    values.put("relay.providers.vonage.base-url", simUrl);
    values.put("relay.providers.vonage.api-key", secrets.get("vonage-api-key"));
    values.put("relay.providers.vonage.api-secret", secrets.get("vonage-api-secret"));
    values.put("relay.providers.vonage.signature-secret", secrets.get("vonage-signature-secret"));
    values.put("relay.providers.vonage.from", "Relay");
    RelayConfig config = RelayConfig.of(DispatcherConfig.SCHEMA, values);
    topics = Topics.fromConfig(config.lookup());
    dispatcher = new DispatcherService(config);
    dispatcher.start();
    // The sender calls the simulated vendors through the real adapters and their circuit breakers.
    Map<String, String> senderValues = SenderConfig.SCHEMA.select(values);
    senderValues.put(SenderConfig.GROUP_ID.name(), "outage.senders");
    senderValues.put(SenderConfig.TRANSACTIONAL_ID.name(), "outage.sender-1");
    sender = new SenderService(RelayConfig.of(SenderConfig.SCHEMA, senderValues));
    sender.start();
    await().atMost(Duration.ofSeconds(60)).until(() -> dispatcher.isReady() && sender.isReady());
  }

  @AfterAll
  static void stop() {
    if (sender != null) {
      sender.close();
    }
    if (dispatcher != null) {
      dispatcher.close();
    }
    if (sim != null) {
      sim.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void theCircuitOpensAfterABoundedNumberOfFailuresAndClosesAfterRecovery() throws Exception {
    setTwilioDown(true);
    long outageBegin = System.nanoTime();
    List<String> numbers = new ArrayList<>();
    for (int i = 0; i < VERIFICATIONS_DURING_OUTAGE; i++) {
      String number = "+49151" + (20000000 + i);
      numbers.add(number);
      start(number, "outage-" + i);
      // One at a time: each send sees the circuit as the previous ones left it.
      await().atMost(WAIT).until(() -> inbox(simUrl, number).size() >= 1);
      assertThat(inbox(simUrl, number).get(0).get("provider").asText()).as("who delivered to %s", number)
          .isEqualTo("vonage");
    }

    Duration outage = Duration.ofNanos(System.nanoTime() - outageBegin);
    List<SendResult> twilioTries = sendResults().stream().filter(r -> r.getProvider().equals("twilio")).toList();
    long reachedTwilio = twilioTries.stream()
        .filter(r -> !CircuitBreakingClient.CIRCUIT_OPEN.equals(r.getVendorCode())).count();
    long refusedAtOnce = twilioTries.stream()
        .filter(r -> CircuitBreakingClient.CIRCUIT_OPEN.equals(r.getVendorCode())).count();
    // The window must see MINIMUM_CALLS calls before it may open, all of them failures here; after
    // that only the half-open probe, at most one per OPEN_FOR, reaches the vendor.
    long probes = outage.toMillis() / OPEN_FOR.toMillis() + 1;
    assertThat(reachedTwilio).as("calls that reached Twilio while it was down, in %s", outage)
        .isBetween((long) MINIMUM_CALLS, MINIMUM_CALLS + probes);
    assertThat(refusedAtOnce + reachedTwilio).isEqualTo(VERIFICATIONS_DURING_OUTAGE);
    assertThat(refusedAtOnce).as("sends refused by the open circuit").isPositive();

    setTwilioDown(false);
    // After OPEN_FOR a probe is let through; it succeeds and the circuit closes.
    int[] next = {0};
    await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
      String number = "+49152" + (20000000 + next[0]);
      start(number, "recovery-" + next[0]++);
      await().atMost(WAIT).until(() -> inbox(simUrl, number).size() >= 1);
      return inbox(simUrl, number).get(0).get("provider").asText().equals("twilio");
    });
    for (int i = 0; i < 3; i++) {
      String number = "+49151" + (30000000 + i);
      start(number, "closed-" + i);
      await().atMost(WAIT).until(() -> inbox(simUrl, number).size() >= 1);
      assertThat(inbox(simUrl, number).get(0).get("provider").asText()).as("closed circuit, %s", number)
          .isEqualTo("twilio");
    }
  }

  private static void setTwilioDown(boolean down) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(simUrl + "/sim/providers/twilio/outage"))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString("{\"down\": " + down + "}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode state = StackFixture.json(get(simUrl + "/sim/providers/twilio/outage"));
    assertThat(state.get("down").asBoolean()).isEqualTo(down);
  }

  private static void start(String number, String requestId) throws Exception {
    try (KafkaProducer<String, VerificationRequest> producer = new KafkaProducer<>(
        KafkaSettings.durableProducer(KafkaAccess.plaintext(kafka.bootstrapServers()), "outage-client"), new StringSerializer(),
        topics.verificationRequests.valueSerde().serializer())) {
      producer.send(new ProducerRecord<>(topics.verificationRequests.name(), number, VerificationRequest.newBuilder()
          .setRequestId(requestId)
          .setTo(number)
          .setCountry("DE")
          .setRequestedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
          .build())).get();
    }
  }

  private static List<SendResult> sendResults() {
    Map<String, Object> props = KafkaSettings.committedConsumer(KafkaAccess.plaintext(kafka.bootstrapServers()), null, "outage-reader");
    List<SendResult> results = new ArrayList<>();
    try (KafkaConsumer<String, SendResult> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
        topics.sendResults.valueSerde().deserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topics.sendResults.name()).stream()
          .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      await().atMost(WAIT).until(() -> {
        for (ConsumerRecord<String, SendResult> record : consumer.poll(Duration.ofMillis(200))) {
          results.add(record.value());
        }
        return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
      });
    }
    return results;
  }
}
