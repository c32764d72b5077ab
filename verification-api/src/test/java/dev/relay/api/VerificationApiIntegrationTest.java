package dev.relay.api;

import dev.relay.support.kafka.KafkaAccess;
import static dev.relay.api.HttpCalls.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.api.config.ApiConfig;
import dev.relay.kafka.embedded.EmbeddedKafkaCluster;
import dev.relay.schemas.Channel;
import dev.relay.schemas.VerificationRequest;
import dev.relay.schemas.topics.Topic;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.kafka.KafkaSettings;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * verification-api as it runs in production (its own Kafka clients, its provisioning, two
 * instances) against a real KRaft broker, with {@link TinyDispatcher} answering in place of
 * dispatcher-stream. The broker outage comes last: it stops and restarts the broker.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Tag("integration")
class VerificationApiIntegrationTest {

  private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration PRODUCE_TIMEOUT = Duration.ofSeconds(2);

  private EmbeddedKafkaCluster kafka;
  private VerificationApiService api;
  private VerificationApiService otherApi;
  private TinyDispatcher dispatcher;
  private ApiConfig config;
  private HttpCalls http;
  private HttpCalls otherHttp;

  @BeforeAll
  void start() {
    kafka = EmbeddedKafkaCluster.builder().build();
    kafka.start();
    Map<String, String> settings = TestSettings.base();
    settings.put("relay.kafka.bootstrap-servers", kafka.bootstrapServers());
    settings.put("relay.topics.partitions", "3");
    settings.put("relay.api.reply-timeout", REPLY_TIMEOUT.toMillis() + "ms");
    settings.put("relay.api.produce-timeout", PRODUCE_TIMEOUT.toMillis() + "ms");
    config = ApiConfig.of(settings);
    // The production constructor: the same wiring ServiceMain and the launcher use.
    api = new VerificationApiService(RelayConfig.of(ApiConfig.SCHEMA, settings));
    otherApi = new VerificationApiService(RelayConfig.of(ApiConfig.SCHEMA, settings));
    // Side by side, as two instances of one deployment start.
    CompletableFuture.allOf(CompletableFuture.runAsync(api::start), CompletableFuture.runAsync(otherApi::start)).join();
    dispatcher = new TinyDispatcher(kafka.bootstrapServers(), config.topics(), config.guessSealer());
    dispatcher.start();
    http = new HttpCalls(api.port());
    otherHttp = new HttpCalls(otherApi.port());
  }

  @AfterAll
  void stop() {
    for (AutoCloseable closeable : new AutoCloseable[] {dispatcher, otherApi, api, kafka}) {
      try {
        if (closeable != null) {
          closeable.close();
        }
      } catch (Exception e) {
        // Closing the rest matters more than this one failure.
      }
    }
  }

  @Test
  @Order(1)
  void startsTheServiceProvisionedAndReady() {
    assertThat(api.isReady()).isTrue();
    assertThat(http.get("/health/ready").statusCode()).isEqualTo(200);
    assertThat(otherHttp.get("/health/ready").statusCode()).isEqualTo(200);
  }

  @Test
  @Order(2)
  void aStartIs201OnlyAfterItsRequestIsOnTheTopicAndAnswered() {
    String number = "+4915112340001";

    HttpResponse<String> response = http.post("/v1/verifications", "{\"to\": \"" + number + "\", \"requestId\": \"it-start-1\"}");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    JsonNode body = json(response);
    // The dispatcher answered from the record it read with read_committed, so the record was durable first.
    assertThat(dispatcher.requests).anySatisfy(seen -> assertThat(seen.getRequestId()).isEqualTo("it-start-1"));
    List<ConsumerRecord<String, byte[]>> onTopic = readAll(config.topics().verificationRequests).stream()
        .filter(record -> record.key().equals(number)).toList();
    assertThat(onTopic).hasSize(1);
    VerificationRequest stored = config.topics().verificationRequests.valueSerde().deserializer()
        .deserialize(onTopic.get(0).topic(), onTopic.get(0).value());
    assertThat(stored.getRequestId()).isEqualTo("it-start-1");
    // The reply is waited on under a correlation id the API made for this request, not the requestId.
    assertThat(stored.getReplyTo()).isNotEqualTo("it-start-1");
    assertThat(stored.getTo()).isEqualTo(number);
    assertThat(stored.getCountry()).isEqualTo("DE");
    assertThat(stored.getChannel()).isEqualTo(Channel.SMS);
    assertThat(stored.getVerificationId()).isEqualTo(body.get("id").asText());
    assertThat(config.ids().numberOf(body.get("id").asText())).contains(number);
    assertThat(body.get("status").asText()).isEqualTo("pending");
    assertThat(body.get("channel").asText()).isEqualTo("sms");
    assertThat(body.get("expiresAt").asText()).isNotEmpty();
  }

