package dev.relay.dlr;

import dev.relay.providers.http.FormCodec;
import dev.relay.providers.plivo.PlivoSignature;
import dev.relay.providers.vonage.VonageSignature;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Builds and posts vendor callbacks signed as each vendor signs them, for the route and integration tests. */
public final class VendorCallbacks {

  public static final String PUBLIC_URL = "https://relay.example.com";
  public static final String TWILIO_TOKEN = "twilio-token";
  public static final String VONAGE_SECRET = "vonage-signature-secret";
  public static final String PLIVO_TOKEN = "plivo-token";

  private static final java.util.Random NONCES = new java.security.SecureRandom();
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private VendorCallbacks() {}

  /** Provider settings of a deployment behind a proxy at {@link #PUBLIC_URL}. */
  public static Map<String, String> providerSettings() {
    Map<String, String> settings = new HashMap<>();
    settings.put("relay.providers.enabled", "twilio,vonage,plivo");
    settings.put("relay.dlr.public-url", PUBLIC_URL + "/");
    settings.put("relay.providers.twilio.account-sid", "AC1");
    settings.put("relay.providers.twilio.auth-token", TWILIO_TOKEN);
    settings.put("relay.providers.twilio.from", "+14155552345");
    settings.put("relay.providers.vonage.api-key", "abcd1234");
    settings.put("relay.providers.vonage.api-secret", "s");
    settings.put("relay.providers.vonage.signature-secret", VONAGE_SECRET);
    settings.put("relay.providers.vonage.signature-method", "sha256");
    settings.put("relay.providers.vonage.from", "Acme");
    settings.put("relay.providers.plivo.auth-id", "MA1");
    settings.put("relay.providers.plivo.auth-token", PLIVO_TOKEN);
    settings.put("relay.providers.plivo.from", "14155552345");
    return settings;
  }

  public static Map<String, String> twilioStatus(String sid, String status, String to) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("AccountSid", "AC1");
    form.put("MessageSid", sid);
    form.put("SmsSid", sid);
    form.put("MessageStatus", status);
    form.put("SmsStatus", status);
    form.put("To", to);
    form.put("From", "+14155552345");
    form.put("ApiVersion", "2010-04-01");
    return form;
  }

  public static String twilioSignature(String url, Map<String, String> params) {
    StringBuilder data = new StringBuilder(url);
    new TreeMap<>(params).forEach((name, value) -> data.append(name).append(value));
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(TWILIO_TOKEN.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Posts a Twilio status callback to {@code localBase}, signed for the public URL Twilio would have called. */
  public static HttpResponse<String> postTwilio(String localBase, String pathAndQuery, Map<String, String> form, String signature) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(localBase + pathAndQuery))
        .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        .POST(HttpRequest.BodyPublishers.ofString(FormCodec.encode(form)));
    if (signature != null) {
      request.header("X-Twilio-Signature", signature);
    }
    return send(request);
  }

  public static HttpResponse<String> postTwilioSigned(String localBase, String ref, Map<String, String> form) {
    String pathAndQuery = "/dlr/twilio?ref=" + ref;
    return postTwilio(localBase, pathAndQuery, form, twilioSignature(PUBLIC_URL + pathAndQuery, form));
  }

  public static Map<String, String> vonageDlr(String messageId, String status, String msisdn, String ref, Clock clock) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("msisdn", msisdn);
    params.put("to", "Acme");
    params.put("network-code", "26201");
    params.put("messageId", messageId);
    params.put("price", "0.03330000");
    params.put("status", status);
    params.put("scts", "2001011400");
    params.put("err-code", "0");
    params.put("api-key", "abcd1234");
    params.put("client-ref", ref);
    params.put("message-timestamp", "2020-01-01 14:00:00");
    params.put("timestamp", Long.toString(clock.instant().getEpochSecond()));
    params.put("nonce", "ec11dd3e-1e7f-4db5-9467-82b02cd223b9");
    params.put("sig", new VonageSignature(VONAGE_SECRET, VonageSignature.Method.SHA256, clock).sign(params));
    return params;
  }

  public static HttpResponse<String> getVonage(String localBase, Map<String, String> params) {
    return send(HttpRequest.newBuilder(URI.create(localBase + "/dlr/vonage?" + FormCodec.encode(params))).GET());
  }

  public static HttpResponse<String> postJson(String localBase, String path, String json) {
    return send(HttpRequest.newBuilder(URI.create(localBase + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  public static HttpResponse<String> postPlivo(String localBase, String ref, Map<String, String> form, boolean signed) {
    return postPlivo(localBase, ref, form, signed ? Long.toUnsignedString(NONCES.nextLong()) : null);
  }

  /** A Plivo callback signed (V3) with the given nonce; unsigned when it is null. */
  public static HttpResponse<String> postPlivo(String localBase, String ref, Map<String, String> form, String nonce) {
    boolean signed = nonce != null;
    String pathAndQuery = "/dlr/plivo?ref=" + ref;
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(localBase + pathAndQuery))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(FormCodec.encode(form)));
    if (signed) {
      request.header(PlivoSignature.SIGNATURE_HEADER, new PlivoSignature(PLIVO_TOKEN).sign("POST", PUBLIC_URL + pathAndQuery, form, nonce));
      request.header(PlivoSignature.NONCE_HEADER, nonce);
    }
    return send(request);
  }

  public static HttpResponse<String> get(String url) {
    return send(HttpRequest.newBuilder(URI.create(url)).GET());
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return CLIENT.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
