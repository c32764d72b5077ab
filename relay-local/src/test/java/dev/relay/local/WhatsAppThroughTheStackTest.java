package dev.relay.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.dispatcher.DispatcherService;
import dev.relay.kafka.embedded.FreePorts;
import dev.relay.local.LocalStack.LocalStackSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * WhatsApp through the running stack and the simulator, driven through the public API: a verification
 * started on WhatsApp is approved with the code the handset got over WhatsApp, and in a country whose
 * fallback order is SMS then WhatsApp, an SMS that is silently dropped is followed after the delivery
 * window by the same code over WhatsApp. Each scenario has its own number.
 */
@Tag("integration")
class WhatsAppThroughTheStackTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Duration STACK_WAIT = Duration.ofSeconds(60);
  /**
   * Short, so the fallback test waits about one window; on a loaded machine a send can take longer than
   * that to be accepted, and the window then closes first (the SMS route goes again, see below).
   */
  private static final Duration WINDOW = Duration.ofSeconds(5);
  /** A send and its receipt through Kafka and the simulator, on a busy machine. */
  private static final Duration DELIVERY_WAIT = Duration.ofSeconds(20);

  @TempDir static Path dataDir;
  private static LocalStack stack;

  @BeforeAll
  static void start() throws Exception {
    LocalStackSettings settings = new LocalStackSettings(dataDir, FreePorts.pick(), FreePorts.pick(), FreePorts.pick(),
        FreePorts.pick(), FreePorts.pick(), FreePorts.pick());
    stack = new LocalStack(settings, Map.of(DispatcherService.NAME, Map.of(
        "relay.verification.delivery-window", WINDOW.toString(),
        // DE texts through Twilio alone, so one silent drop uses up its SMS routes.
        "relay.routing.sms", "DE:twilio;*:twilio,vonage",
        "relay.fallback.channel-order", "DE:sms,whatsapp,voice;*:sms,voice",
        // The stack's default voice fallback is the deprecated key; the order above replaces it.
        "relay.fallback.voice-countries", "")));
    stack.start();
    await().atMost(STACK_WAIT).until(stack::isReady);
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void aVerificationStartedOnWhatsAppIsApprovedWithTheCodeTheHandsetGotThere() throws Exception {
    String number = "+4915198761001";

    HttpResponse<String> started = post(stack.apiUrl() + "/v1/verifications",
        "{\"to\": \"" + number + "\", \"channel\": \"whatsapp\"}");

    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    JsonNode verification = JSON.readTree(started.body());
    assertThat(verification.get("channel").asText()).isEqualTo("whatsapp");
    JsonNode message = awaitInbox(number, 1).get(0);
    assertThat(message.get("channel").asText()).isEqualTo("whatsapp");
    assertThat(message.get("provider").asText()).isEqualTo("twilio");
    assertApprovedWith(verification.get("id").asText(), message.get("code").asText());
    // The vendor's WhatsApp status callbacks come back through dlr-ingest like an SMS's receipts.
    await().atMost(DELIVERY_WAIT).until(() -> !status(verification.get("id").asText()).at("/attempts/0/deliveredAt").isNull());
    JsonNode attempts = status(verification.get("id").asText()).get("attempts");
    assertThat(attempts).hasSize(1);
    assertThat(attempts.get(0).get("channel").asText()).isEqualTo("whatsapp");
    assertThat(attempts.get(0).get("provider").asText()).isEqualTo("twilio");
  }

  @Test
  void aWhatsAppMessageTwilioRefusesGoesOutAtOnceThroughVonagesMessagesApi() throws Exception {
    route("twilio", "FR", "whatsapp", "{\"acceptRate\": 0.0}");
    String number = "+33698761003";

    HttpResponse<String> started = post(stack.apiUrl() + "/v1/verifications",
        "{\"to\": \"" + number + "\", \"channel\": \"whatsapp\"}");

    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    String id = JSON.readTree(started.body()).get("id").asText();
    JsonNode message = awaitInbox(number, 1).get(0);
    assertThat(message.get("channel").asText()).isEqualTo("whatsapp");
    assertThat(message.get("provider").asText()).isEqualTo("vonage");
    assertApprovedWith(id, message.get("code").asText());
    // Vonage's signed WhatsApp status webhooks come back through dlr-ingest too.
    await().atMost(DELIVERY_WAIT).until(() -> !status(id).at("/attempts/0/deliveredAt").isNull());
    JsonNode attempt = status(id).get("attempts").get(0);
    assertThat(attempt.get("provider").asText()).isEqualTo("vonage");
    JsonNode tries = attempt.get("providerTries");
    assertThat(tries).hasSize(2);
    assertThat(tries.get(0).get("provider").asText()).isEqualTo("twilio");
    assertThat(tries.get(0).get("outcome").asText()).isEqualTo("rejected");
    assertThat(tries.get(1).get("provider").asText()).isEqualTo("vonage");
    assertThat(tries.get(1).get("outcome").asText()).isEqualTo("accepted");
  }

  @Test
  void anSmsSilentlyDroppedIsFollowedAfterTheWindowByTheSameCodeOverWhatsApp() throws Exception {
    route("twilio", "DE", "sms", "{\"silentDropRate\": 1.0}");
    String number = "+4915198761002";

    HttpResponse<String> started = post(stack.apiUrl() + "/v1/verifications", "{\"to\": \"" + number + "\"}");

    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    String id = JSON.readTree(started.body()).get("id").asText();
    JsonNode inbox = awaitInbox(number, 1);
    assertThat(inbox).as("the dropped SMS never arrived; only the WhatsApp message did").hasSize(1);
    JsonNode message = inbox.get(0);
    assertThat(message.get("channel").asText()).isEqualTo("whatsapp");
    List<JsonNode> attempts = new ArrayList<>();
    status(id).get("attempts").forEach(attempts::add);
    JsonNode fallback = attempts.get(attempts.size() - 1);
    assertThat(fallback.get("channel").asText()).isEqualTo("whatsapp");
    assertThat(fallback.get("reason").asText()).isEqualTo("channel_fallback");
    // Usually one SMS; two when the window closed before the first was even accepted (a send whose
    // result is late is sent again on its route), never a WhatsApp message before SMS was used up.
    assertThat(attempts.subList(0, attempts.size() - 1)).isNotEmpty()
        .allSatisfy(sms -> assertThat(sms.get("channel").asText()).isEqualTo("sms"));
    // The same code: the one sent over WhatsApp approves, and no second code was ever issued.
    assertApprovedWith(id, message.get("code").asText());
  }

  // ---- helpers ----

  private static void assertApprovedWith(String id, String code) throws Exception {
    HttpResponse<String> check = post(stack.apiUrl() + "/v1/verifications/" + id + "/check", "{\"code\": \"" + code + "\"}");
    assertThat(check.statusCode()).as(check.body()).isEqualTo(200);
    assertThat(JSON.readTree(check.body()).get("status").asText()).isEqualTo("approved");
  }

  private static JsonNode status(String id) throws Exception {
    HttpResponse<String> status = HTTP.send(HttpRequest.newBuilder(URI.create(stack.apiUrl() + "/v1/verifications/" + id))
        .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + stack.apiKey()).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
    return JSON.readTree(status.body());
  }

  private static void route(String provider, String country, String channel, String json) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(stack.simUrl() + "/sim/providers/" + provider
        + "/countries/" + country + "?channel=" + channel)).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  private static JsonNode inbox(String number) throws Exception {
    return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(stack.simUrl() + "/sim/handsets/" + number + "/messages"))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
  }

  /** Waits for the handset's messages: a window for the fallback plus the delivery of each send. */
  private static JsonNode awaitInbox(String number, int messages) throws Exception {
    await().atMost(WINDOW.plus(DELIVERY_WAIT)).until(() -> inbox(number).size() >= messages);
    return inbox(number);
  }

  private static HttpResponse<String> post(String url, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + stack.apiKey())
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
