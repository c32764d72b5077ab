package dev.relay.providers.twilio;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.providers.OutboundMessage;
import dev.relay.providers.ProviderClient;
import dev.relay.providers.ProviderKeys;
import dev.relay.providers.ProviderResponse;
import dev.relay.providers.SpeechLanguage;
import dev.relay.providers.http.FormCodec;
import dev.relay.providers.http.VendorHttp;
import dev.relay.providers.receipt.Receipt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.ErrorCategory;
import dev.relay.support.http.Json;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Twilio over its REST API: SMS through Programmable Messaging ({@code Messages.json}), WhatsApp
 * through the same resource with {@code whatsapp:} addresses and an approved Content API template
 * ({@code ContentSid}, the code as its variable {@code 1} in {@code ContentVariables}: a business may
 * open a WhatsApp conversation only with an approved template), and voice through {@code Calls.json}
 * with inline TwiML that reads the text in the message's language ({@code <Say language="de-DE">}). Twilio echoes no client reference, so the idempotency key
 * rides in the StatusCallback URL, which the receipt's signature covers.
 */
public final class TwilioClient implements ProviderClient {

  /**
   * What the adapter needs from config. {@code from} or {@code messagingServiceSid} must be set; an
   * empty {@code voiceFrom} disables voice; WhatsApp needs both {@code whatsappFrom} (the approved
   * WhatsApp sender, E.164) and {@code whatsappContentSid} (the approved template, {@code HX...}).
   */
  public record Settings(String baseUrl, String accountSid, String authToken, String from, String messagingServiceSid,
      String voiceFrom, String whatsappFrom, String whatsappContentSid, String callbackBaseUrl) {

    /** Without WhatsApp. */
    public Settings(String baseUrl, String accountSid, String authToken, String from, String messagingServiceSid,
        String voiceFrom, String callbackBaseUrl) {
      this(baseUrl, accountSid, authToken, from, messagingServiceSid, voiceFrom, "", "", callbackBaseUrl);
    }

    @Override
    public String toString() {
      return "TwilioClient.Settings[" + baseUrl + ", " + accountSid + "]";
    }
  }

  /**
   * The {@code <Say language>} values Relay asks for, among those Twilio's voices speak; a message in
   * another language or region is spoken in the closest of these ({@link SpeechLanguage}).
   */
  static final Set<String> SAY_LANGUAGES = Set.of("en-US", "en-GB", "en-AU", "en-CA", "en-IN", "de-DE", "fr-FR",
      "fr-CA", "es-ES", "es-MX", "es-US", "it-IT", "nl-NL", "pt-BR", "pt-PT");

  /** How Twilio's Messages resource addresses a WhatsApp user or sender. */
  public static final String WHATSAPP_PREFIX = "whatsapp:";

  private final Settings settings;
  private final VendorHttp http;
  private final String accountUrl;

  public TwilioClient(Settings settings, VendorHttp http) {
    this.settings = settings;
    this.http = http;
    this.accountUrl = VendorHttp.trimBase(settings.baseUrl()) + "/2010-04-01/Accounts/"
        + URLEncoder.encode(settings.accountSid(), StandardCharsets.UTF_8);
  }

  @Override
  public String name() {
    return ProviderKeys.TWILIO;
  }

  @Override
  public Set<Channel> channels() {
    Set<Channel> channels = EnumSet.of(Channel.SMS);
    if (!blank(settings.voiceFrom())) {
      channels.add(Channel.VOICE);
    }
    if (!blank(settings.whatsappFrom()) && !blank(settings.whatsappContentSid())) {
      channels.add(Channel.WHATSAPP);
    }
    return channels;
  }

