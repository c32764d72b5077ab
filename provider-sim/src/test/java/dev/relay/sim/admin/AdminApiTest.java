package dev.relay.sim.admin;

import static dev.relay.sim.SimFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.sim.SimFixture;
import dev.relay.sim.TestNumbers;
import dev.relay.sim.handset.HandsetMessage;
import java.net.http.HttpResponse;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The simulator's admin API: route behaviour, outages, handset inboxes, and every way to get them wrong. */
class AdminApiTest {

  private static SimFixture sim;

  @BeforeAll
  static void start() {
    sim = SimFixture.start();
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  @BeforeEach
  void reset() {
    assertThat(sim.post("/sim/reset").statusCode()).isEqualTo(204);
  }

  @Test
  void everyRouteStartsHealthy() {
    JsonNode route = json(sim.get("/sim/providers/twilio/countries/DE"));

    assertThat(route.toString()).isEqualTo("{\"acceptRate\":1.0,\"errorCode\":21408,\"latency\":\"PT0S\","
        + "\"deliveryRate\":1.0,\"deliveryErrorCode\":30003,\"silentDropRate\":0.0,\"receiptLossRate\":0.0,"
        + "\"receiptDelay\":\"PT0.05S\",\"receiptDelayJitter\":\"PT0S\",\"price\":0.079}");
    assertThat(json(sim.get("/sim/providers/twilio/countries/DE?channel=voice")).get("errorCode").asInt()).isEqualTo(21215);
    assertThat(json(sim.get("/sim/providers/vonage/countries/us")).get("errorCode").asInt()).isEqualTo(29);
    assertThat(json(sim.get("/sim/providers/vonage/outage")).toString()).contains("\"down\":false");
  }

  @Test
  void aPutIsReadBackAndOmittedFieldsAreHealthy() {
    HttpResponse<String> put = sim.put("/sim/providers/twilio/countries/de", "{\"acceptRate\": 0.25, "
        + "\"errorCode\": [21211, 20429], \"latency\": \"50ms\", \"deliveryRate\": 0.5, \"silentDropRate\": 0.1, "
        + "\"receiptLossRate\": 0.2, \"receiptDelay\": \"PT2S\", \"receiptDelayJitter\": \"PT1S\", \"price\": 0.05}");

    assertThat(put.statusCode()).isEqualTo(200);
    JsonNode route = json(sim.get("/sim/providers/twilio/countries/DE"));
    assertThat(route).isEqualTo(json(put));
    assertThat(route.get("acceptRate").asDouble()).isEqualTo(0.25);
    assertThat(route.get("errorCode").toString()).isEqualTo("[21211,20429]");
    assertThat(route.get("latency").asText()).isEqualTo("PT0.05S");
    assertThat(route.get("deliveryErrorCode").asInt()).isEqualTo(30003);
    assertThat(route.get("receiptDelay").asText()).isEqualTo("PT2S");
    assertThat(route.get("price").decimalValue()).isEqualByComparingTo("0.05");
    // A GET's answer PUT back changes nothing.
    assertThat(json(sim.put("/sim/providers/twilio/countries/DE", route.toString()))).isEqualTo(route);

    assertThat(sim.put("/sim/providers/twilio/countries/DE", "{}").statusCode()).isEqualTo(200);
    assertThat(json(sim.get("/sim/providers/twilio/countries/DE")).get("acceptRate").asDouble()).isEqualTo(1.0);
  }

  @Test
  void aDeleteRestoresTheHealthyRoute() {
    sim.put("/sim/providers/vonage/countries/FR", "{\"acceptRate\": 0}");
    assertThat(sim.delete("/sim/providers/vonage/countries/FR").statusCode()).isEqualTo(204);

    assertThat(json(sim.get("/sim/providers/vonage/countries/FR")).get("acceptRate").asDouble()).isEqualTo(1.0);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"acceptRate\": 1.5}", "{\"acceptRate\": -0.1}", "{\"acceptRate\": \"0.5\"}", "{\"acceptRate\": null}",
      "{\"errorCode\": 99999}", "{\"errorCode\": 30003}", "{\"errorCode\": []}", "{\"errorCode\": \"21211\"}",
      "{\"errorCode\": 21211.5}", "{\"deliveryErrorCode\": 21211}", "{\"latency\": 50}", "{\"latency\": \"soon\"}",
      "{\"latency\": \"-PT1S\"}", "{\"receiptDelay\": \"PT1H\"}", "{\"price\": -1}", "{\"price\": \"free\"}",
      "[]", "\"acceptRate\"", "42"})
  void refusesBadValuesWith400AndChangesNothing(String body) {
    HttpResponse<String> response = sim.put("/sim/providers/twilio/countries/DE", body);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    assertThat(json(response).get("error").asText()).isEqualTo("invalid_behaviour");
    assertThat(json(response).get("message").asText()).isNotBlank();
    assertThat(json(sim.get("/sim/providers/twilio/countries/DE")).get("acceptRate").asDouble()).isEqualTo(1.0);
  }

