package dev.relay.dlr;

import dev.relay.support.kafka.KafkaAccess;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.dlr.config.DlrConfig;
import dev.relay.kafka.embedded.EmbeddedKafkaCluster;
import dev.relay.schemas.DeliveryReceipt;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.topics.Topic;
import dev.relay.schemas.topics.Topics;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.kafka.KafkaSettings;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * dlr-ingest as it runs in production, on a real KRaft broker: a signed receipt reaches the topic
 * before the vendor's 204; with the broker stopped the vendor gets 503 (not 500, not a hang); and
 * once the broker is back, the vendor's retry lands.
 */
@Tag("integration")
class DlrIngestIntegrationTest {

  private static final String NUMBER = "+4915112345678";
  private static EmbeddedKafkaCluster kafka;
  private static DlrIngestService service;
  private static Topic<String, DeliveryReceipt> topic;
  private static String base;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafkaCluster.builder().brokers(1).build();
    kafka.start();
    Map<String, String> settings = VendorCallbacks.providerSettings();
    settings.put("relay.kafka.bootstrap-servers", kafka.bootstrapServers());
    settings.put("relay.http.port", "0");
    settings.put("relay.http.host", "127.0.0.1");
    settings.put("relay.topics.partitions", "2");
    RelayConfig config = RelayConfig.of(DlrConfig.SCHEMA, settings);
    topic = Topics.fromConfig(config.lookup()).deliveryReceipts;
    service = new DlrIngestService(config);
    service.start();
    base = "http://127.0.0.1:" + service.port();
  }

  @AfterAll
  static void stop() {
    if (service != null) {
      service.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  private static List<DeliveryReceipt> readAll(int expected) {
    Map<String, Object> props = KafkaSettings.committedConsumer(KafkaAccess.plaintext(kafka.bootstrapServers()), "test-" + UUID.randomUUID(), "test");
    List<DeliveryReceipt> seen = new ArrayList<>();
    try (KafkaConsumer<String, DeliveryReceipt> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
        topic.valueSerde().deserializer())) {
      consumer.subscribe(List.of(topic.name()));
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
        for (ConsumerRecord<String, DeliveryReceipt> record : consumer.poll(Duration.ofMillis(200))) {
          assertThat(record.key()).isEqualTo(record.value().getTo());
          seen.add(record.value());
        }
        return seen.size() >= expected;
      });
      // Nothing beyond what was acknowledged.
      consumer.poll(Duration.ofMillis(500)).forEach(record -> seen.add(record.value()));
    }
    return seen;
  }

  @Test
  void receiptsAreDurableBeforeThe2xxAndABrokerOutageIsA503ThatTheVendorRetriesThrough() {
    HttpResponse<String> first = VendorCallbacks.postTwilioSigned(base, "VEabc-1", VendorCallbacks.twilioStatus("SM100", "sent", NUMBER));
    assertThat(first.statusCode()).isEqualTo(204);
    HttpResponse<String> unsigned = VendorCallbacks.postTwilio(base, "/dlr/twilio?ref=VEabc-1",
        VendorCallbacks.twilioStatus("SM100", "failed", NUMBER), null);
    assertThat(unsigned.statusCode()).isEqualTo(401);

    kafka.stopBroker(0);
    long started = System.nanoTime();
    HttpResponse<String> duringOutage = VendorCallbacks.postTwilioSigned(base, "VEabc-1",
        VendorCallbacks.twilioStatus("SM100", "delivered", NUMBER));
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(duringOutage.statusCode()).isEqualTo(503);
    assertThat(duringOutage.headers().firstValue("Retry-After")).isPresent();
    assertThat(duringOutage.body()).contains("\"error\":\"unavailable\"");
    assertThat(took).isLessThan(Duration.ofSeconds(15));
    assertThat(VendorCallbacks.get(base + "/health/ready").statusCode()).isEqualTo(503);

    kafka.startBroker(0);
    // The vendor retries until it gets its 2xx, as Twilio does.
    Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
        VendorCallbacks.postTwilioSigned(base, "VEabc-1", VendorCallbacks.twilioStatus("SM100", "delivered", NUMBER)).statusCode() == 204);
    assertThat(VendorCallbacks.get(base + "/health/ready").statusCode()).isEqualTo(200);

    List<DeliveryReceipt> stored = readAll(1);
    // The 'sent' was answered 204 and not stored: an intermediate status changes nothing downstream.
    assertThat(stored).extracting(DeliveryReceipt::getStatus).containsOnly(DeliveryStatus.DELIVERED);
    assertThat(stored).allSatisfy(receipt -> {
      assertThat(receipt.getProviderMessageId()).isEqualTo("sm100");
      assertThat(receipt.getIdempotencyKey()).isEqualTo("VEabc-1");
    });
    // No FAILED from the unsigned post; a DELIVERED stored more than once (an ack lost in the outage)
    // carries one receipt id, so downstream counts it once.
    assertThat(stored).extracting(DeliveryReceipt::getStatus).doesNotContain(DeliveryStatus.FAILED);
    assertThat(stored.stream().filter(r -> r.getStatus() == DeliveryStatus.DELIVERED).map(DeliveryReceipt::getReceiptId).distinct())
        .hasSize(1);
  }
}