  @Override
  public CompletableFuture<ProviderResponse> send(OutboundMessage message) {
    if (!channels().contains(message.channel())) {
      return CompletableFuture.completedFuture(ProviderResponse.rejected(ErrorCategory.NO_ROUTE, null,
          "twilio is not configured for channel " + message.channel()));
    }
    Map<String, String> form = new LinkedHashMap<>();
    form.put("To", message.to());
    String resource;
    if (message.channel() == Channel.VOICE) {
      resource = "/Calls.json";
      form.put("From", settings.voiceFrom());
      form.put("Twiml", twiml(message.text(), SpeechLanguage.tagFor(message.language(), SAY_LANGUAGES)));
    } else if (message.channel() == Channel.WHATSAPP) {
      if (blank(message.code())) {
        return CompletableFuture.completedFuture(ProviderResponse.rejected(ErrorCategory.AUTH_CONFIG, null,
            "a WhatsApp template message needs the code as its variable"));
      }
      resource = "/Messages.json";
      form.put("To", WHATSAPP_PREFIX + message.to());
      form.put("From", WHATSAPP_PREFIX + settings.whatsappFrom());
      form.put("ContentSid", settings.whatsappContentSid());
      form.put("ContentVariables", contentVariables(message.code()));
    } else {
      resource = "/Messages.json";
      if (blank(settings.messagingServiceSid())) {
        form.put("From", settings.from());
      } else {
        form.put("MessagingServiceSid", settings.messagingServiceSid());
      }
      form.put("Body", message.text());
    }
    form.put("StatusCallback", statusCallback(settings.callbackBaseUrl(), message.idempotencyKey()));
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(accountUrl + resource))
        .header("Authorization", VendorHttp.basicAuth(settings.accountSid(), settings.authToken()))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(FormCodec.encode(form)));
    return http.exchange(request, TwilioClient::interpret);
  }

  /** GET {@code Messages/{Sid}.json} (or {@code Calls/{Sid}.json} for a call's CA sid). */
  @Override
  public CompletableFuture<Optional<Receipt>> checkStatus(String providerMessageId) {
    String sid = twilioSid(providerMessageId);
    String resource = sid.startsWith("CA") ? "/Calls/" : "/Messages/";
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(accountUrl + resource + URLEncoder.encode(sid, StandardCharsets.UTF_8) + ".json"))
        .header("Authorization", VendorHttp.basicAuth(settings.accountSid(), settings.authToken()))
        .header("Accept", "application/json")
        .GET();
    return http.lookup(request, TwilioClient::interpretStatus);
  }

  static Optional<Receipt> interpretStatus(HttpResponse<String> response) {
    JsonNode body = readJson(response.body());
    if (response.statusCode() != 200 || body == null) {
      return Optional.empty();
    }
    String sid = text(body, "sid");
    String status = text(body, "status");
    String to = text(body, "to");
    if (sid == null || status == null || to == null) {
      return Optional.empty();
    }
    String vendorStatus = status.toLowerCase(java.util.Locale.ROOT);
    return Optional.of(new Receipt(ProviderKeys.TWILIO, sid, null, TwilioReceipts.plus(to), TwilioReceipts.statusOf(vendorStatus),
        vendorStatus, text(body, "error_code"), null));
  }

  /** Twilio sids are two upper-case letters and lower-case hex; ids travel lower-cased through Relay. */
  static String twilioSid(String providerMessageId) {
    String id = providerMessageId.trim();
    return id.length() < 2 ? id : id.substring(0, 2).toUpperCase(java.util.Locale.ROOT) + id.substring(2);
  }

  /** Where Twilio posts this message's status: dlr-ingest's Twilio route with the idempotency key as {@code ref}. */
  public static String statusCallback(String callbackBaseUrl, String idempotencyKey) {
    return VendorHttp.trimBase(callbackBaseUrl) + "/dlr/twilio?ref=" + URLEncoder.encode(idempotencyKey, StandardCharsets.UTF_8);
  }

  /** The template's one variable, the code, as the JSON object Twilio's {@code ContentVariables} takes. */
  static String contentVariables(String code) {
    try {
      return Json.MAPPER.writeValueAsString(Map.of("1", code));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a map of one string always serializes", e);
    }
  }

  /**
   * A TwiML document that reads the text once in the given language; the text is escaped, so it cannot
   * inject verbs.
   */
  static String twiml(String text, String language) {
    return "<Response><Say language=\"" + escapeXml(language) + "\">" + escapeXml(text) + "</Say></Response>";
  }

  static ProviderResponse interpret(HttpResponse<String> response) {
    int status = response.statusCode();
    JsonNode body = readJson(response.body());
    if (status >= 200 && status < 300) {
      String sid = text(body, "sid");
      if (sid == null) {
        return ProviderResponse.rejected(ErrorCategory.PROVIDER_ERROR, Integer.toString(status), "answer without a sid");
      }
      return ProviderResponse.accepted(sid, priceMicros(text(body, "price")));
    }
    Integer code = body != null && body.path("code").canConvertToInt() ? body.path("code").asInt() : null;
    String message = text(body, "message");
    return ProviderResponse.rejected(TwilioErrors.categorize(status, code),
        code != null ? code.toString() : Integer.toString(status),
        message != null ? message : "HTTP " + status);
  }

  /** Twilio prices are decimal strings, negative for charges ({@code "-0.00750"}); micros of the currency unit. */
  static Long priceMicros(String price) {
    if (price == null || price.isBlank()) {
      return null;
    }
    try {
      return new BigDecimal(price.trim()).abs().movePointRight(6).longValue();
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static JsonNode readJson(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      return Json.MAPPER.readTree(body);
    } catch (java.io.IOException e) {
      // A proxy's HTML error page, for example: the status code decides alone.
      return null;
    }
  }

  private static String text(JsonNode body, String field) {
    if (body == null) {
      return null;
    }
    JsonNode value = body.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }

  private static String escapeXml(String text) {
    StringBuilder escaped = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '<' -> escaped.append("&lt;");
        case '>' -> escaped.append("&gt;");
        case '&' -> escaped.append("&amp;");
        case '"' -> escaped.append("&quot;");
        case '\'' -> escaped.append("&apos;");
        default -> escaped.append(c);
      }
    }
    return escaped.toString();
  }
}
