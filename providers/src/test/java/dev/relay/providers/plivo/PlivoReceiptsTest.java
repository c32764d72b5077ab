package dev.relay.providers.plivo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.providers.http.FormCodec;
import dev.relay.providers.receipt.CallbackRequest;
import dev.relay.providers.receipt.MalformedReceiptException;
import dev.relay.providers.receipt.Receipt;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.providers.receipt.ReplayGuard;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlivoReceiptsTest {

  /** A clock the test moves. */
  static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  private static final String URL = "https://relay.example.com/dlr/plivo?ref=VEabc-1";
  private final PlivoSignature signature = new PlivoSignature("token");
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-05T10:00:00Z"));
  private final PlivoReceipts receipts = new PlivoReceipts(signature, guard());

  private ReplayGuard guard() {
    return new ReplayGuard(Duration.ofHours(24), 1000, clock);
  }

  static Map<String, String> callback(String status) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("From", "14155552345");
    form.put("To", "4915112345678");
    form.put("Status", status);
    form.put("MessageUUID", "DB3CE55A-7F1D-11E1-8EA7-1231380BC196");
    form.put("ParentMessageUUID", "DB3CE55A-7F1D-11E1-8EA7-1231380BC196");
    form.put("PartInfo", "1 of 1");
    form.put("TotalRate", "0.0065");
    form.put("TotalAmount", "0.0065");
    form.put("Units", "1");
    form.put("MCC", "262");
    form.put("MNC", "01");
    form.put("ErrorCode", "");
    return form;
  }

  CallbackRequest post(String url, Map<String, String> form, String nonce) {
    Map<String, String> headers = new LinkedHashMap<>();
    if (nonce != null) {
      headers.put("X-Plivo-Signature-V3", signature.sign("POST", url, form, nonce));
      headers.put("X-Plivo-Signature-V3-Nonce", nonce);
    }
    return new CallbackRequest("POST", url, headers, "application/x-www-form-urlencoded", FormCodec.encode(form));
  }

  @Test
  void verifiesAndReadsASignedCallback() {
    CallbackRequest request = post(URL, callback("delivered"), "05429567804466091622");

    assertThat(receipts.verify(request)).isTrue();
    assertThat(receipts.read(request)).containsExactly(new Receipt("plivo", "db3ce55a-7f1d-11e1-8ea7-1231380bc196", "VEabc-1",
        "+4915112345678", DeliveryStatus.DELIVERED, "delivered", null, null));
  }

  @Test
  void rejectsUnsignedAndWronglySignedCallbacks() {
    CallbackRequest unsigned = post(URL, callback("delivered"), null);
    CallbackRequest otherUrl = new CallbackRequest("POST", "https://evil.example.com/dlr/plivo",
        post(URL, callback("delivered"), "1").headers(), "application/x-www-form-urlencoded", FormCodec.encode(callback("delivered")));

    assertThat(receipts.verify(unsigned)).isFalse();
    assertThat(receipts.verify(otherUrl)).isFalse();
    assertThat(new PlivoReceipts(new PlivoSignature("other"), guard()).verify(post(URL, callback("delivered"), "1"))).isFalse();
  }

  @Test
  void aTamperedParameterOrReferenceIsRefused() {
    CallbackRequest genuine = post(URL, callback("undelivered"), "11");
    Map<String, String> delivered = callback("delivered");
    CallbackRequest otherStatus = new CallbackRequest("POST", URL, genuine.headers(), genuine.contentType(), FormCodec.encode(delivered));
    CallbackRequest otherRef = new CallbackRequest("POST", URL.replace("VEabc-1", "VEabc-2"), genuine.headers(),
        genuine.contentType(), genuine.body());
    CallbackRequest asGet = new CallbackRequest("GET", URL + "&" + genuine.body(), genuine.headers(), "", "");

    assertThat(receipts.verify(otherStatus)).as("the status").isFalse();
    assertThat(receipts.verify(otherRef)).as("the attempt it names").isFalse();
    assertThat(receipts.verify(asGet)).as("the same parameters as a GET").isFalse();
    assertThat(receipts.verify(genuine)).isTrue();
  }

  @Test
  void aNonceIsTakenOnceInItsWindowUnlessItsReceiptWasNotStored() {
    CallbackRequest first = post(URL, callback("delivered"), "05429567804466091622");
    assertThat(receipts.verify(first)).isTrue();

    assertThat(receipts.verify(first)).as("the same callback again").isFalse();
    assertThat(receipts.verify(post(URL, callback("failed"), "05429567804466091622"))).as("its nonce, re-signed").isFalse();

    CallbackRequest second = post(URL, callback("delivered"), "777");
    assertThat(receipts.verify(second)).isTrue();
    receipts.release(second);
    assertThat(receipts.verify(second)).as("Plivo's retry of a receipt answered 503").isTrue();

    clock.advance(Duration.ofHours(24).plusSeconds(1));
    assertThat(receipts.verify(first)).as("outside the window").isTrue();
  }

  @Test
  void readsTheParentIdOfAPartAndTheErrorCode() {
    Map<String, String> part = callback("undelivered");
    part.put("MessageUUID", "part-2");
    part.put("ParentMessageUUID", "PARENT-1");
    part.put("ErrorCode", "80");

    Receipt receipt = receipts.read(post(URL, part, "1")).get(0);

    assertThat(receipt.providerMessageId()).isEqualTo("parent-1");
    assertThat(receipt.vendorErrorCode()).isEqualTo("80");
  }

  @Test
  void aCallbackWithoutItsFieldsIsMalformed() {
    Map<String, String> noStatus = callback("delivered");
    noStatus.remove("Status");

    assertThatThrownBy(() -> receipts.read(post(URL, noStatus, "1"))).isInstanceOf(MalformedReceiptException.class);
  }

  @ParameterizedTest(name = "{0} -> {1}, final {2}")
  @CsvSource({
      "queued, QUEUED, false",
      "sent, SENT, false",
      "delivered, DELIVERED, true",
      "read, DELIVERED, true",
      "undelivered, UNDELIVERED, true",
      "failed, FAILED, true",
      "rejected, REJECTED, true",
      "received, UNKNOWN_DELIVERY, false"})
  void normalizesEveryDocumentedStatus(String vendorStatus, DeliveryStatus expected, boolean isFinal) {
    Receipt receipt = receipts.read(post(URL, callback(vendorStatus), "1")).get(0);

    assertThat(receipt.status()).isEqualTo(expected);
    assertThat(receipt.finalStatus()).isEqualTo(isFinal);
    assertThat(PlivoReceipts.STATUSES).hasSize(8);
  }
}
