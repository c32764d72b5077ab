package dev.relay.providers.vonage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.providers.OutboundMessage;
import dev.relay.providers.ProviderClient;
import dev.relay.providers.ProviderKeys;
import dev.relay.providers.ProviderResponse;
import dev.relay.providers.http.VendorHttp;
import dev.relay.schemas.Channel;
import dev.relay.schemas.ErrorCategory;
import dev.relay.support.http.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * WhatsApp through Vonage's Messages API ({@code POST /v1/messages}, JSON, a bearer JWT signed with
 * the application's private key). With a template configured it sends {@code message_type: template}
 * with the code as the template's one parameter (what WhatsApp requires to open a conversation);
 * without, {@code message_type: text} with the rendered text, which WhatsApp delivers only inside a
 * 24-hour session the user opened. The idempotency key is the {@code client_ref} Vonage echoes in its
 * status webhooks, which go to dlr-ingest's {@code /dlr/vonage-messages} ({@code webhook_url}).
 */
public final class VonageMessagesClient implements ProviderClient {

  /** The dlr-ingest route of Messages API status webhooks. */
  public static final String RECEIPT_ROUTE = "vonage-messages";

  /** What the adapter needs from config; an empty {@code template} sends text. */
  public record Settings(String baseUrl, String whatsappFrom, String template, String locale, String callbackBaseUrl) {}

  private final Settings settings;
  private final VonageApplicationJwt jwt;
  private final VendorHttp http;
  private final URI endpoint;

  public VonageMessagesClient(Settings settings, VonageApplicationJwt jwt, VendorHttp http) {
    this.settings = settings;
    this.jwt = jwt;
    this.http = http;
    this.endpoint = URI.create(VendorHttp.trimBase(settings.baseUrl()) + "/v1/messages");
  }

  @Override
  public String name() {
    return ProviderKeys.VONAGE;
  }

  @Override
  public Set<Channel> channels() {
    return EnumSet.of(Channel.WHATSAPP);
  }

  @Override
  public CompletableFuture<ProviderResponse> send(OutboundMessage message) {
    if (message.channel() != Channel.WHATSAPP) {
      return CompletableFuture.completedFuture(ProviderResponse.rejected(ErrorCategory.NO_ROUTE, null,
          "vonage Messages API is configured for WhatsApp only, not " + message.channel()));
    }
    boolean template = !settings.template().isBlank();
    if (template && (message.code() == null || message.code().isBlank())) {
      return CompletableFuture.completedFuture(ProviderResponse.rejected(ErrorCategory.AUTH_CONFIG, null,
          "a WhatsApp template message needs the code as its parameter"));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("channel", "whatsapp");
    body.put("to", digits(message.to()));
    body.put("from", digits(settings.whatsappFrom()));
    if (template) {
      body.put("message_type", "template");
      body.put("template", Map.of("name", settings.template(), "parameters", List.of(message.code())));
      body.put("whatsapp", Map.of("policy", "deterministic", "locale", settings.locale()));
    } else {
      body.put("message_type", "text");
      body.put("text", message.text());
    }
    body.put("client_ref", message.idempotencyKey());
    body.put("webhook_url", VendorHttp.trimBase(settings.callbackBaseUrl()) + "/dlr/" + RECEIPT_ROUTE);
    String json;
    try {
      json = Json.MAPPER.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of strings always serializes", e);
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
        .header("Authorization", "Bearer " + jwt.token())
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json));
    return http.exchange(request, VonageMessagesClient::interpret);
  }

  /** 202 with {@code message_uuid}; otherwise an RFC 7807 problem whose {@code type} ends in the error code. */
  static ProviderResponse interpret(HttpResponse<String> response) {
    int status = response.statusCode();
    JsonNode body = readJson(response.body());
    if (status >= 200 && status < 300) {
      String uuid = body == null ? null : text(body, "message_uuid");
      return uuid == null
          ? ProviderResponse.rejected(ErrorCategory.PROVIDER_ERROR, Integer.toString(status), "answer without a message_uuid")
          : ProviderResponse.accepted(uuid, null);
    }
    Integer code = body == null ? null : VonageMessagesErrors.codeOfType(text(body, "type"));
    String title = body == null ? null : text(body, "title");
    String detail = body == null ? null : text(body, "detail");
    String message = title == null ? "HTTP " + status : title + (detail == null ? "" : ": " + detail);
    return ProviderResponse.rejected(
        code != null ? VonageMessagesErrors.categorize(code) : VonageMessagesErrors.categorizeHttp(status),
        code != null ? code.toString() : Integer.toString(status), message);
  }

  private static String digits(String e164) {
    String trimmed = e164.trim();
    return trimmed.startsWith("+") ? trimmed.substring(1) : trimmed;
  }

  private static JsonNode readJson(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      JsonNode tree = Json.MAPPER.readTree(body);
      return tree != null && tree.isObject() ? tree : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static String text(JsonNode body, String field) {
    JsonNode value = body.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }
}