  @Test
  void refusesUnknownFieldsAndMalformedJson() {
    HttpResponse<String> unknown = sim.put("/sim/providers/twilio/countries/DE", "{\"acceptRate\": 0, \"acceptrate\": 1}");
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(json(unknown).get("error").asText()).isEqualTo("unknown_field");
    assertThat(json(unknown).get("message").asText()).contains("acceptrate");

    HttpResponse<String> malformed = sim.put("/sim/providers/twilio/countries/DE", "{\"acceptRate\": ");
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(json(malformed).get("error").asText()).isEqualTo("malformed_body");
    assertThat(json(sim.get("/sim/providers/twilio/countries/DE")).get("acceptRate").asDouble()).isEqualTo(1.0);
  }

  @Test
  void refusesUnknownProvidersCountriesAndChannels() {
    HttpResponse<String> provider = sim.put("/sim/providers/sinch/countries/DE", "{}");
    assertThat(provider.statusCode()).isEqualTo(404);
    assertThat(json(provider).get("error").asText()).isEqualTo("unknown_provider");
    assertThat(sim.get("/sim/providers/sinch/outage").statusCode()).isEqualTo(404);

    for (String country : new String[] {"XX", "DEU", "1"}) {
      HttpResponse<String> response = sim.put("/sim/providers/twilio/countries/" + country, "{}");
      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(json(response).get("error").asText()).isEqualTo("invalid_country");
    }
    HttpResponse<String> voiceOnVonage = sim.put("/sim/providers/vonage/countries/DE?channel=voice", "{}");
    assertThat(voiceOnVonage.statusCode()).isEqualTo(400);
    assertThat(json(voiceOnVonage).get("error").asText()).isEqualTo("invalid_channel");
    assertThat(sim.get("/sim/providers/twilio/countries/DE?channel=fax").statusCode()).isEqualTo(400);
  }

  @Test
  void anOutageIsSwitchedOnAndOff() {
    HttpResponse<String> down = sim.put("/sim/providers/twilio/outage", "{\"down\": true}");
    assertThat(down.statusCode()).isEqualTo(200);
    assertThat(json(down).get("down").asBoolean()).isTrue();
    assertThat(json(sim.get("/sim/providers/twilio/outage")).get("down").asBoolean()).isTrue();
    assertThat(json(sim.get("/sim/providers/vonage/outage")).get("down").asBoolean()).isFalse();

    assertThat(sim.put("/sim/providers/twilio/outage", "{\"down\": false}").statusCode()).isEqualTo(200);
    assertThat(json(sim.get("/sim/providers/twilio/outage")).get("down").asBoolean()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", "{\"down\": \"yes\"}", "{\"down\": 1}", "{\"down\": true, \"until\": \"PT1M\"}", "[]"})
  void refusesABadOutageBody(String body) {
    HttpResponse<String> response = sim.put("/sim/providers/twilio/outage", body);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(sim.get("/sim/providers/twilio/outage")).get("down").asBoolean()).isFalse();
  }

  @Test
  void anInboxListsMessagesOldestFirstAndIsCleared() {
    String number = TestNumbers.german();
    assertThat(sim.inbox(number)).isEmpty();
    sim.service.handsets().receive(number, new HandsetMessage("Your code is 1111", "twilio", "sms", "+1500",
        "SM1", Instant.parse("2026-01-01T10:00:00Z"), "1111"));
    sim.service.handsets().receive(number, new HandsetMessage("Your code is 2222", "vonage", "sms", "Relay",
        "0A1", Instant.parse("2026-01-01T10:00:01Z"), "2222"));

    JsonNode inbox = sim.inbox(number);
    assertThat(inbox).hasSize(2);
    assertThat(inbox.get(0).toString()).isEqualTo("{\"text\":\"Your code is 1111\",\"provider\":\"twilio\","
        + "\"channel\":\"sms\",\"from\":\"+1500\",\"messageId\":\"SM1\",\"receivedAt\":\"2026-01-01T10:00:00Z\","
        + "\"code\":\"1111\"}");
    assertThat(inbox.get(1).get("code").asText()).isEqualTo("2222");
    // The plus may come percent-encoded; it is the same handset.
    assertThat(json(sim.get("/sim/handsets/%2B" + number.substring(1) + "/messages"))).hasSize(2);

    assertThat(sim.delete("/sim/handsets/" + number + "/messages").statusCode()).isEqualTo(204);
    assertThat(sim.inbox(number)).isEmpty();
  }

