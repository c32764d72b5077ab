package dev.relay.api;

import static dev.relay.api.HttpCalls.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.api.config.ApiConfig;
import dev.relay.kafka.embedded.EmbeddedKafkaCluster;
import dev.relay.schemas.topics.Topic;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.kafka.KafkaAccess;
import dev.relay.support.kafka.KafkaSettings;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 12's overload on a real broker: with no dispatcher answering, verification-api hands over
 * only what could be answered within the reply timeout; every start past that bound is refused at
 * once with 503 and Retry-After and never reaches Kafka, instead of waiting out the reply timeout
 * into a 504. A check still gets through while starts are refused, and once a dispatcher answers,
 * starts are admitted again by themselves.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("integration")
class OverloadIntegrationTest {

  /** Long, so an answer that came before it cannot have been a reply timeout. */
  private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(30);
  /**
   * With no reply ever seen, a quarter reply a second is assumed: a start may wait 0.4 x 30 s = 12 s,
   * so three starts fit; checks may wait 24 s, so six.
   */
  private static final String MIN_REPLY_RATE = "0.25";
  private static final int STARTS_ADMITTED = 3;

  private EmbeddedKafkaCluster kafka;
  private VerificationApiService api;
  private ApiConfig config;
  private HttpCalls http;
  private TinyDispatcher dispatcher;
  private final ExecutorService callers = Executors.newCachedThreadPool();

  @BeforeAll
  void start() {
    kafka = EmbeddedKafkaCluster.builder().build();
    kafka.start();
    Map<String, String> settings = TestSettings.base();
    settings.put("relay.kafka.bootstrap-servers", kafka.bootstrapServers());
    settings.put("relay.topics.partitions", "3");
    settings.put(ApiConfig.REPLY_TIMEOUT.name(), REPLY_TIMEOUT.toSeconds() + "s");
    settings.put(ApiConfig.OVERLOAD_MIN_REPLY_RATE.name(), MIN_REPLY_RATE);
    settings.put(ApiConfig.OVERLOAD_START_WAIT_SHARE.name(), "0.4");
    settings.put(ApiConfig.OVERLOAD_WAIT_SHARE.name(), "0.8");
    config = ApiConfig.of(settings);
    // The production wiring, with no dispatcher behind it: nothing will answer until the test says so.
    api = new VerificationApiService(RelayConfig.of(ApiConfig.SCHEMA, settings));
    api.start();
    http = new HttpCalls(api.port());
  }

  @AfterAll
  void stop() {
    callers.shutdownNow();
    for (AutoCloseable closeable : new AutoCloseable[] {dispatcher, api, kafka}) {
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
  void pastTheBoundStartsAre503AtOnceAndNeverProducedChecksStillPassAndAnAnsweringDispatcherReopensTheDoor() {
    List<CompletableFuture<HttpResponse<String>>> admitted = new ArrayList<>();
    for (int i = 0; i < STARTS_ADMITTED; i++) {
      admitted.add(post("/v1/verifications", "{\"to\": \"+491511234500" + i + "\"}"));
    }
    // Handed over: on the topic, acknowledged, waiting for a reply that does not come.
    await().atMost(Duration.ofSeconds(20)).until(() -> readAll(config.topics().verificationRequests).size() == STARTS_ADMITTED);
    assertThat(admitted).noneMatch(CompletableFuture::isDone);

    String refusedNumber = "+4915112345099";
    long began = System.nanoTime();
    HttpResponse<String> refused = http.post("/v1/verifications", "{\"to\": \"" + refusedNumber + "\"}");
    Duration took = Duration.ofNanos(System.nanoTime() - began);

    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
    assertThat(json(refused).get("error").asText()).isEqualTo("overloaded");
    // Three ahead at a quarter reply a second, and a start may have 12 s of them ahead: 4 s to drain one.
    assertThat(refused.headers().firstValue("Retry-After")).contains("4");
    assertThat(took).as("answered without waiting for a reply").isLessThan(REPLY_TIMEOUT);
    assertThat(http.get("/health/ready").statusCode()).as("overload is no reason to be unready").isEqualTo(200);

    // A person with a code is still served: the check is handed over, starts stay refused.
    CompletableFuture<HttpResponse<String>> check = post("/v1/verification-checks",
        "{\"to\": \"+4915112345000\", \"code\": \"" + TinyDispatcher.CODE + "\"}");
    await().atMost(Duration.ofSeconds(20)).until(() -> readAll(config.topics().codeChecks).size() == 1);
    assertThat(http.post("/v1/verifications", "{\"to\": \"" + refusedNumber + "\"}").statusCode()).isEqualTo(503);
    assertThat(readAll(config.topics().verificationRequests)).hasSize(STARTS_ADMITTED)
        .noneMatch(record -> record.key().equals(refusedNumber));

    // A dispatcher comes: it answers what waits, and the next start is admitted and answered.
    dispatcher = new TinyDispatcher(kafka.bootstrapServers(), config.topics(), config.guessSealer());
    dispatcher.start();
    for (CompletableFuture<HttpResponse<String>> start : admitted) {
      assertThat(start.join().statusCode()).isEqualTo(201);
    }
    assertThat(check.join().statusCode()).isEqualTo(200);
    HttpResponse<String> again = http.post("/v1/verifications", "{\"to\": \"" + refusedNumber + "\"}");
    assertThat(again.statusCode()).as(again.body()).isEqualTo(201);
  }

  private CompletableFuture<HttpResponse<String>> post(String path, String body) {
    return CompletableFuture.supplyAsync(() -> http.post(path, body), callers);
  }

  private List<ConsumerRecord<String, byte[]>> readAll(Topic<String, ?> topic) {
    try (KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(
        KafkaSettings.committedConsumer(KafkaAccess.plaintext(kafka.bootstrapServers()), null, "it-reader"),
        new StringDeserializer(), new ByteArrayDeserializer())) {
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
}
