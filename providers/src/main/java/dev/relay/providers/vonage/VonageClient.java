package dev.relay.providers.vonage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.providers.OutboundMessage;
import dev.relay.providers.ProviderClient;
import dev.relay.providers.ProviderKeys;
import dev.relay.providers.ProviderResponse;
import dev.relay.providers.http.FormCodec;
import dev.relay.providers.http.VendorHttp;
import dev.relay.schemas.Channel;
import dev.relay.schemas.ErrorCategory;
import dev.relay.support.http.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Vonage over its SMS API ({@code POST /sms/json}, form-encoded). The idempotency key is the
 * {@code client-ref} Vonage echoes in its receipts; {@code status-report-req=1} and {@code callback}
 * ask for a receipt at dlr-ingest's Vonage route. A non-zero {@code messages[i].status} is a rejection
 * even though the HTTP status is 200.
 */
public final class VonageClient implements ProviderClient {

  /** What the adapter needs from config. */
  public record Settings(String baseUrl, String apiKey, String apiSecret, String from, String callbackBaseUrl) {

    @Override
    public String toString() {
      return "VonageClient.Settings[" + baseUrl + ", " + apiKey + "]";
    }
  }

  private final Settings settings;
  private final VendorHttp http;
  private final URI endpoint;

  public VonageClient(Settings settings, VendorHttp http) {
    this.settings = settings;
    this.http = http;
    this.endpoint = URI.create(VendorHttp.trimBase(settings.baseUrl()) + "/sms/json");
  }

  @Override
  public String name() {
    return ProviderKeys.VONAGE;
  }

  @Override
  public Set<Channel> channels() {
    return EnumSet.of(Channel.SMS);
  }

  @Override
  public CompletableFuture<ProviderResponse> send(OutboundMessage message) {
    if (message.channel() != Channel.SMS) {
      return CompletableFuture.completedFuture(ProviderResponse.rejected(ErrorCategory.NO_ROUTE, null,
          "vonage SMS API does not carry channel " + message.channel()));
    }
    Map<String, String> form = new LinkedHashMap<>();
    form.put("api_key", settings.apiKey());
    form.put("api_secret", settings.apiSecret());
    form.put("from", settings.from());
    // Vonage takes the number in international form without the leading +.
    form.put("to", message.to().startsWith("+") ? message.to().substring(1) : message.to());
    form.put("text", message.text());
    if (!isGsm7(message.text())) {
      form.put("type", "unicode");
    }
    form.put("client-ref", message.idempotencyKey());
    form.put("status-report-req", "1");
    form.put("callback", VendorHttp.trimBase(settings.callbackBaseUrl()) + "/dlr/vonage");
    HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(FormCodec.encode(form)));
    return http.exchange(request, VonageClient::interpret);
  }

  static ProviderResponse interpret(HttpResponse<String> response) {
    int httpStatus = response.statusCode();
    JsonNode messages = readMessages(response.body());
    if (messages == null || messages.isEmpty()) {
      return ProviderResponse.rejected(httpStatus >= 200 && httpStatus < 300 ? ErrorCategory.PROVIDER_ERROR : VonageErrors.categorizeHttp(httpStatus),
          Integer.toString(httpStatus), "answer without messages");
    }
    // A long text is split into parts, each with a status; every part must be accepted.
    long priceMicros = 0;
    boolean priced = false;
    for (JsonNode part : messages) {
      int status = part.path("status").asInt(-1);
      if (status != 0) {
        String errorText = part.path("error-text").asText(null);
        return ProviderResponse.rejected(VonageErrors.categorize(status, errorText), Integer.toString(status),
            errorText != null ? errorText : "status " + status);
      }
      Long partPrice = micros(part.path("message-price").asText(null));
      if (partPrice != null) {
        priceMicros += partPrice;
        priced = true;
      }
    }
    String messageId = messages.get(0).path("message-id").asText(null);
    if (messageId == null || messageId.isBlank()) {
      return ProviderResponse.rejected(ErrorCategory.PROVIDER_ERROR, "0", "accepted without a message-id");
    }
    return ProviderResponse.accepted(messageId, priced ? priceMicros : null);
  }

  private static JsonNode readMessages(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      JsonNode messages = Json.MAPPER.readTree(body).get("messages");
      return messages != null && messages.isArray() ? messages : null;
    } catch (IOException e) {
      return null;
    }
  }

  static Long micros(String price) {
    if (price == null || price.isBlank()) {
      return null;
    }
    try {
      return new BigDecimal(price.trim()).abs().movePointRight(6).longValue();
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Whether the text fits the GSM 03.38 basic alphabet; otherwise Vonage must be told it is unicode. */
  static boolean isGsm7(String text) {
    String gsm = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
        + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€";
    return text.chars().allMatch(c -> gsm.indexOf(c) >= 0);
  }
}
