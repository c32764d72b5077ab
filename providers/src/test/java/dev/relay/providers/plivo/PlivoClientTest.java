package dev.relay.providers.plivo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.providers.OutboundMessage;
import dev.relay.providers.ProviderResponse;
import dev.relay.providers.StubVendor;
import dev.relay.providers.TestHttp;
import dev.relay.schemas.Channel;
import dev.relay.schemas.ErrorCategory;
import dev.relay.support.http.Json;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlivoClientTest {

  private static final OutboundMessage SMS = new OutboundMessage("+4915112345678", "DE", Channel.SMS, "Your code is 123456", "VEabc-1");
  // Recorded from Plivo's Message API reference.
  private static final String QUEUED = """
      {"message": "message(s) queued", "message_uuid": ["DB3CE55A-7F1D-11E1-8EA7-1231380BC196"],
       "api_id": "db342550-7f1d-11e1-8ea7-1231380bc196"}
      """;

  private final StubVendor vendor = new StubVendor();

  @AfterEach
  void close() {
    vendor.close();
  }

  private PlivoClient client(String baseUrl) {
    return client(baseUrl, TestHttp.http("plivo"));
  }

  private PlivoClient client(String baseUrl, dev.relay.providers.http.VendorHttp http) {
    return new PlivoClient(new PlivoClient.Settings(baseUrl, "MAXXXXXXXXXXXXXXXXXX", "token", "14155552345", "https://relay.example.com"),
        http);
  }

  private static ProviderResponse await(CompletableFuture<ProviderResponse> future) throws Exception {
    return future.get(5, TimeUnit.SECONDS);
  }

  @Test
  void sendsAsPlivoDocumentsItAndReadsTheUuid() throws Exception {
    vendor.answer(202, QUEUED);

    ProviderResponse response = await(client(vendor.baseUrl()).send(SMS));

    assertThat(response).isEqualTo(ProviderResponse.accepted("db3ce55a-7f1d-11e1-8ea7-1231380bc196", null));
    StubVendor.Request request = vendor.onlyRequest();
    assertThat(request.path()).isEqualTo("/v1/Account/MAXXXXXXXXXXXXXXXXXX/Message/");
    assertThat(request.header("Authorization")).startsWith("Basic ");
    JsonNode body = Json.MAPPER.readTree(request.body());
    assertThat(body.get("src").asText()).isEqualTo("14155552345");
    assertThat(body.get("dst").asText()).isEqualTo("4915112345678");
    assertThat(body.get("text").asText()).isEqualTo("Your code is 123456");
    assertThat(body.get("url").asText()).isEqualTo("https://relay.example.com/dlr/plivo?ref=VEabc-1");
    assertThat(body.get("method").asText()).isEqualTo("POST");
  }

  @ParameterizedTest(name = "HTTP {0} {1} -> {2}")
  @CsvSource(delimiter = '|', value = {
      "400|{\"api_id\": \"x\", \"error\": \"invalid dst number\"}|INVALID_NUMBER",
      "400|{\"api_id\": \"x\", \"error\": {\"dst\": [\"invalid\"]}}|INVALID_NUMBER",
      "400|{\"api_id\": \"x\", \"error\": \"src parameter not present\"}|AUTH_CONFIG",
      "401|{\"api_id\": \"x\", \"error\": \"authentication failed\"}|AUTH_CONFIG",
      "402|{\"api_id\": \"x\", \"error\": \"insufficient credit\"}|AUTH_CONFIG",
      "404|{\"api_id\": \"x\", \"error\": \"not found\"}|AUTH_CONFIG",
      "429|{\"api_id\": \"x\", \"error\": \"too many requests\"}|THROTTLED",
      "500|{\"api_id\": \"x\", \"error\": \"internal error\"}|PROVIDER_ERROR",
      "503|<html>unavailable</html>|PROVIDER_ERROR"})
  void mapsErrorAnswers(int httpStatus, String body, ErrorCategory expected) throws Exception {
    vendor.answer(httpStatus, body);

    ProviderResponse response = await(client(vendor.baseUrl()).send(SMS));

    assertThat(response.accepted()).isFalse();
    assertThat(response.category()).isEqualTo(expected);
    assertThat(response.vendorCode()).isEqualTo(Integer.toString(httpStatus));
  }

  @Test
  void timeoutsAndRefusedConnectionsAreRetryableRejections() throws Exception {
    vendor.hang();

    assertThat(await(client(vendor.baseUrl(), TestHttp.impatient("plivo")).send(SMS)).category()).isEqualTo(ErrorCategory.TIMEOUT);
    assertThat(await(client(TestHttp.refusedBaseUrl()).send(SMS)).category()).isEqualTo(ErrorCategory.PROVIDER_ERROR);
  }

  @Test
  void pollsAMessagesState() throws Exception {
    vendor.answer(200, """
        {"api_id": "x", "error_code": "50", "from_number": "14155552345", "message_direction": "outbound",
         "message_state": "failed", "message_type": "sms", "message_uuid": "db3ce55a-7f1d-11e1-8ea7-1231380bc196",
         "to_number": "4915112345678", "total_amount": "0.00000"}
        """);

    java.util.Optional<dev.relay.providers.receipt.Receipt> status =
        client(vendor.baseUrl()).checkStatus("db3ce55a-7f1d-11e1-8ea7-1231380bc196").get(5, TimeUnit.SECONDS);

    assertThat(vendor.onlyRequest().path()).isEqualTo("/v1/Account/MAXXXXXXXXXXXXXXXXXX/Message/db3ce55a-7f1d-11e1-8ea7-1231380bc196/");
    assertThat(status).hasValueSatisfying(receipt -> {
      assertThat(receipt.status()).isEqualTo(dev.relay.schemas.DeliveryStatus.FAILED);
      assertThat(receipt.vendorErrorCode()).isEqualTo("50");
      assertThat(receipt.to()).isEqualTo("+4915112345678");
    });
  }

  @Test
  void anUnknownMessageIsEmpty() throws Exception {
    vendor.answer(404, "{\"api_id\": \"x\", \"error\": \"not found\"}");

    assertThat(client(vendor.baseUrl()).checkStatus("nope").get(5, TimeUnit.SECONDS)).isEmpty();
  }
}
