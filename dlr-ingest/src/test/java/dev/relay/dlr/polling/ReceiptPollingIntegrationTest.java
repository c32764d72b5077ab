package dev.relay.dlr.polling;

import dev.relay.support.kafka.KafkaAccess;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.dlr.DlrIngestService;
import dev.relay.dlr.VendorCallbacks;
import dev.relay.dlr.config.DlrConfig;
import dev.relay.kafka.embedded.EmbeddedKafkaCluster;
import dev.relay.providers.OutboundMessage;
import dev.relay.providers.ProviderResponse;
import dev.relay.providers.http.VendorHttp;
import dev.relay.providers.twilio.TwilioClient;
import dev.relay.schemas.Channel;
import dev.relay.schemas.DeliveryReceipt;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.SendOutcome;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.topics.Topics;
import dev.relay.sim.SimService;
import dev.relay.sim.config.SimConfig;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.kafka.KafkaSettings;
import dev.relay.support.polling.ReceiptPollKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Receipt polling as dlr-ingest runs it, on a real broker, against the simulator with Twilio's
 * callbacks lost: each status poll the dispatcher asks for on {@code receipt-polls} is looked up with
 * the vendor and published as the callback would have been, a delivered message's state and a message
 * stuck at "sent" alike. When to poll, and when to stop, is the dispatcher's (ReceiptPollsTopologyTest).
 */
@Tag("integration")
class ReceiptPollingIntegrationTest {

  private static final int POLLS_OF_THE_STUCK_MESSAGE = 3;

  private static final String ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
  private static final String AUTH_TOKEN = "twilio-sim-token";

  private static EmbeddedKafkaCluster kafka;
  private static SimService sim;
  private static DlrIngestService dlr;
  private static Topics topics;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafkaCluster.builder().brokers(1).build();
    kafka.start();
    Map<String, String> simSettings = new HashMap<>();
    simSettings.put(SimConfig.ENABLED.name(), "true");
    simSettings.put(SimConfig.HTTP_PORT.name(), "0");
    simSettings.put(SimConfig.HTTP_HOST.name(), "127.0.0.1");
    simSettings.put(SimConfig.DLR_URL.name(), "");
    simSettings.put(SimConfig.TWILIO_ACCOUNT_SID.name(), ACCOUNT_SID);
    simSettings.put(SimConfig.TWILIO_AUTH_TOKEN.name(), AUTH_TOKEN);
    simSettings.put(SimConfig.VONAGE_API_KEY.name(), "key");
    simSettings.put(SimConfig.VONAGE_API_SECRET.name(), "secret");
    simSettings.put(SimConfig.RECEIPT_DELAY.name(), "PT0.05S");
    sim = new SimService(SimConfig.from(RelayConfig.of(SimConfig.SCHEMA, simSettings)), Clock.systemUTC());
    sim.start();
    admin("/sim/providers/twilio/countries/DE", "{\"receiptLossRate\": 1.0}");
    admin("/sim/providers/twilio/countries/FR", "{\"silentDropRate\": 1.0}");

