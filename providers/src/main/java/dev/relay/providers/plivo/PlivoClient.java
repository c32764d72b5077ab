package dev.relay.providers.plivo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.providers.OutboundMessage;
import dev.relay.providers.ProviderClient;
import dev.relay.providers.ProviderKeys;
import dev.relay.providers.ProviderResponse;
import dev.relay.providers.http.VendorHttp;
import dev.relay.providers.receipt.Receipt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.ErrorCategory;
import dev.relay.support.http.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Plivo over its Message API ({@code POST /v1/Account/{auth_id}/Message/}, JSON, Basic auth). Plivo
 * echoes no client reference, so the idempotency key rides in the status callback {@code url}.
 */
public final class PlivoClient implements ProviderClient {

  /** What the adapter needs from config. */
  public record Settings(String baseUrl, String authId, String authToken, String from, String callbackBaseUrl) {

    @Override
    public String toString() {
      return "PlivoClient.Settings[" + baseUrl + ", " + authId + "]";
    }
  }

  private final Settings settings;
  private final VendorHttp http;
  private final URI endpoint;

  public PlivoClient(Settings settings, VendorHttp http) {
    this.settings = settings;
    this.http = http;
    this.endpoint = URI.create(VendorHttp.trimBase(settings.baseUrl()) + "/v1/Account/"
        + URLEncoder.encode(settings.authId(), StandardCharsets.UTF_8) + "/Message/");
  }

  @Override
  public String name() {
    return ProviderKeys.PLIVO;
  }

  @Override
  public Set<Channel> channels() {
    return EnumSet.of(Channel.SMS);
  }

  @Override
  public CompletableFuture<ProviderResponse> send(OutboundMessage message) {
    if (message.channel() != Channel.SMS) {
      return CompletableFuture.completedFuture(ProviderResponse.rejected(ErrorCategory.NO_ROUTE, null,
          "plivo adapter does not carry channel " + message.channel()));
    }
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("src", settings.from());
    // Plivo takes the number with its country code and without the leading +.
    body.put("dst", message.to().startsWith("+") ? message.to().substring(1) : message.to());
    body.put("text", message.text());
    body.put("url", statusCallback(settings.callbackBaseUrl(), message.idempotencyKey()));
    body.put("method", "POST");
    HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
        .header("Authorization", VendorHttp.basicAuth(settings.authId(), settings.authToken()))
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    return http.exchange(request, PlivoClient::interpret);
  }

  /** GET {@code /v1/Account/{auth_id}/Message/{message_uuid}/}: its {@code message_state}. */
  @Override
  public CompletableFuture<Optional<Receipt>> checkStatus(String providerMessageId) {
    HttpRequest.Builder request = HttpRequest.newBuilder(endpoint.resolve(URLEncoder.encode(providerMessageId.trim(), StandardCharsets.UTF_8) + "/"))
        .header("Authorization", VendorHttp.basicAuth(settings.authId(), settings.authToken()))
        .header("Accept", "application/json")
        .GET();
    return http.lookup(request, PlivoClient::interpretStatus);
  }

  static Optional<Receipt> interpretStatus(HttpResponse<String> response) {
    JsonNode body = readJson(response.body());
    if (response.statusCode() != 200 || body == null) {
      return Optional.empty();
    }
    String id = body.path("message_uuid").asText(null);
    String state = body.path("message_state").asText(null);
    String to = body.path("to_number").asText(null);
    if (id == null || state == null || to == null) {
      return Optional.empty();
    }
    String vendorStatus = state.toLowerCase(java.util.Locale.ROOT);
    String errorCode = body.path("error_code").isNull() ? null : body.path("error_code").asText(null);
    return Optional.of(new Receipt(ProviderKeys.PLIVO, id, null, "+" + to.replaceFirst("^\\+", ""), PlivoReceipts.statusOf(vendorStatus),
        vendorStatus, "000".equals(errorCode) ? null : errorCode, null));
  }

  public static String statusCallback(String callbackBaseUrl, String idempotencyKey) {
    return VendorHttp.trimBase(callbackBaseUrl) + "/dlr/plivo?ref=" + URLEncoder.encode(idempotencyKey, StandardCharsets.UTF_8);
  }

  static ProviderResponse interpret(HttpResponse<String> response) {
    int status = response.statusCode();
    JsonNode body = readJson(response.body());
    if (status >= 200 && status < 300) {
      JsonNode ids = body == null ? null : body.get("message_uuid");
      String id = ids != null && ids.isArray() && !ids.isEmpty() ? ids.get(0).asText(null) : null;
      if (id == null || id.isBlank()) {
        return ProviderResponse.rejected(ErrorCategory.PROVIDER_ERROR, Integer.toString(status), "answer without a message_uuid");
      }
      return ProviderResponse.accepted(id, null);
    }
    JsonNode errorNode = body == null ? null : body.get("error");
    // The error is a sentence, or an object of field -> problems ({"dst": ["invalid"]}).
    String error = errorNode == null || errorNode.isNull() ? null : errorNode.isTextual() ? errorNode.asText() : errorNode.toString();
    return ProviderResponse.rejected(PlivoErrors.categorize(status, error), Integer.toString(status),
        error != null ? error : "HTTP " + status);
  }

  private static JsonNode readJson(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      return Json.MAPPER.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }
}
