package dev.relay.providers.vonage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.providers.http.FormCodec;
import dev.relay.providers.receipt.CallbackRequest;
import dev.relay.providers.receipt.MalformedReceiptException;
import dev.relay.providers.receipt.Receipt;
import dev.relay.providers.receipt.ReplayGuard;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.support.http.Json;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VonageReceiptsTest {

  private static final Instant NOW = Instant.parse("2020-01-01T14:00:30Z");
  private static final VonageSignature SIGNATURE = new VonageSignature("sig-secret", VonageSignature.Method.MD5HASH,
      Clock.fixed(NOW, ZoneOffset.UTC));
  private final VonageReceipts receipts = new VonageReceipts(SIGNATURE, memory(Clock.fixed(NOW, ZoneOffset.UTC)));

  private static ReplayGuard memory(Clock clock) {
    return new ReplayGuard(VonageReceipts.REPLAY_WINDOW, 1000, clock);
  }

  /** Vonage's documented DLR example, signed as Vonage signs it. */
  static Map<String, String> dlr(String status) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("msisdn", "447700900000");
    params.put("to", "AcmeInc");
    params.put("network-code", "12345");
    params.put("messageId", "0A0000001234567B");
    params.put("price", "0.03330000");
    params.put("status", status);
    params.put("scts", "2001011400");
    params.put("err-code", "0");
    params.put("api-key", "abcd1234");
    params.put("client-ref", "VEabc-1");
    params.put("message-timestamp", "2020-01-01 14:00:00");
    params.put("timestamp", Long.toString(NOW.getEpochSecond()));
    params.put("nonce", "ec11dd3e-1e7f-4db5-9467-82b02cd223b9");
    params.put("sig", SIGNATURE.sign(params));
    return params;
  }

  static CallbackRequest get(Map<String, String> params) {
    return new CallbackRequest("GET", "https://relay.example.com/dlr/vonage?" + FormCodec.encode(params), Map.of(), null, "");
  }

  static CallbackRequest postForm(Map<String, String> params) {
    return new CallbackRequest("POST", "https://relay.example.com/dlr/vonage", Map.of(), "application/x-www-form-urlencoded", FormCodec.encode(params));
  }

  static CallbackRequest postJson(String body) {
    return new CallbackRequest("POST", "https://relay.example.com/dlr/vonage", Map.of(), "application/json", body);
  }

  @Test
  void verifiesAndReadsASignedGetReceipt() {
    CallbackRequest request = get(dlr("delivered"));

    assertThat(receipts.verify(request)).isTrue();
    assertThat(receipts.read(request)).containsExactly(new Receipt("vonage", "0a0000001234567b", "VEabc-1", "+447700900000",
        DeliveryStatus.DELIVERED, "delivered", null, Instant.parse("2020-01-01T14:00:00Z")));
  }

  @Test
  void verifiesAndReadsAFormPostAndAJsonPost() throws Exception {
    Map<String, String> params = dlr("rejected");
    params.put("err-code", "6");
    params.put("sig", SIGNATURE.sign(params));

    assertThat(receipts.verify(postForm(params))).isTrue();
    assertThat(receipts.read(postForm(params)).get(0).vendorErrorCode()).isEqualTo("6");
    String json = Json.MAPPER.writeValueAsString(params);
    VonageReceipts jsonAccount = new VonageReceipts(SIGNATURE, memory(Clock.fixed(NOW, ZoneOffset.UTC)));
    assertThat(jsonAccount.verify(postJson(json))).isTrue();
    assertThat(receipts.read(postJson(json)).get(0).status()).isEqualTo(DeliveryStatus.REJECTED);
  }

  @Test
  void rejectsTamperedAndUnsignedReceipts() {
    Map<String, String> tampered = dlr("failed");
    tampered.put("status", "delivered");
    Map<String, String> unsigned = dlr("delivered");
    unsigned.remove("sig");
    Map<String, String> otherRef = dlr("delivered");
    otherRef.put("client-ref", "VEother-1");

    assertThat(receipts.verify(get(tampered))).isFalse();
    assertThat(receipts.verify(get(unsigned))).isFalse();
    assertThat(receipts.verify(postForm(otherRef))).isFalse();
  }

  @Test
  void aSignedReceiptIsTakenOnceWhileItsTimestampIsFreshUnlessItWasNotStored() {
    Map<String, String> params = dlr("delivered");
    assertThat(receipts.verify(get(params))).isTrue();

    assertThat(receipts.verify(get(params))).as("the same receipt again").isFalse();
    assertThat(receipts.verify(postForm(params))).as("the same receipt as a POST").isFalse();

    Map<String, String> other = dlr("failed");
    assertThat(receipts.verify(get(other))).isTrue();
    receipts.release(get(other));
    assertThat(receipts.verify(get(other))).as("Vonage's retry of a receipt answered 503").isTrue();
  }

  /**
   * A receipt signed by Vonage's own SDK ({@code RequestSigning}, server-sdk) with each method the
   * dashboard offers is taken as configured, and refused when tampered with or checked with another
   * method: the canonical string is Vonage's, blank parameters left out.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"md5hash, MD5", "md5, HMAC_MD5", "sha1, HMAC_SHA1", "sha256, HMAC_SHA256", "sha512, HMAC_SHA512"})
  void aReceiptSignedByVonagesSdkIsAcceptedWithTheConfiguredMethodAndRefusedWhenTampered(String method, String sdkType) {
    Map<String, String> params = dlr("delivered");
    params.remove("sig");
    params.remove("timestamp");
    params.put("network-code", "");
    // The SDK answers the timestamp it stamped (the current time: the check runs on the real clock) and the sig.
    Map<String, String> signed = new LinkedHashMap<>(params);
    signed.putAll(com.vonage.client.auth.RequestSigning.getSignatureForRequestParameters(
        params, "sdk-secret", com.vonage.client.auth.hashutils.HashType.valueOf(sdkType)));
    assertThat(signed).containsKeys("sig", "timestamp");
    VonageSignature configured = new VonageSignature("sdk-secret", VonageSignature.Method.parse(method), Clock.systemUTC());

    assertThat(new VonageReceipts(configured, memory(Clock.systemUTC())).verify(get(signed))).isTrue();
    assertThat(new VonageReceipts(configured, memory(Clock.systemUTC())).verify(postForm(signed))).isTrue();
    Map<String, String> tampered = new LinkedHashMap<>(signed);
    tampered.put("status", "failed");
    assertThat(new VonageReceipts(configured, memory(Clock.systemUTC())).verify(get(tampered))).isFalse();
    VonageSignature.Method other = VonageSignature.Method.parse(method) == VonageSignature.Method.SHA256
        ? VonageSignature.Method.SHA512 : VonageSignature.Method.SHA256;
    assertThat(new VonageReceipts(new VonageSignature("sdk-secret", other, Clock.systemUTC()), memory(Clock.systemUTC()))
        .verify(get(signed))).as("another method").isFalse();
  }

  @Test
  void aJsonBodyThatDoesNotParseIsMalformed() {
    assertThatThrownBy(() -> receipts.verify(postJson("{\"messageId\": "))).isInstanceOf(MalformedReceiptException.class);
    assertThatThrownBy(() -> receipts.read(postJson("[1, 2]"))).isInstanceOf(MalformedReceiptException.class);
  }

  @Test
  void aReceiptWithoutItsFieldsIsMalformed() {
    Map<String, String> params = dlr("delivered");
    params.remove("messageId");

    assertThatThrownBy(() -> receipts.read(get(params))).isInstanceOf(MalformedReceiptException.class);
  }

  @ParameterizedTest(name = "{0} -> {1}, final {2}")
  @CsvSource({
      "accepted, ACCEPTED, false",
      "buffered, BUFFERED, false",
      "delivered, DELIVERED, true",
      "expired, EXPIRED, true",
      "failed, FAILED, true",
      "rejected, REJECTED, true",
      "unknown, UNKNOWN_DELIVERY, false"})
  void normalizesEveryDocumentedStatus(String vendorStatus, DeliveryStatus expected, boolean isFinal) {
    Receipt receipt = receipts.read(get(dlr(vendorStatus))).get(0);

    assertThat(receipt.status()).isEqualTo(expected);
    assertThat(receipt.finalStatus()).isEqualTo(isFinal);
    assertThat(VonageReceipts.STATUSES).hasSize(7);
  }

  @Test
  void fallsBackOnTheMessageTimestampWhenSctsIsMissing() {
    Map<String, String> params = dlr("delivered");
    params.remove("scts");
    params.put("message-timestamp", "2020-01-01 13:59:58 +0000");

    assertThat(VonageReceipts.occurredAt(params)).isEqualTo(Instant.parse("2020-01-01T13:59:58Z"));
    assertThat(VonageReceipts.occurredAt(Map.of())).isNull();
  }
}
