package dev.relay.providers.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.providers.http.FormCodec;
import dev.relay.providers.receipt.CallbackRequest;
import dev.relay.providers.receipt.MalformedReceiptException;
import dev.relay.providers.receipt.Receipt;
import dev.relay.schemas.DeliveryStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TwilioReceiptsTest {

  // Twilio's published example (docs "Webhooks security" and twilio-java's RequestValidatorTest).
  private static final String EXAMPLE_TOKEN = "12345";
  private static final String EXAMPLE_URL = "https://mycompany.com/myapp.php?foo=1&bar=2";
  private static final String EXAMPLE_SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
  private static final Map<String, String> EXAMPLE_PARAMS = Map.of(
      "CallSid", "CA1234567890ABCDE",
      "Caller", "+14158675309",
      "Digits", "1234",
      "From", "+14158675309",
      "To", "+18005551212");

  private final TwilioReceipts receipts = new TwilioReceipts(EXAMPLE_TOKEN);

  static CallbackRequest post(String url, Map<String, String> form, String signature) {
    Map<String, String> headers = new LinkedHashMap<>();
    if (signature != null) {
      headers.put("X-Twilio-Signature", signature);
    }
    return new CallbackRequest("POST", url, headers, "application/x-www-form-urlencoded; charset=utf-8", FormCodec.encode(form));
  }

  /** Signs as Twilio does, for cases the published example does not cover. */
  static String sign(String token, String url, Map<String, String> params) throws Exception {
    StringBuilder data = new StringBuilder(url);
    new TreeMap<>(params).forEach((name, value) -> data.append(name).append(value));
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
    return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void acceptsTwiliosPublishedExample() {
    assertThat(receipts.verify(post(EXAMPLE_URL, EXAMPLE_PARAMS, EXAMPLE_SIGNATURE))).isTrue();
  }

  @Test
  void rejectsATamperedParameter() {
    Map<String, String> tampered = new LinkedHashMap<>(EXAMPLE_PARAMS);
    tampered.put("To", "+18005551213");

    assertThat(receipts.verify(post(EXAMPLE_URL, tampered, EXAMPLE_SIGNATURE))).isFalse();
  }

  @Test
  void rejectsAnAddedParameter() {
    Map<String, String> added = new LinkedHashMap<>(EXAMPLE_PARAMS);
    added.put("MessageStatus", "delivered");

    assertThat(receipts.verify(post(EXAMPLE_URL, added, EXAMPLE_SIGNATURE))).isFalse();
  }

  @Test
  void rejectsATamperedUrl() {
    assertThat(receipts.verify(post(EXAMPLE_URL.replace("foo=1", "foo=2"), EXAMPLE_PARAMS, EXAMPLE_SIGNATURE))).isFalse();
  }

  @Test
  void rejectsATamperedOrMissingSignatureAndTheWrongToken() {
    assertThat(receipts.verify(post(EXAMPLE_URL, EXAMPLE_PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8X"))).isFalse();
    assertThat(receipts.verify(post(EXAMPLE_URL, EXAMPLE_PARAMS, null))).isFalse();
    assertThat(receipts.verify(post(EXAMPLE_URL, EXAMPLE_PARAMS, ""))).isFalse();
    assertThat(new TwilioReceipts("54321").verify(post(EXAMPLE_URL, EXAMPLE_PARAMS, EXAMPLE_SIGNATURE))).isFalse();
  }

  @Test
  void checksThePublicUrlNotTheLocalOne() throws Exception {
    Map<String, String> form = Map.of("MessageSid", "SM1", "MessageStatus", "delivered", "To", "+4915112345678");
    String publicUrl = "https://relay.example.com/dlr/twilio?ref=VEabc-1";
    String signature = sign("token", publicUrl, form);
    TwilioReceipts reader = new TwilioReceipts("token");

    assertThat(reader.verify(post(publicUrl, form, signature))).isTrue();
    assertThat(reader.verify(post("http://10.0.0.5:8082/dlr/twilio?ref=VEabc-1", form, signature))).isFalse();
    // The ref is signed too: a receipt cannot be re-pointed at another verification.
    assertThat(reader.verify(post(publicUrl.replace("VEabc-1", "VEabc-2"), form, signature))).isFalse();
  }

  @Test
  void readsAMessageStatusCallback() {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("AccountSid", "AC1");
    form.put("MessageSid", "SM3F4A1B2C3D4E5F60718293A4B5C6D7E8");
    form.put("SmsSid", "SM3F4A1B2C3D4E5F60718293A4B5C6D7E8");
    form.put("MessageStatus", "undelivered");
    form.put("SmsStatus", "undelivered");
    form.put("ErrorCode", "30003");
    form.put("To", "+4915112345678");
    form.put("From", "+14155552345");
    form.put("RawDlrDoneDate", "2308240502");
    form.put("ApiVersion", "2010-04-01");

    assertThat(receipts.read(post("https://relay.example.com/dlr/twilio?ref=VEabc-1", form, null))).containsExactly(
        new Receipt("twilio", "sm3f4a1b2c3d4e5f60718293a4b5c6d7e8", "VEabc-1", "+4915112345678",
            DeliveryStatus.UNDELIVERED, "undelivered", "30003", Instant.parse("2023-08-24T05:02:00Z")));
  }

  @Test
  void readsACallStatusCallback() {
    Map<String, String> form = Map.of("CallSid", "CA42", "CallStatus", "no-answer", "To", "+4915112345678");

    Receipt receipt = receipts.read(post("https://relay.example.com/dlr/twilio?ref=VEabc-2", form, null)).get(0);

    assertThat(receipt.providerMessageId()).isEqualTo("ca42");
    assertThat(receipt.status()).isEqualTo(DeliveryStatus.UNDELIVERED);
    assertThat(receipt.finalStatus()).isTrue();
    assertThat(receipt.idempotencyKey()).isEqualTo("VEabc-2");
    assertThat(receipt.occurredAt()).isNull();
  }

  @Test
  void refusesACallbackWithoutSidStatusOrNumber() {
    assertThatThrownBy(() -> receipts.read(post("https://x/dlr/twilio", Map.of("MessageStatus", "sent", "To", "+1"), null)))
        .isInstanceOf(MalformedReceiptException.class);
    assertThatThrownBy(() -> receipts.read(post("https://x/dlr/twilio", Map.of("MessageSid", "SM1", "To", "+1"), null)))
        .isInstanceOf(MalformedReceiptException.class);
    assertThatThrownBy(() -> receipts.read(post("https://x/dlr/twilio", Map.of("MessageSid", "SM1", "MessageStatus", "sent"), null)))
        .isInstanceOf(MalformedReceiptException.class);
  }

  @ParameterizedTest(name = "{0} -> {1}, final {2}")
  @CsvSource({
      "accepted, ACCEPTED, false",
      "scheduled, QUEUED, false",
      "queued, QUEUED, false",
      "sending, QUEUED, false",
      "sent, SENT, false",
      "delivered, DELIVERED, true",
      "read, DELIVERED, true",
      "undelivered, UNDELIVERED, true",
      "partially_delivered, UNDELIVERED, true",
      "failed, FAILED, true",
      "canceled, FAILED, true",
      "receiving, UNKNOWN_DELIVERY, false",
      "received, UNKNOWN_DELIVERY, false",
      "initiated, QUEUED, false",
      "ringing, SENT, false",
      "in-progress, DELIVERED_TO_OPERATOR, false",
      "completed, DELIVERED, true",
      "busy, UNDELIVERED, true",
      "no-answer, UNDELIVERED, true",
      "something-new, UNKNOWN_DELIVERY, false"})
  void normalizesEveryDocumentedStatus(String vendorStatus, DeliveryStatus expected, boolean isFinal) {
    Receipt receipt = receipts.read(post("https://x/dlr/twilio",
        Map.of("MessageSid", "SM1", "MessageStatus", vendorStatus.toUpperCase(java.util.Locale.ROOT), "To", "+4915112345678"), null)).get(0);

    assertThat(receipt.status()).isEqualTo(expected);
    assertThat(receipt.finalStatus()).isEqualTo(isFinal);
    assertThat(receipt.vendorStatus()).isEqualTo(vendorStatus);
  }

  @Test
  void everyDocumentedStatusIsInTheTable() {
    assertThat(TwilioReceipts.STATUSES).hasSize(19);
  }
}
