package dev.relay.scoring.console;

import dev.relay.scoring.ScoringService;
import dev.relay.support.http.ApiError;
import dev.relay.support.http.HttpClients;
import dev.relay.support.phone.InvalidPhoneNumberException;
import dev.relay.support.phone.PhoneNumbers;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The console's verification look-up: forwards the operator's question to verification-api's admin
 * endpoints ({@code GET /v1/admin/verifications?number=} and {@code /v1/admin/verifications/{id}}) with
 * the admin key the operator typed into the page, and hands the answer back unchanged. Server-side, so
 * the page talks only to its own origin (no CORS opening on the API), and only to the one configured
 * API: the console is no open proxy. The key is passed through and forgotten: never stored, never logged.
 */
public final class VerificationLookup {

  /** What the API answered: its status and JSON body, passed on as they are. */
  public record Answer(int status, String body) {}

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final String ADMIN_PATH = "/v1/admin/verifications";

  private final Optional<URI> api;
  private final Duration timeout;
  private final HttpClient http;

  public VerificationLookup(Optional<URI> api, Duration timeout) {
    this.api = api;
    this.timeout = timeout;
    this.http = HttpClients.build(ScoringService.NAME,
        HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER));
  }

  /** Whether a look-up can be made at all (an API URL is configured). */
  public boolean enabled() {
    return api.isPresent();
  }

  /** The verifications of one number, newest first as the API orders them. */
  public Answer byNumber(String authorization, String number) {
    String key = adminKey(authorization);
    String e164;
    try {
      e164 = PhoneNumbers.parse(number).number();
    } catch (InvalidPhoneNumberException e) {
      throw ApiError.badRequest("invalid_number", "the number to look up: " + e.getMessage());
    }
    return forward(key, ADMIN_PATH + "?number=" + URLEncoder.encode(e164, StandardCharsets.UTF_8));
  }

  /** One verification by its id. */
  public Answer byId(String authorization, String id) {
    String key = adminKey(authorization);
    if (id == null || !ID.matcher(id).matches()) {
      throw ApiError.badRequest("invalid_id", "a verification id is 1 to 64 letters, digits, - and _");
    }
    return forward(key, ADMIN_PATH + "/" + id);
  }

  /** Refused here, before anything is forwarded, without a key: the API is never asked keyless. */
  private String adminKey(String authorization) {
    String key = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        ? authorization.substring(7).trim() : "";
    if (key.isEmpty()) {
      throw new ApiError(401, "unauthorized", "a look-up needs an admin key: send it as 'Authorization: Bearer KEY'");
    }
    if (api.isEmpty()) {
      throw new ApiError(503, "lookup_disabled",
          "the look-up is off: scoring has no verification-api URL (relay.scoring.console.api-url)");
    }
    return key;
  }

  private Answer forward(String key, String pathAndQuery) {
    URI base = api.orElseThrow();
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + pathAndQuery))
        .timeout(timeout)
        .header("Authorization", "Bearer " + key)
        .header("Accept", "application/json")
        .GET().build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), response.body());
    } catch (IOException e) {
      // Neither the key nor the number goes into the message: only that the API was not reached.
      throw new ApiError(502, "api_unreachable", "verification-api did not answer the look-up; try again");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiError.unavailable("the look-up was interrupted");
    }
  }
}