    Map<String, String> settings = VendorCallbacks.providerSettings();
    settings.put("relay.providers.enabled", "twilio");
    settings.put("relay.providers.twilio.base-url", simUrl());
    settings.put("relay.providers.twilio.account-sid", ACCOUNT_SID);
    settings.put("relay.providers.twilio.auth-token", AUTH_TOKEN);
    settings.put("relay.kafka.bootstrap-servers", kafka.bootstrapServers());
    settings.put("relay.http.port", "0");
    settings.put("relay.http.host", "127.0.0.1");
    settings.put("relay.topics.partitions", "2");
    settings.put(ReceiptPollKeys.ENABLED.name(), "true");
    RelayConfig config = RelayConfig.of(DlrConfig.SCHEMA, settings);
    topics = Topics.fromConfig(config.lookup());
    dlr = new DlrIngestService(config);
    dlr.start();
  }

  @AfterAll
  static void stop() {
    if (dlr != null) {
      dlr.close();
    }
    if (sim != null) {
      sim.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  private static String simUrl() {
    return "http://127.0.0.1:" + sim.port();
  }

  private static void admin(String path, String json) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(simUrl() + path))
        .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  /** Sends through the real adapter, as the sender does; returns the accepted send. */
  private static SendResult send(String to, String country, String ref) throws Exception {
    TwilioClient client = new TwilioClient(new TwilioClient.Settings(simUrl(), ACCOUNT_SID, AUTH_TOKEN, "+14155552345", "", "",
        "http://127.0.0.1:9"), new VendorHttp("twilio", new VendorHttp.Settings(Duration.ofSeconds(2), Duration.ofSeconds(5), 4, 10)));
    Instant started = Instant.now();
    ProviderResponse response = client.send(new OutboundMessage(to, country, Channel.SMS, "Your code is 123456", ref))
        .get(10, TimeUnit.SECONDS);
    assertThat(response.accepted()).isTrue();
    SendResult result = SendResult.newBuilder()
        .setVerificationId(ref.substring(0, ref.indexOf('-'))).setAttempt(1).setIdempotencyKey(ref).setTryIndex(0).setLastTry(true)
        .setProvider("twilio").setChannel(Channel.SMS).setTo(to).setCountry(country).setOutcome(SendOutcome.ACCEPTED)
        .setErrorCategory(ErrorCategory.NONE).setProviderMessageId(response.providerMessageId())
        .setStartedAt(started).setCompletedAt(Instant.now()).build();
    return result;
  }

  /** Asks for a status poll of the send, as the dispatcher does when its final receipt is overdue. */
  private static void askForPoll(SendResult send) throws Exception {
    try (KafkaProducer<String, SendResult> producer = new KafkaProducer<>(
        KafkaSettings.durableProducer(KafkaAccess.plaintext(kafka.bootstrapServers()), "test-dispatcher"),
        topics.receiptPolls.keySerde().serializer(), topics.receiptPolls.valueSerde().serializer())) {
      producer.send(new ProducerRecord<>(topics.receiptPolls.name(), send.getTo(), send)).get(10, TimeUnit.SECONDS);
    }
  }

  /** Reads a topic from the start while {@code until} is false, then returns everything read. */
  private static <V> List<V> readWhile(String topic, Deserializer<V> values, java.util.function.Predicate<List<V>> until,
      Duration stable) {
    List<V> seen = new ArrayList<>();
    Map<String, Object> props = KafkaSettings.committedConsumer(KafkaAccess.plaintext(kafka.bootstrapServers()), "test-" + UUID.randomUUID(), "test");
    try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props, new StringDeserializer(), values)) {
      consumer.subscribe(List.of(topic));
      await().atMost(Duration.ofSeconds(40)).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(record -> seen.add(record.value()));
        return until.test(seen);
      });
      if (!stable.isZero()) {
        // Nothing more may come: read on for a while and keep whatever arrives.
        await().pollDelay(stable).atMost(stable.plusSeconds(5)).until(() -> {
          consumer.poll(Duration.ofMillis(200)).forEach(record -> seen.add(record.value()));
          return true;
        });
      }
    }
    return seen;
  }

  @Test
  void eachPollTheDispatcherAsksForIsLookedUpAndAnsweredAsTheLostCallbackWouldHaveBeen() throws Exception {
    SendResult delivered = send("+4915123400001", "DE", "VEpoll-1");
    SendResult stuck = send("+33612340001", "FR", "VEstuck-1");
    askForPoll(delivered);
    for (int i = 0; i < POLLS_OF_THE_STUCK_MESSAGE; i++) {
      askForPoll(stuck);
    }

    List<DeliveryReceipt> receipts = readWhile(topics.deliveryReceipts.name(), topics.deliveryReceipts.valueSerde().deserializer(),
        seen -> seen.stream().anyMatch(r -> r.getProviderMessageId().equals(delivered.getProviderMessageId()) && r.getFinalStatus())
            && seen.stream().filter(r -> r.getProviderMessageId().equals(stuck.getProviderMessageId())).count()
                >= POLLS_OF_THE_STUCK_MESSAGE,
        Duration.ofSeconds(2));
    assertThat(receipts).filteredOn(r -> r.getProviderMessageId().equals(delivered.getProviderMessageId()))
        .singleElement().satisfies(receipt -> {
          assertThat(receipt.getStatus()).isEqualTo(DeliveryStatus.DELIVERED);
          assertThat(receipt.getIdempotencyKey()).as("the send's client reference, as the dispatcher matches it")
              .isEqualTo("VEpoll-1");
          assertThat(receipt.getTo()).isEqualTo("+4915123400001");
        });
    // Each poll of the stuck message says "sent": one receipt id, so downstream counts it once.
    List<DeliveryReceipt> stuckReceipts = receipts.stream()
        .filter(r -> r.getProviderMessageId().equals(stuck.getProviderMessageId())).toList();
    assertThat(stuckReceipts).as("one answer per poll asked for").hasSize(POLLS_OF_THE_STUCK_MESSAGE)
        .allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(DeliveryStatus.SENT))
        .extracting(DeliveryReceipt::getReceiptId).containsOnly(stuckReceipts.get(0).getReceiptId());
  }
}
