package dev.relay.providers.vonage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.providers.ProviderKeys;
import dev.relay.providers.receipt.CallbackRequest;
import dev.relay.providers.receipt.MalformedReceiptException;
import dev.relay.providers.receipt.Receipt;
import dev.relay.providers.receipt.ReceiptReader;
import dev.relay.providers.receipt.ReplayGuard;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.support.http.Json;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.crypto.SecretKey;

/**
 * Status webhooks of Vonage's Messages API (WhatsApp), signed as Vonage documents
 * (https://developer.vonage.com/en/getting-started/concepts/webhooks#decoding-signed-webhooks): the
 * {@code Authorization} header carries a JWT signed HS256 with the account's signature secret whose
 * {@code payload_hash} claim is the hex SHA-256 of the body. A webhook is taken only with a valid
 * token, a body matching its hash (so a token cannot be moved to another status), an {@code iat}
 * within five minutes of now, the account's {@code api_key}, and a {@code jti} not seen before
 * ({@link ReplayGuard}). A {@code read} counts as delivered: WhatsApp may report read without
 * delivered when the chat was open.
 */
public final class VonageMessagesReceipts implements ReceiptReader {

  static final Map<String, DeliveryStatus> STATUSES = Map.of(
      "submitted", DeliveryStatus.SENT,
      "delivered", DeliveryStatus.DELIVERED,
      "read", DeliveryStatus.DELIVERED,
      "rejected", DeliveryStatus.REJECTED,
      "undeliverable", DeliveryStatus.UNDELIVERED);

  /** How far a token's {@code iat} may be from now. */
  public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);
  /** A token is fresh within the skew either side of now: its {@code jti} is remembered that long. */
  public static final Duration REPLAY_WINDOW = MAX_CLOCK_SKEW.multipliedBy(2);

  private final SecretKey key;
  private final String apiKey;
  private final Clock clock;
  private final ReplayGuard seen;

  /**
   * @param signatureSecret the account's signature secret; HS256 needs at least 256 bits of it (RFC 7518 3.2)
   * @throws IllegalArgumentException when the secret is shorter than 32 bytes
   */
  public VonageMessagesReceipts(String signatureSecret, String apiKey, Clock clock, ReplayGuard seen) {
    try {
      this.key = Keys.hmacShaKeyFor(signatureSecret.getBytes(StandardCharsets.UTF_8));
    } catch (io.jsonwebtoken.security.WeakKeyException e) {
      throw new IllegalArgumentException("the signature secret is shorter than the 32 bytes HS256 needs");
    }
    this.apiKey = apiKey;
    this.clock = clock;
    this.seen = seen;
  }

  @Override
  public String provider() {
    return ProviderKeys.VONAGE;
  }

  @Override
  public boolean verify(CallbackRequest request) {
    Claims claims = claims(request);
    return claims != null && seen.claim(replayKey(claims));
  }

  @Override
  public void release(CallbackRequest request) {
    Claims claims = claims(request);
    if (claims != null) {
      seen.release(replayKey(claims));
    }
  }

  /** The token's claims when it is valid for this body now; null otherwise. */
  private Claims claims(CallbackRequest request) {
    String authorization = request.header("Authorization");
    if (!request.isPost() || authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    Claims claims;
    try {
      claims = Jwts.parser()
          .verifyWith(key)
          .clock(() -> Date.from(clock.instant()))
          .build()
          .parseSignedClaims(authorization.substring(7).trim())
          .getPayload();
    } catch (JwtException | IllegalArgumentException e) {
      return null;
    }
    Date issuedAt = claims.getIssuedAt();
    String payloadHash = claims.get("payload_hash", String.class);
    String tokenApiKey = claims.get("api_key", String.class);
    if (issuedAt == null || payloadHash == null
        || Duration.between(issuedAt.toInstant(), clock.instant()).abs().compareTo(MAX_CLOCK_SKEW) > 0
        || (tokenApiKey != null && !tokenApiKey.equals(apiKey))
        || !MessageDigest.isEqual(sha256Hex(request.body()).getBytes(StandardCharsets.US_ASCII),
            payloadHash.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII))) {
      return null;
    }
    return claims;
  }

  private static String replayKey(Claims claims) {
    return claims.getId() != null ? claims.getId() : claims.get("payload_hash", String.class) + "|" + claims.getIssuedAt().getTime();
  }

  @Override
  public List<Receipt> read(CallbackRequest request) {
    JsonNode body;
    try {
      body = Json.MAPPER.readTree(request.body());
    } catch (IOException e) {
      throw new MalformedReceiptException("the body is not JSON");
    }
    if (body == null || !body.isObject()) {
      throw new MalformedReceiptException("the body is not a JSON object");
    }
    String uuid = text(body, "message_uuid");
    String vendorStatus = text(body, "status");
    String to = text(body, "to");
    if (uuid == null || vendorStatus == null || to == null) {
      throw new MalformedReceiptException("a Messages API status carries message_uuid, status and to");
    }
    String status = vendorStatus.trim().toLowerCase(Locale.ROOT);
    return List.of(new Receipt(ProviderKeys.VONAGE, uuid, text(body, "client_ref"), "+" + to.trim().replaceFirst("^\\+", ""),
        STATUSES.getOrDefault(status, DeliveryStatus.UNKNOWN_DELIVERY), status, errorCode(body.get("error")),
        occurredAt(text(body, "timestamp"))));
  }

  /** The error's code: {@code title} (a number in status webhooks), else the fragment of its {@code type}. */
  static String errorCode(JsonNode error) {
    if (error == null || !error.isObject()) {
      return null;
    }
    Integer code = VonageMessagesErrors.parse(text(error, "title"));
    if (code == null) {
      code = VonageMessagesErrors.codeOfType(text(error, "type"));
    }
    return code == null ? null : code.toString();
  }

  private static Instant occurredAt(String timestamp) {
    if (timestamp == null) {
      return null;
    }
    try {
      return Instant.parse(timestamp.trim());
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  static String sha256Hex(String body) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JRE has SHA-256", e);
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() || value.asText().isBlank() ? null : value.asText();
  }
}
