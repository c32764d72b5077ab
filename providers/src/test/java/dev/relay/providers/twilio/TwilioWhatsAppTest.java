package dev.relay.providers.twilio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.providers.OutboundMessage;
import dev.relay.providers.ProviderResponse;
import dev.relay.providers.StubVendor;
import dev.relay.providers.TestHttp;
import dev.relay.providers.http.FormCodec;
import dev.relay.providers.receipt.CallbackRequest;
import dev.relay.providers.receipt.Receipt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.ErrorCategory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** WhatsApp through Twilio's Messages resource: whatsapp: addresses, an approved Content API template, the same signed status callbacks. */
class TwilioWhatsAppTest {

  private static final String SID = "AC00000000000000000000000000000001";
  private static final String TEMPLATE = "HX0123456789abcdef0123456789abcdef";
  private static final OutboundMessage WHATSAPP =
      new OutboundMessage("+4915112345678", "DE", Channel.WHATSAPP, "Your code is 123456", "123456", "VEwa-1");

  private final StubVendor vendor = new StubVendor();

  @AfterEach
  void close() {
    vendor.close();
  }

  private TwilioClient client(String whatsappFrom, String contentSid) {
    return new TwilioClient(new TwilioClient.Settings(vendor.baseUrl(), SID, "token-1", "+14155552345", "", "",
        whatsappFrom, contentSid, "https://relay.example.com"), TestHttp.http("twilio"));
  }

  @Test
  void sendsTheApprovedTemplateWithTheCodeAsItsVariableToTheWhatsAppAddress() throws Exception {
    vendor.answer(201, """
        {"sid": "MM0123456789abcdef0123456789abcdef", "status": "queued", "to": "whatsapp:+4915112345678",
         "from": "whatsapp:+14155238886", "price": null}
        """);

    ProviderResponse response = client("+14155238886", TEMPLATE).send(WHATSAPP).get(5, TimeUnit.SECONDS);

    assertThat(response).isEqualTo(ProviderResponse.accepted("mm0123456789abcdef0123456789abcdef", null));
    StubVendor.Request request = vendor.onlyRequest();
    assertThat(request.path()).isEqualTo("/2010-04-01/Accounts/" + SID + "/Messages.json");
    assertThat(FormCodec.decode(request.body())).containsExactlyInAnyOrderEntriesOf(Map.of(
        "To", "whatsapp:+4915112345678",
        "From", "whatsapp:+14155238886",
        "ContentSid", TEMPLATE,
        "ContentVariables", "{\"1\":\"123456\"}",
        "StatusCallback", "https://relay.example.com/dlr/twilio?ref=VEwa-1"));
  }

  @Test
  void whatsAppIsAChannelOnlyWithASenderAndATemplate() {
    assertThat(client("+14155238886", TEMPLATE).channels()).contains(Channel.WHATSAPP);
    assertThat(client("+14155238886", "").channels()).doesNotContain(Channel.WHATSAPP);
    assertThat(client("", TEMPLATE).channels()).doesNotContain(Channel.WHATSAPP);
  }

  @Test
  void refusesWithoutCallingTwilioWhenNotConfiguredOrWithoutTheCode() throws Exception {
    ProviderResponse unconfigured = client("", "").send(WHATSAPP).get(5, TimeUnit.SECONDS);
    ProviderResponse withoutCode = client("+14155238886", TEMPLATE).send(new OutboundMessage("+4915112345678", "DE",
        Channel.WHATSAPP, "Your code is 123456", "VEwa-1")).get(5, TimeUnit.SECONDS);

    assertThat(unconfigured.category()).isEqualTo(ErrorCategory.NO_ROUTE);
    assertThat(withoutCode.category()).isEqualTo(ErrorCategory.AUTH_CONFIG);
    assertThat(vendor.requests()).isEmpty();
  }

  @Test
  void aRefusedTemplateIsAConfigurationErrorAndAnUnknownUserOnlyRulesOutWhatsApp() throws Exception {
    vendor.answer(400, """
        {"code": 63016, "message": "Failed to send freeform message because you are outside the allowed window.",
         "more_info": "https://www.twilio.com/docs/errors/63016", "status": 400}
        """);
    ProviderResponse outsideWindow = client("+14155238886", TEMPLATE).send(WHATSAPP).get(5, TimeUnit.SECONDS);

    assertThat(outsideWindow.category()).isEqualTo(ErrorCategory.AUTH_CONFIG);
    assertThat(outsideWindow.vendorCode()).isEqualTo("63016");
    // Not on WhatsApp: SMS or voice may still reach the number, so this is no verdict on the number.
    assertThat(TwilioErrors.categorize(400, 63003)).isEqualTo(ErrorCategory.NO_ROUTE);
    assertThat(ProviderResponse.rejected(TwilioErrors.categorize(400, 63003), "63003", "").permanentForNumber()).isFalse();
  }

  @Test
  void readsSignedWhatsAppStatusCallbacksAndCountsReadAsDelivered() {
    TwilioReceipts receipts = new TwilioReceipts("token-1");
    String url = "https://relay.example.com/dlr/twilio?ref=VEwa-1";

    Receipt read = receipts.read(signed(url, "read", null)).get(0);
    Receipt failed = receipts.read(signed(url, "failed", "63003")).get(0);

    assertThat(read.to()).isEqualTo("+4915112345678");
    assertThat(read.status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(read.vendorStatus()).isEqualTo("read");
    assertThat(read.idempotencyKey()).isEqualTo("VEwa-1");
    assertThat(failed.status()).isEqualTo(DeliveryStatus.FAILED);
    assertThat(failed.vendorErrorCode()).isEqualTo("63003");
    assertThat(receipts.verify(signed(url, "read", null))).isTrue();
  }

  @Test
  void refusesAWhatsAppStatusWhoseSignatureDoesNotMatch() {
    TwilioReceipts receipts = new TwilioReceipts("token-1");
    CallbackRequest good = signed("https://relay.example.com/dlr/twilio?ref=VEwa-1", "failed", "63003");
    // The same signature over a status changed in transit, and a signature under another token.
    CallbackRequest tampered = new CallbackRequest("POST", good.publicUrl(), good.headers(), good.contentType(),
        good.body().replace("failed", "read"));
    CallbackRequest otherToken = new CallbackRequest("POST", good.publicUrl(),
        Map.of(TwilioReceipts.SIGNATURE_HEADER, sign("token-2", good.publicUrl(), FormCodec.decode(good.body()))),
        good.contentType(), good.body());

    assertThat(receipts.verify(good)).isTrue();
    assertThat(receipts.verify(tampered)).isFalse();
    assertThat(receipts.verify(otherToken)).isFalse();
  }

  private static String sign(String token, String url, Map<String, String> form) {
    try {
      return TwilioReceiptsTest.sign(token, url, form);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static CallbackRequest signed(String url, String status, String errorCode) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("MessageSid", "MM0123456789abcdef0123456789abcdef");
    form.put("MessageStatus", status);
    form.put("AccountSid", SID);
    form.put("From", "whatsapp:+14155238886");
    form.put("To", "whatsapp:+4915112345678");
    form.put("ChannelPrefix", "whatsapp");
    if (errorCode != null) {
      form.put("ErrorCode", errorCode);
    }
    String signature = sign("token-1", url, form);
    return new CallbackRequest("POST", url, Map.of(TwilioReceipts.SIGNATURE_HEADER, signature),
        "application/x-www-form-urlencoded", FormCodec.encode(form));
  }
}
