package dev.relay.dlr.http;

import static dev.relay.dlr.VendorCallbacks.PUBLIC_URL;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.dlr.VendorCallbacks;
import dev.relay.dlr.config.DlrConfig;
import dev.relay.dlr.receipts.DeliveryReceipts;
import dev.relay.dlr.receipts.ReceiptPublisher;
import dev.relay.providers.ProviderKeys;
import dev.relay.providers.receipt.Receipt;
import dev.relay.providers.receipt.ReceiptReaders;
import dev.relay.schemas.DeliveryReceipt;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.serde.AvroSerde;
import dev.relay.schemas.topics.Topic;
import dev.relay.schemas.topics.Topics;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.http.Json;
import dev.relay.support.http.RelayHttp;
import io.javalin.Javalin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DlrRoutesTest {

  private static final String NUMBER = "+4915112345678";
  private final Clock clock = Clock.systemUTC();
  private final Topic<String, DeliveryReceipt> topic = Topics.defaults().deliveryReceipts;
  private MockProducer<String, DeliveryReceipt> producer;
  private Javalin app;
  private volatile boolean kafkaAcking = true;
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

  private String start(boolean kafkaAcks) {
    RelayConfig config = RelayConfig.of(DlrConfig.SCHEMA, VendorCallbacks.providerSettings());
    producer = new MockProducer<>(kafkaAcks, null, new StringSerializer(), AvroSerde.of(DeliveryReceipt.class).serializer());
    DlrRoutes routes = new DlrRoutes(ReceiptReaders.fromConfig(config, clock),
        new ReceiptPublisher(producer, topic, Duration.ofMillis(300)), ProviderKeys.publicUrl(config), clock, metrics,
        acked -> kafkaAcking = acked);
    app = RelayHttp.create("dlr-ingest", () -> kafkaAcking, null);
    routes.register(app);
    app.start("127.0.0.1", 0);
    return "http://127.0.0.1:" + app.port();
  }

  @AfterEach
  void stop() {
    if (app != null) {
      app.stop();
    }
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    return Json.MAPPER.readTree(response.body());
  }

  /**
   * A chunked body declares no length, so Javalin's own limit never sees it: the route must stop
   * reading at the bound. The body here is never finished (no last chunk): an answer at all proves
   * the service did not wait to read it whole.
   */
  @Test
  void aChunkedBodyPastTheBoundIsRefusedWith413BeforeItIsReadWhole() throws Exception {
    String base = start(true);
    int port = Integer.parseInt(base.substring(base.lastIndexOf(':') + 1));
    byte[] chunk = new byte[(int) RelayHttp.MAX_REQUEST_BYTES * 4];
    java.util.Arrays.fill(chunk, (byte) 'a');

    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
      java.io.OutputStream out = socket.getOutputStream();
      out.write(("POST /dlr/twilio HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
          + "Content-Type: application/x-www-form-urlencoded\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(chunk);
      out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();

      java.io.BufferedReader in = new java.io.BufferedReader(
          new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String status = in.readLine();
      StringBuilder rest = new StringBuilder();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        rest.append(line).append('\n');
        if (line.contains("}")) {
          break;
        }
      }
      assertThat(status).isEqualTo("HTTP/1.1 413 Payload Too Large");
      assertThat(rest.toString()).contains("\"error\":\"body_too_large\"");
    }
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void aSignedTwilioReceiptIsProducedKeyedByTheNumberBeforeThe204() {
    String base = start(true);

    HttpResponse<String> response = VendorCallbacks.postTwilioSigned(base, "VEabc-1",
        VendorCallbacks.twilioStatus("SM3F4A1B2C3D4E5F6", "delivered", NUMBER));

    assertThat(response.statusCode()).isEqualTo(204);
    assertThat(producer.history()).hasSize(1);
    ProducerRecord<String, DeliveryReceipt> record = producer.history().get(0);
    assertThat(record.topic()).isEqualTo(topic.name());
    assertThat(record.key()).isEqualTo(NUMBER);
    DeliveryReceipt receipt = record.value();
    assertThat(receipt.getProvider()).isEqualTo("twilio");
    assertThat(receipt.getProviderMessageId()).isEqualTo("sm3f4a1b2c3d4e5f6");
    assertThat(receipt.getIdempotencyKey()).isEqualTo("VEabc-1");
    assertThat(receipt.getTo()).isEqualTo(NUMBER);
    assertThat(receipt.getCountry()).isEqualTo("DE");
    assertThat(receipt.getStatus()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(receipt.getFinalStatus()).isTrue();
    assertThat(receipt.getVendorStatus()).isEqualTo("delivered");
    assertThat(receipt.getVendorErrorCode()).isNull();
    assertThat(receipt.getReceiptId()).isEqualTo(DeliveryReceipts.receiptId(new Receipt("twilio", "SM3F4A1B2C3D4E5F6", null, NUMBER,
        DeliveryStatus.DELIVERED, "delivered", null, null)));
    assertThat(receipt.getOccurredAt()).isEqualTo(receipt.getReceivedAt());
  }

  @Test
  void anIntermediateStatusIsAnsweredAndCountedButNotStored() {
    String base = start(true);

    HttpResponse<String> queued = VendorCallbacks.postTwilioSigned(base, "VEabc-1", VendorCallbacks.twilioStatus("SM1", "queued", NUMBER));
    HttpResponse<String> sent = VendorCallbacks.postTwilioSigned(base, "VEabc-1", VendorCallbacks.twilioStatus("SM1", "sent", NUMBER));
    HttpResponse<String> delivered = VendorCallbacks.postTwilioSigned(base, "VEabc-1",
        VendorCallbacks.twilioStatus("SM1", "delivered", NUMBER));

    assertThat(java.util.List.of(queued, sent, delivered)).extracting(HttpResponse::statusCode).containsOnly(204);
    assertThat(producer.history()).extracting(record -> record.value().getStatus()).containsExactly(DeliveryStatus.DELIVERED);
    assertThat(metrics.counter("relay.dlr.callbacks", "provider", "twilio", "outcome", "intermediate").count()).isEqualTo(2.0);
    assertThat(metrics.counter("relay.dlr.callbacks", "provider", "twilio", "outcome", "stored").count()).isEqualTo(1.0);
  }

  @Test
  void anIntermediateStatusIsAnsweredWhileKafkaIsDownWithoutTouchingReadiness() {
    String base = start(false);

    HttpResponse<String> sent = VendorCallbacks.postTwilioSigned(base, "VEabc-1", VendorCallbacks.twilioStatus("SM1", "sent", NUMBER));

    assertThat(sent.statusCode()).isEqualTo(204);
    assertThat(producer.history()).isEmpty();
    assertThat(kafkaAcking).as("nothing was asked of Kafka, so nothing is known of it").isTrue();
  }

  @Test
  void aVendorRetryCarriesTheSameReceiptId() {
    String base = start(true);
    Map<String, String> form = VendorCallbacks.twilioStatus("SM1", "undelivered", NUMBER);

    VendorCallbacks.postTwilioSigned(base, "VEabc-1", form);
    VendorCallbacks.postTwilioSigned(base, "VEabc-1", form);
    VendorCallbacks.postTwilioSigned(base, "VEabc-1", VendorCallbacks.twilioStatus("SM1", "delivered", NUMBER));

    assertThat(producer.history()).hasSize(3);
    String first = producer.history().get(0).value().getReceiptId();
    assertThat(producer.history().get(1).value().getReceiptId()).isEqualTo(first);
    assertThat(producer.history().get(2).value().getReceiptId()).isNotEqualTo(first);
  }

  @Test
  void anUnsignedOrTamperedReceiptIs401AndWritesNothing() throws Exception {
    String base = start(true);
    Map<String, String> form = VendorCallbacks.twilioStatus("SM1", "delivered", NUMBER);
    String signature = VendorCallbacks.twilioSignature(PUBLIC_URL + "/dlr/twilio?ref=VEabc-1", form);
    Map<String, String> tampered = VendorCallbacks.twilioStatus("SM1", "undelivered", NUMBER);

    HttpResponse<String> unsigned = VendorCallbacks.postTwilio(base, "/dlr/twilio?ref=VEabc-1", form, null);
    HttpResponse<String> changedBody = VendorCallbacks.postTwilio(base, "/dlr/twilio?ref=VEabc-1", tampered, signature);
    HttpResponse<String> changedRef = VendorCallbacks.postTwilio(base, "/dlr/twilio?ref=VEabc-2", form, signature);
    HttpResponse<String> localUrlSigned = VendorCallbacks.postTwilio(base, "/dlr/twilio?ref=VEabc-1", form,
        VendorCallbacks.twilioSignature(base + "/dlr/twilio?ref=VEabc-1", form));

    for (HttpResponse<String> response : java.util.List.of(unsigned, changedBody, changedRef, localUrlSigned)) {
      assertThat(response.statusCode()).isEqualTo(401);
      assertThat(json(response).get("error").asText()).isEqualTo("bad_signature");
    }
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void aSignedCallbackThatIsNotAReceiptIs400AndWritesNothing() throws Exception {
    String base = start(true);
    Map<String, String> noStatus = VendorCallbacks.twilioStatus("SM1", "delivered", NUMBER);
    noStatus.remove("MessageStatus");
    noStatus.remove("SmsStatus");
    Map<String, String> badNumber = VendorCallbacks.twilioStatus("SM1", "delivered", "+4900");

    HttpResponse<String> missing = VendorCallbacks.postTwilioSigned(base, "VEabc-1", noStatus);
    HttpResponse<String> invalid = VendorCallbacks.postTwilioSigned(base, "VEabc-1", badNumber);

    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(json(missing).get("error").asText()).isEqualTo("malformed_receipt");
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(json(invalid).get("error").asText()).isEqualTo("invalid_number");
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void vonageReceiptsAreTakenAsGetQueryAndAsJsonPost() throws Exception {
    String base = start(true);

    HttpResponse<String> get = VendorCallbacks.getVonage(base,
        VendorCallbacks.vonageDlr("0A0000001234567B", "delivered", "4915112345678", "VEabc-1", clock));
    HttpResponse<String> post = VendorCallbacks.postJson(base, "/dlr/vonage",
        Json.MAPPER.writeValueAsString(VendorCallbacks.vonageDlr("0A0000001234567C", "expired", "4915112345678", "VEabc-2", clock)));

    assertThat(get.statusCode()).isEqualTo(204);
    assertThat(post.statusCode()).isEqualTo(204);
    assertThat(producer.history()).extracting(ProducerRecord::key).containsExactly(NUMBER, NUMBER);
    assertThat(producer.history()).extracting(record -> record.value().getStatus())
        .containsExactly(DeliveryStatus.DELIVERED, DeliveryStatus.EXPIRED);
    assertThat(producer.history().get(0).value().getIdempotencyKey()).isEqualTo("VEabc-1");
    assertThat(producer.history().get(0).value().getOccurredAt()).isEqualTo(Instant.parse("2020-01-01T14:00:00Z"));
  }

  @Test
  void vonageUnsignedIs401AndGarbledJsonIs400() throws Exception {
    String base = start(true);
    Map<String, String> unsigned = VendorCallbacks.vonageDlr("0A1", "delivered", "4915112345678", "VEabc-1", clock);
    unsigned.remove("sig");

    HttpResponse<String> refused = VendorCallbacks.getVonage(base, unsigned);
    HttpResponse<String> garbled = VendorCallbacks.postJson(base, "/dlr/vonage", "{\"messageId\": ");

    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(garbled.statusCode()).isEqualTo(400);
    assertThat(json(garbled).get("error").asText()).isEqualTo("malformed_receipt");
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void plivoSignedIsTakenAndUnsignedRefused() {
    String base = start(true);
    Map<String, String> form = Map.of("To", "4915112345678", "From", "14155552345", "Status", "undelivered",
        "MessageUUID", "DB3CE55A-7F1D-11E1-8EA7-1231380BC196", "ErrorCode", "80");

    assertThat(VendorCallbacks.postPlivo(base, "VEabc-1", form, false).statusCode()).isEqualTo(401);
    assertThat(VendorCallbacks.postPlivo(base, "VEabc-1", form, true).statusCode()).isEqualTo(204);

    assertThat(producer.history()).hasSize(1);
    DeliveryReceipt receipt = producer.history().get(0).value();
    assertThat(receipt.getStatus()).isEqualTo(DeliveryStatus.UNDELIVERED);
    assertThat(receipt.getVendorErrorCode()).isEqualTo("80");
    assertThat(receipt.getIdempotencyKey()).isEqualTo("VEabc-1");
  }

  @Test
  void aPlivoNonceIsTakenOnceButAReceiptAnswered503CanBeSentAgain() {
    String base = start(false);
    Map<String, String> form = Map.of("To", "4915112345678", "From", "14155552345", "Status", "delivered",
        "MessageUUID", "DB3CE55A-7F1D-11E1-8EA7-1231380BC196", "ErrorCode", "000");

    assertThat(VendorCallbacks.postPlivo(base, "VEabc-1", form, "111").statusCode()).as("Kafka down").isEqualTo(503);
    assertThat(VendorCallbacks.postPlivo(base, "VEabc-1", form, "111").statusCode()).as("Plivo's retry").isEqualTo(503);
    app.stop();

    start(true);
    String again = "http://127.0.0.1:" + app.port();
    assertThat(VendorCallbacks.postPlivo(again, "VEabc-1", form, "222").statusCode()).isEqualTo(204);
    HttpResponse<String> replay = VendorCallbacks.postPlivo(again, "VEabc-1", form, "222");
    assertThat(replay.statusCode()).as("the same nonce again").isEqualTo(401);
    assertThat(producer.history()).hasSize(1);
  }

  @Test
  void whenKafkaDoesNotAckTheVendorGets503WithRetryAfterAndTheServiceIsNotReady() throws Exception {
    String base = start(false);

    HttpResponse<String> response = VendorCallbacks.postTwilioSigned(base, "VEabc-1",
        VendorCallbacks.twilioStatus("SM1", "delivered", NUMBER));

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
    assertThat(json(response).get("error").asText()).isEqualTo("unavailable");
    assertThat(VendorCallbacks.get(base + "/health/ready").statusCode()).isEqualTo(503);
  }

  @Test
  void anUnknownVendorIs404() {
    String base = start(true);

    assertThat(VendorCallbacks.postJson(base, "/dlr/sinch", "{}").statusCode()).isEqualTo(404);
    assertThat(producer.history()).isEmpty();
  }
}