  @Test
  @Order(3)
  void theSameNumberAgainIs200WithThePendingVerification() {
    String number = "+4915112340002";
    HttpResponse<String> first = http.post("/v1/verifications", "{\"to\": \"" + number + "\"}");

    HttpResponse<String> again = otherHttp.post("/v1/verifications", "{\"to\": \"" + number + "\"}");

    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(json(again).get("id").asText()).isEqualTo(json(first).get("id").asText());
  }

  @Test
  @Order(4)
  void checksTravelSealedAndTheirRepliesComeBack() {
    String number = "+4915112340003";
    String id = json(http.post("/v1/verifications", "{\"to\": \"" + number + "\"}")).get("id").asText();

    HttpResponse<String> wrong = http.post("/v1/verifications/" + id + "/check", "{\"code\": \"975310\"}");
    HttpResponse<String> right = otherHttp.post("/v1/verification-checks", "{\"to\": \"" + number + "\", \"code\": \"" + TinyDispatcher.CODE + "\"}");
    HttpResponse<String> afterApproval = http.post("/v1/verifications/" + id + "/check", "{\"code\": \"" + TinyDispatcher.CODE + "\"}");

    assertThat(wrong.statusCode()).isEqualTo(200);
    assertThat(wrong.body()).isEqualTo("{\"status\":\"pending\",\"valid\":false,\"attemptsRemaining\":4}");
    assertThat(right.statusCode()).isEqualTo(200);
    assertThat(right.body()).isEqualTo("{\"status\":\"approved\",\"valid\":true,\"attemptsRemaining\":5}");
    assertThat(afterApproval.statusCode()).isEqualTo(404);
    // Neither guess is readable on the topic.
    assertThat(readAll(config.topics().codeChecks)).isNotEmpty().allSatisfy(record -> assertThat(
        new String(record.value(), StandardCharsets.ISO_8859_1)).doesNotContain("975310").doesNotContain(TinyDispatcher.CODE));
  }

