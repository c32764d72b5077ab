package dev.relay.dispatcher.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.schemas.RoutingTableVersion;
import dev.relay.support.http.Json;
import dev.relay.support.http.RelayHttp;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code PUT /admin/routing-table} on the dispatcher's HTTP shell, with the publisher replaced by a list. */
class RoutingTableAdminTest {

  private static final String TOKEN = "admin-token-for-tests";
  private static final Instant NOW = Instant.parse("2026-03-02T12:00:00Z");
  private static final String GOOD = """
      {"countries": {"*": {"sms": [{"provider": "twilio", "priceMicros": 7900}, {"provider": "vonage"}]},
                     "DE": {"sms": [{"provider": "vonage", "priceMicros": 7100}], "voice": [{"provider": "twilio"}]}}}""";

  private final HttpClient client = HttpClient.newHttpClient();
  private final List<RoutingTableVersion> published = new ArrayList<>();
  private Consumer<RoutingTableVersion> publisher = published::add;
  private Javalin http;

  @BeforeEach
  void start() {
    http = RelayHttp.create("dispatcher-stream", () -> true, null);
    new RoutingTableAdmin(TOKEN, Set.of("twilio", "vonage"), table -> publisher.accept(table),
        Clock.fixed(NOW, ZoneOffset.UTC)).register(http);
    http.start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    http.stop();
  }

  @Test
  void aValidTableIsPublishedAsANewVersion() throws Exception {
    HttpResponse<String> response = put(GOOD, "Bearer " + TOKEN);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode body = Json.MAPPER.readTree(response.body());
    assertThat(body.get("version").asLong()).isEqualTo(NOW.toEpochMilli());
    assertThat(body.get("countries").asInt()).isEqualTo(2);
    assertThat(published).singleElement().satisfies(table -> {
      assertThat(table.getVersion()).isEqualTo(NOW.toEpochMilli());
      assertThat(table.getPublishedAt()).isEqualTo(NOW);
      assertThat(table.getPublishedBy()).startsWith("admin-api:");
      assertThat(table.getCountries()).extracting(country -> country.getCountry()).containsExactlyInAnyOrder("*", "DE");
    });
  }

  @Test
  void badTablesAre400sWithTheReasonAndNothingIsPublished() throws Exception {
    assertBad("{\"countries\": ", "not JSON");
    assertBad("[]", "\"countries\"");
    assertBad("{\"countries\": {\"DE\": {\"sms\": [{\"provider\": \"vonage\"}]}}}", "*");
    assertBad("{\"countries\": {\"*\": {\"sms\": {\"provider\": \"twilio\"}}}}", "must be a list");
    assertBad("{\"countries\": {\"*\": {\"sms\": [{\"priceMicros\": 5}]}}}", "needs a \"provider\"");
    assertBad("{\"countries\": {\"*\": {\"sms\": [{\"provider\": \"twilio\", \"priceMicros\": \"cheap\"}]}}}", "whole number");
    assertBad("{\"countries\": {\"*\": {\"sms\": [{\"provider\": \"sinch\"}]}}}", "not configured: [sinch]");
    assertThat(published).isEmpty();
  }

  @Test
  void withoutTheTokenNothingIsReadOrPublished() throws Exception {
    for (String authorization : new String[] {null, "Bearer wrong", "Basic " + TOKEN, "Bearer "}) {
      HttpResponse<String> response = put(GOOD, authorization);
      assertThat(response.statusCode()).as("%s: %s", authorization, response.body()).isEqualTo(401);
      assertThat(Json.MAPPER.readTree(response.body()).get("error").asText()).isEqualTo("unauthorized");
    }
    assertThat(published).isEmpty();
  }

  @Test
  void aBrokerThatDoesNotAcknowledgeIsA503ToRetry() throws Exception {
    publisher = table -> {
      throw new IllegalStateException("the routing table was not published: timeout");
    };

    HttpResponse<String> response = put(GOOD, "Bearer " + TOKEN);

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("Retry-After")).isPresent();
    assertThat(Json.MAPPER.readTree(response.body()).get("error").asText()).isEqualTo("unavailable");
  }

  @Test
  void otherMethodsAreRefused() throws Exception {
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri()).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(405);
  }

  private void assertBad(String table, String reason) throws Exception {
    HttpResponse<String> response = put(table, "Bearer " + TOKEN);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    JsonNode body = Json.MAPPER.readTree(response.body());
    assertThat(body.get("error").asText()).isEqualTo("invalid_routing_table");
    assertThat(body.get("message").asText()).contains(reason);
  }

  private HttpResponse<String> put(String body, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri()).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri() {
    return URI.create("http://127.0.0.1:" + http.port() + RoutingTableAdmin.PATH);
  }
}
