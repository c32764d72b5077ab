package dev.relay.sim.twilio;

import static dev.relay.sim.SimFixture.ACCOUNT_SID;
import static dev.relay.sim.SimFixture.json;
import static dev.relay.sim.SimFixture.params;
import static dev.relay.sim.twilio.TwilioMessagesTest.assertSignedAsTwilio;
import static dev.relay.sim.twilio.TwilioMessagesTest.assertTwilioError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.twilio.security.RequestValidator;
import dev.relay.sim.ReceiptReceiver;
import dev.relay.sim.ReceiptReceiver.Received;
import dev.relay.sim.SimFixture;
import dev.relay.sim.TestNumbers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Twilio Voice as the simulator speaks it: the handset hears the {@code <Say>} text of the call. */
class TwilioCallsTest {

  private static final String FROM = "+15017122661";
  private static final String TWIML =
      "<Response><Say voice=\"alice\">Your Relay code is 4, 8, 2, 9, 1, 3.</Say><Pause length=\"1\"/>"
          + "<Say>Again: 4, 8, 2, 9, 1, 3.</Say></Response>";
  private static final Duration QUIET_PERIOD = Duration.ofMillis(400);

  private static SimFixture sim;
  private static ReceiptReceiver receiver;
  private String number;

  @BeforeAll
  static void start() throws Exception {
    receiver = new ReceiptReceiver();
    sim = SimFixture.start();
  }

  @AfterAll
  static void stop() {
    sim.close();
    receiver.close();
  }

  @BeforeEach
  void healthyRoutes() {
    sim.service.routes().resetAll();
    number = TestNumbers.german();
  }

  @Test
  void aCallWithInlineTwimlIsHeardByTheHandsetAndReportedCompleted() {
    String callback = receiver.url("/cb/calls");
    HttpResponse<String> response = sim.postTwilio(sim.twilioCallsUrl(),
        params("To", number, "From", FROM, "Twiml", TWIML, "StatusCallback", callback));

    assertThat(response.statusCode()).isEqualTo(201);
    JsonNode call = json(response);
    String sid = call.get("sid").asText();
    assertThat(sid).matches("CA[0-9a-f]{32}");
    assertThat(call.get("status").asText()).isEqualTo("queued");
    assertThat(call.get("to").asText()).isEqualTo(number);
    assertThat(call.get("from").asText()).isEqualTo(FROM);
    assertThat(call.get("direction").asText()).isEqualTo("outbound-api");
    assertThat(call.get("account_sid").asText()).isEqualTo(ACCOUNT_SID);
    assertThat(call.get("uri").asText()).isEqualTo("/2010-04-01/Accounts/" + ACCOUNT_SID + "/Calls/" + sid + ".json");
    assertThat(call.has("duration")).isTrue();
    assertThat(call.get("price").isNull()).isTrue();

    await().atMost(Duration.ofSeconds(5)).until(() -> callbacksFor(sid).size() == 1);
    Received completed = callbacksFor(sid).get(0);
    assertSignedAsTwilio(completed, callback);
    assertThat(completed.params()).containsEntry("CallStatus", "completed").containsEntry("To", number)
        .containsEntry("From", FROM).containsEntry("AccountSid", ACCOUNT_SID).containsEntry("Direction", "outbound-api")
        .containsEntry("ApiVersion", "2010-04-01").containsKey("CallDuration").doesNotContainKey("SipResponseCode");

    JsonNode inbox = sim.inbox(number);
    assertThat(inbox).hasSize(1);
    assertThat(inbox.get(0).get("channel").asText()).isEqualTo("voice");
    assertThat(inbox.get(0).get("provider").asText()).isEqualTo("twilio");
    assertThat(inbox.get(0).get("text").asText())
        .isEqualTo("Your Relay code is 4, 8, 2, 9, 1, 3. Again: 4, 8, 2, 9, 1, 3.");
    assertThat(inbox.get(0).get("code").asText()).isEqualTo("482913");
    assertThat(json(sim.getTwilio(callUrl(sid))).get("status").asText()).isEqualTo("completed");
  }

  @Test
  void aCallWithAUrlFetchesItsTwimlWithASignedRequest() {
    String app = receiver.url("/twiml/otp?lang=en");
    receiver.serve("/twiml/otp", TWIML);
    String sid = json(sim.postTwilio(sim.twilioCallsUrl(), params("To", number, "From", FROM, "Url", app)))
        .get("sid").asText();

    await().atMost(Duration.ofSeconds(5)).until(() -> sim.inbox(number).size() == 1);
    List<Received> fetches = receiver.receivedAt("/twiml/otp");
    assertThat(fetches).hasSize(1);
    assertThat(fetches.get(0).method()).isEqualTo("POST");
    assertThat(fetches.get(0).params()).containsEntry("CallSid", sid).containsEntry("CallStatus", "in-progress")
        .containsEntry("To", number);
    assertSignedAsTwilio(fetches.get(0), app);
    assertThat(sim.inbox(number).get(0).get("code").asText()).isEqualTo("482913");
  }