  @Test
  @Order(5)
  void anyInstanceServesAnyRequest() {
    // Both instances read every reply; each must answer its own callers, in parallel.
    ExecutorService callers = Executors.newFixedThreadPool(6);
    try {
      List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
      IntStream.range(0, 12).forEach(i -> {
        HttpCalls instance = i % 2 == 0 ? http : otherHttp;
        String number = String.format("+49151123410%02d", i);
        responses.add(CompletableFuture.supplyAsync(
            () -> instance.post("/v1/verifications", "{\"to\": \"" + number + "\"}"), callers));
      });

      for (int i = 0; i < responses.size(); i++) {
        HttpResponse<String> response = responses.get(i).join();
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        assertThat(json(response).get("to").asText()).isEqualTo(String.format("+49151123410%02d", i));
      }
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  @Order(5)
  void twoCallersWithTheSameRequestIdNeverGetEachOthersVerification() {
    // Issue 13's reproduction: the same requestId for two numbers at once, on two instances that
    // both read every reply. Each caller must get its own number's verification.
    ExecutorService callers = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 5; round++) {
        String requestId = "signup-" + round;
        String mine = String.format("+49151123420%02d", round);
        String theirs = String.format("+49151123421%02d", round);
        CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> http.post("/v1/verifications",
            "{\"to\": \"" + mine + "\", \"requestId\": \"" + requestId + "\"}"), callers);
        CompletableFuture<HttpResponse<String>> second = CompletableFuture.supplyAsync(() -> otherHttp.post("/v1/verifications",
            "{\"to\": \"" + theirs + "\", \"requestId\": \"" + requestId + "\"}"), callers);

        for (Map.Entry<String, HttpResponse<String>> answer : Map.of(mine, first.join(), theirs, second.join()).entrySet()) {
          HttpResponse<String> response = answer.getValue();
          assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
          assertThat(json(response).get("to").asText()).isEqualTo(answer.getKey());
          assertThat(config.ids().numberOf(json(response).get("id").asText())).contains(answer.getKey());
        }
      }
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  @Order(6)
  void noReplyIs504ThoughTheRequestWasStored() {
    String number = "+4915112340004";
    dispatcher.silent.add(number);

    long began = System.nanoTime();
    HttpResponse<String> response = http.post("/v1/verifications", "{\"to\": \"" + number + "\"}");
    Duration took = Duration.ofNanos(System.nanoTime() - began);

    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(json(response).get("error").asText()).isEqualTo("reply_timeout");
    assertThat(took).isGreaterThanOrEqualTo(REPLY_TIMEOUT).isLessThan(REPLY_TIMEOUT.plusSeconds(5));
    assertThat(readAll(config.topics().verificationRequests)).anySatisfy(record -> assertThat(record.key()).isEqualTo(number));
  }

  @Test
  @Order(7)
  void badInputNeverReachesKafka() {
    long before = endOffsetSum(config.topics().verificationRequests) + endOffsetSum(config.topics().codeChecks);

    assertThat(http.post("/v1/verifications", "{\"to\": 4915112345678}").statusCode()).isEqualTo(400);
    assertThat(http.post("/v1/verifications", "{\"to\": \"015112345678\"}").statusCode()).isEqualTo(400);
    assertThat(http.post("/v1/verifications", "{\"to\": \"+4915112345678\", \"channel\": \"fax\"}").statusCode()).isEqualTo(400);
    assertThat(http.post("/v1/verifications/VEnotours/check", "{\"code\": \"123456\"}").statusCode()).isEqualTo(404);
    assertThat(http.post("/v1/verification-checks", "{\"to\": \"+4915112345678\", \"code\": \"12\"}").statusCode()).isEqualTo(400);
    assertThat(http.get("/v1/verifications").statusCode()).isEqualTo(405);

    assertThat(endOffsetSum(config.topics().verificationRequests) + endOffsetSum(config.topics().codeChecks)).isEqualTo(before);
  }

  @Test
  @Order(99)
  void withTheBrokerDownTheApiAnswers503AndComesBackWithIt() {
    kafka.stopBroker(0);
    await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/health/ready").statusCode() == 503);
    assertThat(api.isReady()).isFalse();

    long began = System.nanoTime();
    HttpResponse<String> response = http.post("/v1/verifications", "{\"to\": \"+4915112340005\"}");
    Duration took = Duration.ofNanos(System.nanoTime() - began);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
    assertThat(response.headers().firstValue("Retry-After")).isPresent();
    assertThat(json(response).get("error").asText()).isEqualTo("unavailable");
    assertThat(took).isLessThan(PRODUCE_TIMEOUT.multipliedBy(2).plusSeconds(3));

    kafka.startBroker(0);
    await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/health/ready").statusCode() == 200);
    await().atMost(Duration.ofSeconds(30)).until(() ->
        http.post("/v1/verifications", "{\"to\": \"+4915112340006\"}").statusCode() == 201);
  }

  private List<ConsumerRecord<String, byte[]>> readAll(Topic<String, ?> topic) {
    try (KafkaConsumer<String, byte[]> reader = newReader()) {
      List<TopicPartition> partitions = reader.partitionsFor(topic.name(), Duration.ofSeconds(10)).stream()
          .map(info -> new TopicPartition(topic.name(), info.partition())).toList();
      reader.assign(partitions);
      reader.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = reader.endOffsets(partitions, Duration.ofSeconds(10));
      List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        reader.poll(Duration.ofMillis(100)).forEach(records::add);
        return partitions.stream().allMatch(partition -> reader.position(partition) >= end.get(partition));
      });
      return records;
    }
  }

  private long endOffsetSum(Topic<String, ?> topic) {
    try (KafkaConsumer<String, byte[]> reader = newReader()) {
      List<TopicPartition> partitions = reader.partitionsFor(topic.name(), Duration.ofSeconds(10)).stream()
          .map(info -> new TopicPartition(topic.name(), info.partition())).toList();
      return reader.endOffsets(partitions, Duration.ofSeconds(10)).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private KafkaConsumer<String, byte[]> newReader() {
    return new KafkaConsumer<>(KafkaSettings.committedConsumer(KafkaAccess.plaintext(kafka.bootstrapServers()), null, "it-reader"),
        new StringDeserializer(), new ByteArrayDeserializer());
  }
}
