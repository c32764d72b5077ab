package dev.relay.sim.twilio;

import static dev.relay.sim.SimFixture.json;
import static dev.relay.sim.SimFixture.params;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.sim.ReceiptReceiver;
import dev.relay.sim.ReceiptReceiver.Received;
import dev.relay.sim.SimFixture;
import dev.relay.sim.TestNumbers;
import dev.relay.sim.config.SimConfig;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** WhatsApp through the simulated Twilio Messages resource, checked from the adapter's side of the wire. */
class TwilioWhatsAppMessagesTest {

  private static final String TEMPLATE = "HX0123456789abcdef0123456789abcdef";

  private static SimFixture sim;
  private static ReceiptReceiver receiver;

  @BeforeAll
  static void start() throws Exception {
    receiver = new ReceiptReceiver();
    sim = SimFixture.start(Map.of(SimConfig.DLR_URL.name(), receiver.baseUrl()));
  }

  @AfterAll
  static void stop() {
    sim.close();
    receiver.close();
  }

  private static List<Map<String, String>> statuses(String sid, int atLeast) {
    return await().atMost(Duration.ofSeconds(10)).until(() -> receiver.receivedAt("/dlr/twilio").stream()
        .map(Received::params).filter(params -> sid.equals(params.get("MessageSid"))).toList(), list -> list.size() >= atLeast);
  }

  @Test
  void rendersTheTemplateWithTheCodeAndReportsSentDeliveredReadWithWhatsAppAddresses() {
    String number = TestNumbers.german();

    HttpResponse<String> response = sim.postTwilio(sim.twilioMessagesUrl(), params("To", "whatsapp:" + number,
        "From", "whatsapp:+14155238886", "ContentSid", TEMPLATE, "ContentVariables", "{\"1\":\"482913\"}"));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    assertThat(json(response).path("to").asText()).isEqualTo("whatsapp:" + number);
    List<Map<String, String>> statuses = statuses(json(response).path("sid").asText(), 3);
    assertThat(statuses).extracting(params -> params.get("MessageStatus")).containsExactly("sent", "delivered", "read");
    assertThat(statuses).allSatisfy(params -> {
      assertThat(params.get("To")).isEqualTo("whatsapp:" + number);
      assertThat(params.get("ChannelPrefix")).isEqualTo("whatsapp");
    });
    assertThat(sim.inbox(number).get(0).path("channel").asText()).isEqualTo("whatsapp");
    assertThat(sim.inbox(number).get(0).path("code").asText()).isEqualTo("482913");
  }

  @Test
  void aUserWithoutWhatsAppFailsWith63003() {
    String number = TestNumbers.german();
    sim.service.whatsAppUsers().set(number, false);

    HttpResponse<String> response = sim.postTwilio(sim.twilioMessagesUrl(), params("To", "whatsapp:" + number,
        "From", "whatsapp:+14155238886", "ContentSid", TEMPLATE, "ContentVariables", "{\"1\":\"482913\"}"));

    assertThat(response.statusCode()).isEqualTo(201);
    Map<String, String> failed = statuses(json(response).path("sid").asText(), 1).get(0);
    assertThat(failed.get("MessageStatus")).isEqualTo("failed");
    assertThat(failed.get("ErrorCode")).isEqualTo("63003");
    assertThat(sim.inbox(number)).isEmpty();
  }

  @Test
  void refusesWhatTwilioRefuses() {
    String to = "whatsapp:" + TestNumbers.german();
    HttpResponse<String> badSid = sim.postTwilio(sim.twilioMessagesUrl(), params("To", to,
        "From", "whatsapp:+14155238886", "ContentSid", "HXnot-a-sid"));
    HttpResponse<String> badVariables = sim.postTwilio(sim.twilioMessagesUrl(), params("To", to,
        "From", "whatsapp:+14155238886", "ContentSid", TEMPLATE, "ContentVariables", "[1]"));
    HttpResponse<String> mixedChannels = sim.postTwilio(sim.twilioMessagesUrl(), params("To", to,
        "From", "+14155238886", "ContentSid", TEMPLATE));

    assertThat(badSid.statusCode()).isEqualTo(400);
    assertThat(json(badSid).path("code").asInt()).isEqualTo(21655);
    assertThat(json(badVariables).path("code").asInt()).isEqualTo(21656);
    assertThat(json(mixedChannels).path("code").asInt()).isEqualTo(21910);
  }
}