  @Test
  void anUnansweredCallIsReportedWithItsStatusAndHeardByNobody() {
    sim.put("/sim/providers/twilio/countries/DE?channel=voice", "{\"deliveryRate\": 0, \"deliveryErrorCode\": 486}");
    String sid = json(sim.postTwilio(sim.twilioCallsUrl(),
        params("To", number, "From", FROM, "Twiml", TWIML, "StatusCallback", receiver.url("/cb/calls"))))
        .get("sid").asText();

    await().atMost(Duration.ofSeconds(5)).until(() -> callbacksFor(sid).size() == 1);
    assertThat(callbacksFor(sid).get(0).params()).containsEntry("CallStatus", "busy").containsEntry("SipResponseCode", "486");
    assertThat(json(sim.getTwilio(callUrl(sid))).get("status").asText()).isEqualTo("busy");
    assertThat(sim.inbox(number)).isEmpty();
  }

  @Test
  void voiceRoutesAreSetApartFromSmsRoutes() {
    sim.put("/sim/providers/twilio/countries/DE", "{\"acceptRate\": 0}");
    assertThat(sim.postTwilio(sim.twilioCallsUrl(), params("To", number, "From", FROM, "Twiml", TWIML)).statusCode())
        .isEqualTo(201);

    sim.put("/sim/providers/twilio/countries/DE?channel=voice", "{\"acceptRate\": 0}");
    HttpResponse<String> rejected = sim.postTwilio(sim.twilioCallsUrl(), params("To", number, "From", FROM, "Twiml", TWIML));
    assertTwilioError(rejected, 21215, 400);
    assertThat(json(rejected).get("message").asText()).startsWith("Account not authorized to call " + number);
  }

  @Test
  void refusesBadCallRequestsWithTwiliosCodes() {
    assertTwilioError(sim.postTwilio(sim.twilioCallsUrl(), params("From", FROM, "Twiml", TWIML)), 21201, 400);
    assertTwilioError(sim.postTwilio(sim.twilioCallsUrl(), params("To", number, "Twiml", TWIML)), 21213, 400);
    assertTwilioError(sim.postTwilio(sim.twilioCallsUrl(), params("To", number, "From", FROM)), 21205, 400);
    assertTwilioError(sim.postTwilio(sim.twilioCallsUrl(), params("To", number, "From", FROM, "Url", "ftp://x/y")),
        21205, 400);
    assertTwilioError(sim.postTwilio(sim.twilioCallsUrl(), params("To", "12345", "From", FROM, "Twiml", TWIML)),
        21211, 400);
    assertTwilioError(sim.postTwilio(sim.twilioCallsUrl(),
        params("To", number, "From", FROM, "Twiml", TWIML, "StatusCallbackMethod", "PUT")), 21200, 400);
    assertTwilioError(sim.postForm(sim.twilioCallsUrl(), null, params("To", number, "From", FROM, "Twiml", TWIML)),
        20003, 401);
  }

  @Test
  void unparseableTwimlIsAcceptedButSaysNothing() {
    String sid = json(sim.postTwilio(sim.twilioCallsUrl(),
        params("To", number, "From", FROM, "Twiml", "<Response><Say>unclosed", "StatusCallback", receiver.url("/cb/calls"))))
        .get("sid").asText();

    await().atMost(Duration.ofSeconds(5)).until(() -> callbacksFor(sid).size() == 1);
    assertThat(callbacksFor(sid).get(0).params()).containsEntry("CallStatus", "completed");
    await().during(QUIET_PERIOD).atMost(QUIET_PERIOD.multipliedBy(3)).until(() -> sim.inbox(number).isEmpty());
  }

  @Test
  void aStatusCallbackByGetIsSignedOverTheFullUrl() {
    String callback = receiver.url("/cb/calls-get");
    String sid = json(sim.postTwilio(sim.twilioCallsUrl(),
        params("To", number, "From", FROM, "Twiml", TWIML, "StatusCallback", callback, "StatusCallbackMethod", "GET")))
        .get("sid").asText();

    await().atMost(Duration.ofSeconds(5)).until(() -> receiver.receivedAt("/cb/calls-get").size() == 1);
    Received received = receiver.receivedAt("/cb/calls-get").get(0);
    assertThat(received.method()).isEqualTo("GET");
    assertThat(received.params()).containsEntry("CallSid", sid).containsEntry("CallStatus", "completed");
    String fullUrl = callback + "?" + received.rawQuery();
    assertThat(new RequestValidator(SimFixture.AUTH_TOKEN)
        .validate(fullUrl, Map.of(), received.header(TwilioSignature.HEADER))).isTrue();
  }

  private static List<Received> callbacksFor(String sid) {
    return receiver.received().stream()
        .filter(received -> received.path().startsWith("/cb/") && sid.equals(received.params().get("CallSid")))
        .toList();
  }

  private String callUrl(String sid) {
    return sim.url("/2010-04-01/Accounts/" + ACCOUNT_SID + "/Calls/" + sid + ".json");
  }
}
