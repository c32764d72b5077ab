package dev.relay.providers.vonage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.providers.OutboundMessage;
import dev.relay.providers.ProviderResponse;
import dev.relay.providers.StubVendor;
import dev.relay.providers.TestHttp;
import dev.relay.providers.http.FormCodec;
import dev.relay.schemas.Channel;
import dev.relay.schemas.ErrorCategory;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VonageClientTest {

  private static final OutboundMessage SMS = new OutboundMessage("+447700900000", "GB", Channel.SMS, "Your code is 123456", "VEabc-1");

  // Recorded from Vonage's SMS API reference.
  private static final String ACCEPTED = """
      {"message-count": "1", "messages": [{"to": "447700900000", "message-id": "0A0000000123ABCD1", "status": "0",
        "remaining-balance": "3.14159265", "message-price": "0.03330000", "network": "12345",
        "client-ref": "VEabc-1", "account-ref": "customer1234"}]}
      """;

  private final StubVendor vendor = new StubVendor();

  @AfterEach
  void close() {
    vendor.close();
  }

  private VonageClient client(String baseUrl) {
    return client(baseUrl, TestHttp.http("vonage"));
  }

  private VonageClient client(String baseUrl, dev.relay.providers.http.VendorHttp http) {
    return new VonageClient(new VonageClient.Settings(baseUrl, "abcd1234", "s3cr3t", "AcmeInc", "https://relay.example.com"),
        http);
  }

  private static ProviderResponse await(CompletableFuture<ProviderResponse> future) throws Exception {
    return future.get(5, TimeUnit.SECONDS);
  }

  @Test
  void sendsAsVonageDocumentsItAndReadsTheMessageId() throws Exception {
    vendor.answer(200, ACCEPTED);

    ProviderResponse response = await(client(vendor.baseUrl()).send(SMS));

    assertThat(response).isEqualTo(ProviderResponse.accepted("0a0000000123abcd1", 33_300L));
    StubVendor.Request request = vendor.onlyRequest();
    assertThat(request.path()).isEqualTo("/sms/json");
    assertThat(request.header("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
    assertThat(FormCodec.decode(request.body())).containsExactlyInAnyOrderEntriesOf(Map.of(
        "api_key", "abcd1234", "api_secret", "s3cr3t", "from", "AcmeInc", "to", "447700900000",
        "text", "Your code is 123456", "client-ref", "VEabc-1", "status-report-req", "1",
        "callback", "https://relay.example.com/dlr/vonage"));
  }

  @Test
  void marksTextOutsideGsm7AsUnicode() throws Exception {
    vendor.answer(200, ACCEPTED);

    await(client(vendor.baseUrl()).send(new OutboundMessage("+447700900000", "GB", Channel.SMS, "Ваш код 123456", "VEabc-1")));

    assertThat(FormCodec.decode(vendor.onlyRequest().body())).containsEntry("type", "unicode");
  }

  @ParameterizedTest(name = "status {0} -> {2}")
  @CsvSource({
      "1, Throttled, THROTTLED",
      "2, Missing to param, AUTH_CONFIG",
      "3, Invalid from param, AUTH_CONFIG",
      "3, Invalid to param, INVALID_NUMBER",
      "4, Bad Credentials, AUTH_CONFIG",
      "5, Internal Error, PROVIDER_ERROR",
      "6, Unroutable message - rejected, NO_ROUTE",
      "7, Number barred, UNREACHABLE_NUMBER",
      "8, Partner account barred, AUTH_CONFIG",
      "9, Partner quota exceeded, AUTH_CONFIG",
      "10, Too many existing binds, THROTTLED",
      "11, Account not enabled for HTTP, AUTH_CONFIG",
      "12, Message too long, PROVIDER_ERROR",
      "14, Invalid signature, AUTH_CONFIG",
      "15, Invalid sender address, AUTH_CONFIG",
      "22, Invalid network code, NO_ROUTE",
      "23, Invalid callback url, AUTH_CONFIG",
      "29, Non White-listed Destination, NO_ROUTE",
      "32, Signature and api secret disallowed, AUTH_CONFIG",
      "33, Number de-activated, UNREACHABLE_NUMBER",
      "99, Something new, UNKNOWN_ERROR"})
  void aNonZeroStatusIsARejection(int status, String errorText, ErrorCategory expected) throws Exception {
    vendor.answer(200, "{\"message-count\": \"1\", \"messages\": [{\"status\": \"" + status + "\", \"error-text\": \"" + errorText + "\"}]}");

    ProviderResponse response = await(client(vendor.baseUrl()).send(SMS));

    assertThat(response).isEqualTo(ProviderResponse.rejected(expected, Integer.toString(status), errorText));
  }

  @Test
  void theStatusTableTestCoversTheWholeTable() {
    assertThat(VonageErrors.STATUSES).hasSize(19);
  }

  @Test
  void aRejectedPartRejectsTheWholeMessage() throws Exception {
    vendor.answer(200, "{\"message-count\": \"2\", \"messages\": [{\"status\": \"0\", \"message-id\": \"A1\"},"
        + " {\"status\": \"1\", \"error-text\": \"Throttled\"}]}");

    assertThat(await(client(vendor.baseUrl()).send(SMS)).category()).isEqualTo(ErrorCategory.THROTTLED);
  }

  @ParameterizedTest(name = "HTTP {0} -> {1}")
  @CsvSource({"500, PROVIDER_ERROR", "503, PROVIDER_ERROR", "401, AUTH_CONFIG", "429, THROTTLED"})
  void anAnswerWithoutMessagesFallsBackOnTheHttpStatus(int httpStatus, ErrorCategory expected) throws Exception {
    vendor.answer(httpStatus, "<html>error</html>");

    assertThat(await(client(vendor.baseUrl()).send(SMS))).isEqualTo(
        ProviderResponse.rejected(expected, Integer.toString(httpStatus), "answer without messages"));
  }

  @Test
  void timeoutsAndRefusedConnectionsAreRetryableRejections() throws Exception {
    vendor.hang();

    assertThat(await(client(vendor.baseUrl(), TestHttp.impatient("vonage")).send(SMS)).category()).isEqualTo(ErrorCategory.TIMEOUT);
    assertThat(await(client(TestHttp.refusedBaseUrl()).send(SMS)).category()).isEqualTo(ErrorCategory.PROVIDER_ERROR);
  }

  @Test
  void refusesVoiceWithoutCallingVonage() throws Exception {
    ProviderResponse response = await(client(vendor.baseUrl()).send(
        new OutboundMessage("+447700900000", "GB", Channel.VOICE, "1 2 3", "VEabc-2")));

    assertThat(response.category()).isEqualTo(ErrorCategory.NO_ROUTE);
    assertThat(vendor.requests()).isEmpty();
  }
}