  @Test
  void anInboxKeepsOnlyTheNewestMessages() {
    String number = TestNumbers.german();
    for (int i = 0; i < 60; i++) {
      sim.service.handsets().receive(number, new HandsetMessage("message " + i, "twilio", "sms", "+1500", "SM" + i,
          Instant.now(), null));
    }

    JsonNode inbox = sim.inbox(number);
    assertThat(inbox).hasSize(50);
    assertThat(inbox.get(0).get("text").asText()).isEqualTo("message 10");
    assertThat(inbox.get(49).get("text").asText()).isEqualTo("message 59");
  }

  @ParameterizedTest
  @ValueSource(strings = {"4915112345678", "+49123", "not-a-number"})
  void refusesAHandsetThatIsNotAnE164Number(String number) {
    HttpResponse<String> response = sim.get("/sim/handsets/" + number + "/messages");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).get("error").asText()).isEqualTo("invalid_number");
  }

  @Test
  void resetRestoresEverything() {
    String number = TestNumbers.german();
    sim.put("/sim/providers/twilio/countries/DE", "{\"acceptRate\": 0}");
    sim.put("/sim/providers/vonage/outage", "{\"down\": true}");
    sim.service.handsets().receive(number, new HandsetMessage("x", "twilio", "sms", "+1", "SM", Instant.now(), null));

    reset();

    assertThat(json(sim.get("/sim/providers/twilio/countries/DE")).get("acceptRate").asDouble()).isEqualTo(1.0);
    assertThat(json(sim.get("/sim/providers/vonage/outage")).get("down").asBoolean()).isFalse();
    assertThat(sim.inbox(number)).isEmpty();
  }

  @Test
  void theSendLogShowsEachVendorSendWithItsOutcomeAndWhenItArrivedAndWasAnswered() {
    String number = TestNumbers.german();
    sim.put("/sim/providers/twilio/countries/DE", "{\"acceptRate\": 0}");
    Instant before = Instant.now();

    HttpResponse<String> refused = sim.postTwilio(sim.twilioMessagesUrl(),
        SimFixture.params("To", number, "From", "+15017122661", "Body", "Your code is 123456"));
    HttpResponse<String> accepted = sim.postForm(sim.url("/sms/json"), null, SimFixture.params("api_key", SimFixture.API_KEY,
        "api_secret", SimFixture.API_SECRET, "from", "Relay", "to", number.substring(1), "text", "Your code is 123456"));

    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(json(accepted).get("messages").get(0).get("status").asText()).isEqualTo("0");
    JsonNode sends = json(sim.get("/sim/handsets/" + number + "/sends"));
    assertThat(sends).hasSize(2);
    assertThat(sends.get(0).get("provider").asText()).isEqualTo("twilio");
    assertThat(sends.get(0).get("channel").asText()).isEqualTo("sms");
    assertThat(sends.get(0).get("accepted").asBoolean()).isFalse();
    assertThat(sends.get(1).get("provider").asText()).isEqualTo("vonage");
    assertThat(sends.get(1).get("accepted").asBoolean()).isTrue();
    Instant firstArrived = Instant.parse(sends.get(0).get("receivedAt").asText());
    Instant firstAnswered = Instant.parse(sends.get(0).get("answeredAt").asText());
    Instant secondArrived = Instant.parse(sends.get(1).get("receivedAt").asText());
    assertThat(firstArrived).isAfterOrEqualTo(before.minusMillis(1)).isBeforeOrEqualTo(firstAnswered);
    assertThat(secondArrived).isAfterOrEqualTo(firstAnswered);
    // Nothing about the message itself: the log never holds a text or a code.
    assertThat(sends.toString()).doesNotContain("123456");
  }

  @Test
  void theSendLogLeavesOutRequestsRefusedBeforeAnyDecisionAndIsClearedByReset() {
    String number = TestNumbers.german();
    sim.postTwilio(sim.twilioMessagesUrl(), SimFixture.params("To", number, "From", "+15017122661"));
    assertThat(json(sim.get("/sim/handsets/" + number + "/sends"))).isEmpty();

    sim.postTwilio(sim.twilioMessagesUrl(), SimFixture.params("To", number, "From", "+15017122661", "Body", "hi"));
    assertThat(json(sim.get("/sim/handsets/" + number + "/sends"))).hasSize(1);

    reset();

    assertThat(json(sim.get("/sim/handsets/" + number + "/sends"))).isEmpty();
    assertThat(sim.get("/sim/handsets/not-a-number/sends").statusCode()).isEqualTo(400);
  }
}
