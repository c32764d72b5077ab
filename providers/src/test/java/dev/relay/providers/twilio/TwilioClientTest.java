package dev.relay.providers.twilio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.providers.OutboundMessage;
import dev.relay.providers.ProviderResponse;
import dev.relay.providers.StubVendor;
import dev.relay.providers.TestHttp;
import dev.relay.providers.http.FormCodec;
import dev.relay.providers.http.VendorHttp;
import dev.relay.schemas.Channel;
import dev.relay.schemas.ErrorCategory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TwilioClientTest {

  private static final String SID = "AC00000000000000000000000000000001";
  private static final OutboundMessage SMS =
      new OutboundMessage("+4915112345678", "DE", Channel.SMS, "Your code is 123456", "VEabc-1");
  private static final OutboundMessage CALL =
      new OutboundMessage("+4915112345678", "DE", Channel.VOICE, "Your code is 1, 2, 3 <4>", "VEabc-2");

  // Recorded from Twilio's documentation of the Message resource (trimmed).
  private static final String CREATED = """
      {"account_sid": "AC00000000000000000000000000000001", "api_version": "2010-04-01",
       "body": "Your code is 123456", "date_created": "Thu, 24 Aug 2023 05:01:45 +0000",
       "direction": "outbound-api", "error_code": null, "error_message": null,
       "from": "+14155552345", "num_segments": "1", "price": null, "price_unit": "USD",
       "sid": "SM3F4A1B2C3D4E5F60718293A4B5C6D7E8", "status": "queued", "to": "+4915112345678",
       "uri": "/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages/SM3F4A1B2C3D4E5F60718293A4B5C6D7E8.json"}
      """;

  private final StubVendor vendor = new StubVendor();

  @AfterEach
  void close() {
    vendor.close();
  }

  private TwilioClient client(String baseUrl, String voiceFrom) {
    return client(baseUrl, voiceFrom, TestHttp.http("twilio"));
  }

  private TwilioClient client(String baseUrl, String voiceFrom, dev.relay.providers.http.VendorHttp http) {
    return new TwilioClient(new TwilioClient.Settings(baseUrl, SID, "token-1", "+14155552345", "", voiceFrom,
        "https://relay.example.com/"), http);
  }

  private static ProviderResponse await(java.util.concurrent.CompletableFuture<ProviderResponse> future) throws Exception {
    return future.get(5, TimeUnit.SECONDS);
  }

  @Test
  void sendsAnSmsAsTwilioDocumentsItAndReadsTheSid() throws Exception {
    vendor.answer(201, CREATED);

    ProviderResponse response = await(client(vendor.baseUrl(), "").send(SMS));

    assertThat(response).isEqualTo(ProviderResponse.accepted("sm3f4a1b2c3d4e5f60718293a4b5c6d7e8", null));
    StubVendor.Request request = vendor.onlyRequest();
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/2010-04-01/Accounts/" + SID + "/Messages.json");
    assertThat(request.header("Authorization")).isEqualTo(
        "Basic " + Base64.getEncoder().encodeToString((SID + ":token-1").getBytes(StandardCharsets.UTF_8)));
    assertThat(request.header("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
    assertThat(FormCodec.decode(request.body())).containsExactlyInAnyOrderEntriesOf(Map.of(
        "To", "+4915112345678",
        "From", "+14155552345",
        "Body", "Your code is 123456",
        "StatusCallback", "https://relay.example.com/dlr/twilio?ref=VEabc-1"));
  }

  @Test
  void usesTheMessagingServiceInsteadOfFromWhenConfigured() throws Exception {
    vendor.answer(201, CREATED);
    TwilioClient client = new TwilioClient(new TwilioClient.Settings(vendor.baseUrl(), SID, "token-1", "", "MG123", "",
        "https://relay.example.com"), TestHttp.http("twilio"));

    await(client.send(SMS));

    assertThat(FormCodec.decode(vendor.onlyRequest().body())).containsEntry("MessagingServiceSid", "MG123").doesNotContainKey("From");
  }

  @Test
  void readsThePriceWhenTwilioAlreadyKnowsIt() throws Exception {
    vendor.answer(201, CREATED.replace("\"price\": null", "\"price\": \"-0.07500\""));

    assertThat(await(client(vendor.baseUrl(), "").send(SMS)).priceMicros()).isEqualTo(75_000L);
  }

  @Test
  void callsWithTwimlThatReadsTheEscapedTextForVoice() throws Exception {
    vendor.answer(201, "{\"sid\": \"CA1234\", \"status\": \"queued\"}");

    ProviderResponse response = await(client(vendor.baseUrl(), "+14155550000").send(CALL));

    assertThat(response.accepted()).isTrue();
    assertThat(response.providerMessageId()).isEqualTo("ca1234");
    StubVendor.Request request = vendor.onlyRequest();
    assertThat(request.path()).isEqualTo("/2010-04-01/Accounts/" + SID + "/Calls.json");
    assertThat(FormCodec.decode(request.body())).containsExactlyInAnyOrderEntriesOf(Map.of(
        "To", "+4915112345678",
        "From", "+14155550000",
        "Twiml", "<Response><Say language=\"en-US\">Your code is 1, 2, 3 &lt;4&gt;</Say></Response>",
        "StatusCallback", "https://relay.example.com/dlr/twilio?ref=VEabc-2"));
  }

  @ParameterizedTest(name = "{0} is spoken {1}")
  @CsvSource({"de, de-DE", "de-AT, de-DE", "fr, fr-FR", "es-MX, es-MX", "it, it-IT", "nl, nl-NL", "pt, pt-BR",
      "pt-PT, pt-PT", "en-GB, en-GB", "ja, en-US"})
  void aCallIsSpokenInTheMessagesLanguage(String language, String sayLanguage) throws Exception {
    vendor.answer(201, "{\"sid\": \"CA1234\", \"status\": \"queued\"}");
    OutboundMessage call = new OutboundMessage("+4915112345678", "DE", Channel.VOICE, "Ihr Code lautet 1, 2, 3, 4",
        null, "VEabc-2", Locale.forLanguageTag(language));

    await(client(vendor.baseUrl(), "+14155550000").send(call));

    assertThat(FormCodec.decode(vendor.onlyRequest().body())).containsEntry("Twiml",
        "<Response><Say language=\"" + sayLanguage + "\">Ihr Code lautet 1, 2, 3, 4</Say></Response>");
  }

  @Test
  void refusesVoiceWithoutACallerIdWithoutCallingTwilio() throws Exception {
    TwilioClient client = client(vendor.baseUrl(), "");

    ProviderResponse response = await(client.send(CALL));

    assertThat(client.channels()).containsExactly(Channel.SMS);
    assertThat(response.accepted()).isFalse();
    assertThat(response.category()).isEqualTo(ErrorCategory.NO_ROUTE);
    assertThat(vendor.requests()).isEmpty();
  }

  @ParameterizedTest(name = "HTTP {0} code {1} -> {2}")
  @CsvSource({
      "400, 21211, INVALID_NUMBER",
      "400, 21610, OPTED_OUT",
      "400, 21614, UNREACHABLE_NUMBER",
      "400, 21408, NO_ROUTE",
      "400, 21612, NO_ROUTE",
      "401, 20003, AUTH_CONFIG",
      "404, 20404, AUTH_CONFIG",
      "400, 21606, AUTH_CONFIG",
      "429, 20429, THROTTLED",
      "429, 63018, THROTTLED",
      "400, 30001, THROTTLED",
      "500, 20500, PROVIDER_ERROR",
      "503, 20503, PROVIDER_ERROR",
      "503, 21211, PROVIDER_ERROR",
      "400, 99999, UNKNOWN_ERROR"})
  void mapsTwilioErrorAnswers(int httpStatus, int code, ErrorCategory expected) throws Exception {
    vendor.answer(httpStatus, "{\"code\": " + code + ", \"message\": \"recorded message " + code
        + "\", \"more_info\": \"https://www.twilio.com/docs/errors/" + code + "\", \"status\": " + httpStatus + "}");

    ProviderResponse response = await(client(vendor.baseUrl(), "").send(SMS));

    assertThat(response).isEqualTo(ProviderResponse.rejected(expected, Integer.toString(code), "recorded message " + code));
    assertThat(response.permanentForNumber()).isEqualTo(
        expected == ErrorCategory.INVALID_NUMBER || expected == ErrorCategory.OPTED_OUT || expected == ErrorCategory.UNREACHABLE_NUMBER);
  }

  @Test
  void aBareGatewayErrorIsAProviderError() throws Exception {
    vendor.answer(502, "<html>Bad Gateway</html>");

    ProviderResponse response = await(client(vendor.baseUrl(), "").send(SMS));

    assertThat(response).isEqualTo(ProviderResponse.rejected(ErrorCategory.PROVIDER_ERROR, "502", "HTTP 502"));
  }

  @Test
  void aSuccessWithoutASidIsAProviderError() throws Exception {
    vendor.answer(201, "{\"status\": \"queued\"}");

    assertThat(await(client(vendor.baseUrl(), "").send(SMS)).category()).isEqualTo(ErrorCategory.PROVIDER_ERROR);
  }

  @Test
  void aVendorThatDoesNotAnswerIsATimeout() throws Exception {
    vendor.hang();

    ProviderResponse response = await(client(vendor.baseUrl(), "", TestHttp.impatient("twilio")).send(SMS));

    assertThat(response.accepted()).isFalse();
    assertThat(response.category()).isEqualTo(ErrorCategory.TIMEOUT);
  }

  @Test
  void aFullQueueOfRelaysOwnIsThrottledWithoutAVendorCode() throws Exception {
    vendor.hang();
    // One call in flight and one waiting: the third is refused at once, by Relay, not by Twilio.
    TwilioClient client = client(vendor.baseUrl(), "", new VendorHttp("twilio",
        new VendorHttp.Settings(Duration.ofMillis(500), Duration.ofSeconds(2), 1, 1)));
    var inFlight = client.send(SMS);
    var waiting = client.send(SMS);

    ProviderResponse refused = await(client.send(SMS));

    assertThat(refused.accepted()).isFalse();
    assertThat(refused.category()).isEqualTo(ErrorCategory.THROTTLED);
    assertThat(refused.vendorCode()).as("no vendor gave it: scoring does not count it against Twilio").isNull();
    assertThat(inFlight.isDone()).isFalse();
    assertThat(waiting.isDone()).isFalse();
  }

  @Test
  void aRefusedConnectionIsAProviderErrorNotAnException() throws Exception {
    ProviderResponse response = await(client(TestHttp.refusedBaseUrl(), "").send(SMS));

    assertThat(response.accepted()).isFalse();
    assertThat(response.category()).isEqualTo(ErrorCategory.PROVIDER_ERROR);
  }

  @Test
  void neverPrintsTheTextInARejection() throws Exception {
    vendor.answer(500, "{\"code\": 20500, \"message\": \"Internal Server Error\", \"status\": 500}");

    ProviderResponse response = await(client(vendor.baseUrl(), "").send(SMS));

    assertThat(response.toString()).doesNotContain("123456");
  }

  @Test
  void pollsAMessagesStatusByItsSid() throws Exception {
    vendor.answer(200, CREATED.replace("\"status\": \"queued\"", "\"status\": \"undelivered\"")
        .replace("\"error_code\": null", "\"error_code\": 30003"));

    java.util.Optional<dev.relay.providers.receipt.Receipt> status =
        client(vendor.baseUrl(), "").checkStatus("sm3f4a1b2c3d4e5f60718293a4b5c6d7e8").get(5, TimeUnit.SECONDS);

    assertThat(vendor.onlyRequest().method()).isEqualTo("GET");
    // The sid's prefix is upper case again, as Twilio's URLs need it.
    assertThat(vendor.onlyRequest().path()).isEqualTo("/2010-04-01/Accounts/" + SID + "/Messages/SM3f4a1b2c3d4e5f60718293a4b5c6d7e8.json");
    assertThat(status).hasValueSatisfying(receipt -> {
      assertThat(receipt.providerMessageId()).isEqualTo("sm3f4a1b2c3d4e5f60718293a4b5c6d7e8");
      assertThat(receipt.status()).isEqualTo(dev.relay.schemas.DeliveryStatus.UNDELIVERED);
      assertThat(receipt.vendorErrorCode()).isEqualTo("30003");
      assertThat(receipt.to()).isEqualTo("+4915112345678");
    });
  }

  @Test
  void aStatusTwilioCannotGiveIsEmptyNotAnError() throws Exception {
    vendor.answer(404, "{\"code\": 20404, \"message\": \"not found\", \"status\": 404}");

    assertThat(client(vendor.baseUrl(), "").checkStatus("SM1").get(5, TimeUnit.SECONDS)).isEmpty();
    assertThat(client(TestHttp.refusedBaseUrl(), "").checkStatus("SM1").get(5, TimeUnit.SECONDS)).isEmpty();
  }
}
