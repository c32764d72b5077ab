package dev.relay.providers.vonage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.providers.receipt.CallbackRequest;
import dev.relay.providers.receipt.MalformedReceiptException;
import dev.relay.providers.receipt.Receipt;
import dev.relay.providers.receipt.ReplayGuard;
import dev.relay.schemas.DeliveryStatus;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VonageMessagesReceiptsTest {

  private static final String SECRET = "0123456789abcdef0123456789abcdef-signature";
  private static final String API_KEY = "abcd1234";
  private static final Instant NOW = Instant.parse("2026-12-03T04:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  // The shape of Vonage's documented WhatsApp status webhook (trimmed).
  static final String REJECTED = """
      {"message_uuid": "aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab", "to": "447700900000", "from": "447700900001",
       "timestamp": "2026-12-03T03:59:58.000Z", "status": "rejected", "channel": "whatsapp", "client_ref": "VEwa-1",
       "error": {"type": "https://developer.vonage.com/api-errors/messages#1300", "title": 1300,
                 "detail": "Not part of the provider network", "instance": "bf0ca0bf927b3b52e3cb03217e1a1ddf"}}
      """;

  private final VonageMessagesReceipts receipts = receipts();

  private static VonageMessagesReceipts receipts() {
    return new VonageMessagesReceipts(SECRET, API_KEY, CLOCK, new ReplayGuard(VonageMessagesReceipts.REPLAY_WINDOW, 100, CLOCK));
  }

  static String token(String secret, String body, Instant issuedAt, String apiKey, String jti) {
    var builder = Jwts.builder()
        .issuer("Vonage")
        .issuedAt(Date.from(issuedAt))
        .claim("payload_hash", VonageMessagesReceipts.sha256Hex(body))
        .claim("application_id", "aaaaaaaa-0000-4000-8000-000000000000");
    if (apiKey != null) {
      builder.claim("api_key", apiKey);
    }
    if (jti != null) {
      builder.id(jti);
    }
    return builder.signWith(Keys.hmacShaKeyFor(secret.getBytes(StandardCharsets.UTF_8)), Jwts.SIG.HS256).compact();
  }

  static CallbackRequest post(String body, String token) {
    return new CallbackRequest("POST", "https://relay.example.com/dlr/vonage-messages",
        token == null ? Map.of() : Map.of("Authorization", "Bearer " + token), "application/json", body);
  }

  private static String token(String body) {
    return token(SECRET, body, NOW.minusSeconds(2), API_KEY, UUID.randomUUID().toString());
  }

  @Test
  void takesAWebhookSignedAsVonageSignsIt() {
    assertThat(receipts.verify(post(REJECTED, token(REJECTED)))).isTrue();
  }

  @Test
  void refusesEveryWayTheSignatureCanBeWrong() {
    String other = REJECTED.replace("rejected", "read");
    assertThat(receipts.verify(post(REJECTED, null))).as("unsigned").isFalse();
    assertThat(receipts.verify(post(REJECTED, "not.a.token"))).as("garbage").isFalse();
    assertThat(receipts.verify(post(REJECTED, token(SECRET.replace('0', '1'), REJECTED, NOW, API_KEY, "j1"))))
        .as("another secret").isFalse();
    assertThat(receipts.verify(post(other, token(REJECTED)))).as("body changed after signing").isFalse();
    assertThat(receipts.verify(post(REJECTED, token(SECRET, REJECTED, NOW.minus(Duration.ofMinutes(6)), API_KEY, "j2"))))
        .as("stale").isFalse();
    assertThat(receipts.verify(post(REJECTED, token(SECRET, REJECTED, NOW.plus(Duration.ofMinutes(6)), API_KEY, "j3"))))
        .as("from the future").isFalse();
    assertThat(receipts.verify(post(REJECTED, token(SECRET, REJECTED, NOW, "otherkey", "j4")))).as("another account").isFalse();
    CallbackRequest get = new CallbackRequest("GET", "https://relay.example.com/dlr/vonage-messages",
        Map.of("Authorization", "Bearer " + token(REJECTED)), "", REJECTED);
    assertThat(receipts.verify(get)).as("GET").isFalse();
  }

  @Test
  void refusesATokenWithoutASignature() {
    String unsigned = Jwts.builder().issuedAt(Date.from(NOW)).claim("payload_hash", VonageMessagesReceipts.sha256Hex(REJECTED))
        .claim("api_key", API_KEY).id("j5").compact();

    assertThat(receipts.verify(post(REJECTED, unsigned))).isFalse();
  }

  @Test
  void takesAWebhookOnceAndAgainAfterItWasReleased() {
    CallbackRequest webhook = post(REJECTED, token(REJECTED));

    assertThat(receipts.verify(webhook)).isTrue();
    assertThat(receipts.verify(webhook)).as("replayed").isFalse();
    receipts.release(webhook);
    assertThat(receipts.verify(webhook)).as("Vonage's retry after a 503").isTrue();
  }

  @Test
  void refusesASecretTooShortForHs256() {
    assertThatThrownBy(() -> new VonageMessagesReceipts("short", API_KEY, CLOCK, new ReplayGuard(Duration.ofMinutes(1), 10, CLOCK)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
  }

  @Test
  void readsARejectionWithTheVendorsErrorCode() {
    Receipt receipt = receipts.read(post(REJECTED, null)).get(0);

    assertThat(receipt.provider()).isEqualTo("vonage");
    assertThat(receipt.providerMessageId()).isEqualTo("aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab");
    assertThat(receipt.idempotencyKey()).isEqualTo("VEwa-1");
    assertThat(receipt.to()).isEqualTo("+447700900000");
    assertThat(receipt.status()).isEqualTo(DeliveryStatus.REJECTED);
    assertThat(receipt.finalStatus()).isTrue();
    assertThat(receipt.vendorErrorCode()).isEqualTo("1300");
    assertThat(receipt.occurredAt()).isEqualTo(Instant.parse("2026-12-03T03:59:58Z"));
  }

  @ParameterizedTest
  @CsvSource({"submitted,SENT,false", "delivered,DELIVERED,true", "read,DELIVERED,true", "rejected,REJECTED,true",
      "undeliverable,UNDELIVERED,true", "something-new,UNKNOWN_DELIVERY,false"})
  void mapsEveryWhatsAppStatusAndCountsReadAsDelivered(String vendorStatus, DeliveryStatus status, boolean isFinal) {
    String body = "{\"message_uuid\": \"u1\", \"to\": \"447700900000\", \"status\": \"" + vendorStatus + "\"}";

    Receipt receipt = receipts.read(post(body, null)).get(0);

    assertThat(receipt.status()).isEqualTo(status);
    assertThat(receipt.finalStatus()).isEqualTo(isFinal);
    assertThat(receipt.vendorErrorCode()).isNull();
  }

  @Test
  void refusesABodyThatIsNotAStatus() {
    assertThatThrownBy(() -> receipts.read(post("[1]", null))).isInstanceOf(MalformedReceiptException.class);
    assertThatThrownBy(() -> receipts.read(post("{\"status\": \"read\"}", null))).isInstanceOf(MalformedReceiptException.class);
    assertThatThrownBy(() -> receipts.read(post("<xml/>", null))).isInstanceOf(MalformedReceiptException.class);
  }
}
