package dev.relay.local;

import dev.relay.kafka.embedded.FreePorts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.dispatcher.DispatcherService;
import dev.relay.dlr.DlrIngestService;
import dev.relay.local.LocalStack.LocalStackSettings;
import dev.relay.local.acl.RelayAcls;
import dev.relay.schemas.DeliveryOutcome;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.SendOutcome;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.topics.Topics;
import dev.relay.scoring.ScoringService;
import dev.relay.scoring.config.ScoringConfig;
import dev.relay.sender.SenderService;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.kafka.KafkaSettings;
import dev.relay.support.kafka.acl.AclCheck;
import dev.relay.support.kafka.acl.ServiceAcls;
import dev.relay.api.VerificationApiService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Relay on a secured three-node cluster, as docs/deploy.md describes it: SASL/SCRAM-SHA-512 on every
 * client, the standard authorizer, and one principal per service holding only the ACLs that
 * ProvisionAclsMain grants it. The whole flow works with exactly those ACLs; a principal missing one
 * is refused at start-up with the permission named; the analytics principal can read scores but
 * cannot write a verification request.
 */
@Tag("integration")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecuredClusterEndToEndTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Duration STACK_WAIT = Duration.ofSeconds(90);
  private static final Topics TOPICS = SecuredRelayKafka.TOPICS;
  @TempDir static Path dataDir;
  private static SecuredRelayKafka kafka;
  private static LocalStack stack;

  @BeforeAll
  static void start() throws Exception {
    long begin = System.nanoTime();
    kafka = SecuredRelayKafka.start();

    LocalStackSettings settings = new LocalStackSettings(dataDir, 0, FreePorts.pick(), FreePorts.pick(), FreePorts.pick(),
        FreePorts.pick(), FreePorts.pick());
    Map<String, Map<String, String>> overrides = new HashMap<>();
    overrides.put(VerificationApiService.NAME, kafka.serviceSettings(RelayAcls.API));
    Map<String, String> dispatcher = kafka.serviceSettings(RelayAcls.DISPATCHER);
    dispatcher.put("relay.limits.per-ip", "50/1m,200/1h");
    overrides.put(DispatcherService.NAME, dispatcher);
    overrides.put(SenderService.NAME, kafka.serviceSettings(RelayAcls.SENDER));
    overrides.put(DlrIngestService.NAME, kafka.serviceSettings(RelayAcls.DLR_INGEST));
    Map<String, String> scoring = kafka.serviceSettings(RelayAcls.SCORING);
    scoring.put(ScoringConfig.EMIT_INTERVAL.name(), "500ms");
    overrides.put(ScoringService.NAME, scoring);
    stack = new LocalStack(settings, overrides, kafka.cluster());
    stack.start();
    await().atMost(STACK_WAIT).until(stack::isReady);
    System.out.printf("secured 3-node cluster, ACLs, topics and every service ready in %d ms%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  @Order(1)
  void aVerificationWithAFailoverIsApprovedAndScoredWithEachServiceHoldingOnlyItsOwnAcls() throws Exception {
    route("twilio", "DE", "{\"acceptRate\": 0.0}");
    String number = "+4915198761234";
    HttpResponse<String> started = api("POST", "/v1/verifications", "{\"to\": \"" + number + "\"}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    String id = JSON.readTree(started.body()).get("id").asText();

    JsonNode message = awaitInbox(number);
    assertThat(message.get("provider").asText()).as("failed over from twilio").isEqualTo("vonage");
    HttpResponse<String> checked = api("POST", "/v1/verifications/" + id + "/check",
        "{\"code\": \"" + message.get("code").asText() + "\"}");
    assertThat(checked.statusCode()).as(checked.body()).isEqualTo(200);
    assertThat(JSON.readTree(checked.body()).get("status").asText()).isEqualTo("approved");

    List<SendResult> sends = awaitRecords(RelayAcls.DISPATCHER, TOPICS.sendResults.name(),
        TOPICS.sendResults.valueSerde().deserializer(), send -> number.equals(send.getTo()), 2);
    assertThat(sends).extracting(SendResult::getProvider, SendResult::getOutcome).containsExactly(
        org.assertj.core.groups.Tuple.tuple("twilio", SendOutcome.REJECTED),
        org.assertj.core.groups.Tuple.tuple("vonage", SendOutcome.ACCEPTED));
    // Scoring reads what became of the delivery as the dispatcher matched it, keyed by route.
    assertThat(awaitRecords(RelayAcls.SCORING, TOPICS.deliveryOutcomes.name(),
        TOPICS.deliveryOutcomes.valueSerde().deserializer(), outcome -> id.equals(outcome.getVerificationId()), 1))
        .extracting(DeliveryOutcome::getProvider, DeliveryOutcome::getStatus)
        .contains(org.assertj.core.groups.Tuple.tuple("vonage", DeliveryStatus.DELIVERED));
    // And the rest of what it scores the routes on, told by the dispatcher: twilio's rejection moved the send on.
    assertThat(awaitRecords(RelayAcls.SCORING, TOPICS.routeFacts.name(),
        TOPICS.routeFacts.valueSerde().deserializer(), fact -> id.equals(fact.getVerificationId()), 4))
        .extracting(fact -> fact.getKind() + " " + fact.getReason())
        .contains("TRIED null", "FAILOVER REJECTION", "COMPLETION null");
    // Read as the analytics principal: what it is for, and all it may read.
    assertThat(awaitRecords(RelayAcls.ANALYTICS, TOPICS.providerScores.name(), TOPICS.providerScores.valueSerde().deserializer(),
        score -> score.getProvider().equals("vonage") && score.getCountry().equals("DE") && score.getDelivered() >= 1, 1))
        .extracting(ProviderScore::getProvider).contains("vonage");
  }

  @Test
  @Order(2)
  void theAnalyticsPrincipalCannotWriteAVerificationRequest() {
    Map<String, Object> producer = KafkaSettings.durableProducer(kafka.access(RelayAcls.ANALYTICS), "analytics-forger");
    try (KafkaProducer<String, byte[]> forger = new KafkaProducer<>(producer, new StringSerializer(), new ByteArraySerializer())) {
      // Any bytes will do: the broker refuses the write before it looks at them.
      byte[] value = {0};
      assertThatThrownBy(() -> forger.send(new ProducerRecord<>(TOPICS.verificationRequests.name(), "+4915198760000", value))
          .get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicAuthorizationException.class);
    }
  }

  @Test
  @Order(3)
  void aServiceWhosePrincipalLacksOneAclRefusesToStartAndNamesIt() {
    // Scoring's ACLs but one: reading the route facts.
    ServiceAcls scoring = ScoringService.kafkaAcls(TOPICS, ScoringConfig.APPLICATION_ID.defaultValue());
    List<org.apache.kafka.common.acl.AclBinding> bindings = new ArrayList<>(scoring.bindings("User:relay-partial"));
    bindings.removeIf(binding -> binding.pattern().name().equals(TOPICS.routeFacts.name())
        && binding.entry().operation() == org.apache.kafka.common.acl.AclOperation.READ);
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
        KafkaSettings.admin(kafka.superUser(), "test-acls", Duration.ofSeconds(30)))) {
      admin.createAcls(bindings).all().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }

    Map<String, String> settings = kafka.serviceSettings("partial");
    settings.put("relay.http.port", "0");
    settings.put("relay.streams.state-dir", dataDir.resolve("partial").toString());
    // The ACLs just created reach every broker a moment later; until then more may be missing.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      ScoringService partial = new ScoringService(RelayConfig.of(ScoringConfig.SCHEMA, settings));
      try {
        assertThatThrownBy(partial::start).isInstanceOf(AclCheck.MissingAclsException.class)
            .hasMessageContaining("READ on TOPIC " + TOPICS.routeFacts.name())
            .hasMessageNotContaining("READ on TOPIC " + TOPICS.deliveryOutcomes.name());
      } finally {
        partial.close();
      }
    });

    Map<String, String> nobody = kafka.serviceSettings("nobody");
    nobody.put("relay.http.port", "0");
    nobody.put("relay.streams.state-dir", dataDir.resolve("nobody").toString());
    ScoringService refused = new ScoringService(RelayConfig.of(ScoringConfig.SCHEMA, nobody));
    try {
      assertThatThrownBy(refused::start).hasMessageContaining("not visible to this Kafka principal (no DESCRIBE ACL)");
      assertThat(refused.isReady()).isFalse();
    } finally {
      refused.close();
    }
  }

  private static <V> List<V> awaitRecords(String service, String topic, Deserializer<V> values,
      java.util.function.Predicate<V> wanted, int count) {
    List<V> found = new ArrayList<>();
    Map<String, Object> props = KafkaSettings.committedConsumer(kafka.access(service), null, "secured-test-reader");
    try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props, new StringDeserializer(), values)) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        for (ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(200))) {
          if (wanted.test(record.value())) {
            found.add(record.value());
          }
        }
        return found.size() >= count;
      });
    }
    return found;
  }

  private static void route(String provider, String country, String json) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(stack.simUrl() + "/sim/providers/" + provider
        + "/countries/" + country)).header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  private static JsonNode awaitInbox(String number) throws Exception {
    String url = stack.simUrl() + "/sim/handsets/" + number + "/messages";
    Function<String, JsonNode> inbox = address -> {
      try {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(address)).GET().build(),
            HttpResponse.BodyHandlers.ofString()).body());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
    await().atMost(Duration.ofSeconds(60)).until(() -> inbox.apply(url).size() >= 1);
    return inbox.apply(url).get(0);
  }

  private static HttpResponse<String> api(String method, String path, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(stack.apiUrl() + path)).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + stack.apiKey()).header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
