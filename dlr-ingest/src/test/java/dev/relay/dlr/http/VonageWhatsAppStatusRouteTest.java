package dev.relay.dlr.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.dlr.VendorCallbacks;
import dev.relay.dlr.config.DlrConfig;
import dev.relay.dlr.receipts.ReceiptPublisher;
import dev.relay.providers.ProviderKeys;
import dev.relay.providers.receipt.ReceiptReaders;
import dev.relay.schemas.DeliveryReceipt;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.serde.AvroSerde;
import dev.relay.schemas.topics.Topics;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.http.RelayHttp;
import io.javalin.Javalin;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Vonage Messages API (WhatsApp) status webhooks through dlr-ingest's {@code /dlr/vonage-messages}. */
class VonageWhatsAppStatusRouteTest {

  private static final String SECRET = "vonage-signature-secret-of-at-least-32-bytes";
  private static final String API_KEY = "abcd1234";
  private static final String READ = """
      {"message_uuid": "aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab", "to": "4915112345678", "from": "447700900001",
       "timestamp": "2026-12-03T04:00:00.000Z", "status": "read", "channel": "whatsapp", "client_ref": "VEwa-1"}
      """;
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private MockProducer<String, DeliveryReceipt> producer;
  private Javalin app;
  private String base;

  @BeforeEach
  void start() {
    Map<String, String> settings = VendorCallbacks.providerSettings();
    settings.put("relay.providers.vonage.signature-secret", SECRET);
    settings.put("relay.providers.vonage.whatsapp-from", "+447700900001");
    RelayConfig config = RelayConfig.of(DlrConfig.SCHEMA, settings);
    producer = new MockProducer<>(true, null, new StringSerializer(), AvroSerde.of(DeliveryReceipt.class).serializer());
    Clock clock = Clock.systemUTC();
    DlrRoutes routes = new DlrRoutes(ReceiptReaders.fromConfig(config, clock),
        new ReceiptPublisher(producer, Topics.defaults().deliveryReceipts, Duration.ofMillis(300)),
        ProviderKeys.publicUrl(config), clock, null, acked -> { });
    app = RelayHttp.create("dlr-ingest", () -> true, null);
    routes.register(app);
    app.start("127.0.0.1", 0);
    base = "http://127.0.0.1:" + app.port();
  }

  @AfterEach
  void stop() {
    app.stop();
  }

  private static String token(String secret, String body, String apiKey) throws Exception {
    String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8)));
    return Jwts.builder().issuer("Vonage").issuedAt(new Date()).id(UUID.randomUUID().toString())
        .claim("payload_hash", hash).claim("api_key", apiKey).claim("application_id", "app-1")
        .signWith(Keys.hmacShaKeyFor(secret.getBytes(StandardCharsets.UTF_8)), Jwts.SIG.HS256).compact();
  }

  private HttpResponse<String> post(String body, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/dlr/vonage-messages"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aSignedReadIsStoredAsDeliveredKeyedByTheNumberBeforeThe204() throws Exception {
    HttpResponse<String> response = post(READ, token(SECRET, READ, API_KEY));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(204);
    assertThat(producer.history()).singleElement().satisfies(record -> {
      assertThat(record.key()).isEqualTo("+4915112345678");
      assertThat(record.value().getProvider()).isEqualTo("vonage");
      assertThat(record.value().getProviderMessageId()).isEqualTo("aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab");
      assertThat(record.value().getIdempotencyKey()).isEqualTo("VEwa-1");
      assertThat(record.value().getStatus()).isEqualTo(DeliveryStatus.DELIVERED);
      assertThat(record.value().getVendorStatus()).isEqualTo("read");
    });
  }

  @Test
  void badlySignedReplayedOrMalformedWebhooksAreRefusedAndNothingIsStored() throws Exception {
    String signed = token(SECRET, READ, API_KEY);

    assertThat(post(READ, null).statusCode()).as("unsigned").isEqualTo(401);
    assertThat(post(READ, token(SECRET.toUpperCase(), READ, API_KEY)).statusCode()).as("another secret").isEqualTo(401);
    assertThat(post(READ.replace("\"read\"", "\"rejected\""), signed).statusCode()).as("body changed").isEqualTo(401);
    assertThat(post(READ, token(SECRET, READ, "someone-else")).statusCode()).as("another account").isEqualTo(401);
    assertThat(producer.history()).isEmpty();

    assertThat(post(READ, signed).statusCode()).isEqualTo(204);
    assertThat(post(READ, signed).statusCode()).as("replayed").isEqualTo(401);
    String notAStatus = "{\"hello\": \"world\"}";
    assertThat(post(notAStatus, token(SECRET, notAStatus, API_KEY)).statusCode()).as("malformed").isEqualTo(400);
    assertThat(producer.history()).hasSize(1);
  }
}
