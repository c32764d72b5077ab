package dev.relay.sim;

import static dev.relay.sim.SimFixture.API_KEY;
import static dev.relay.sim.SimFixture.API_SECRET;
import static dev.relay.sim.SimFixture.params;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.relay.sim.config.SimConfig;
import dev.relay.support.phone.PhoneNumbers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.slf4j.LoggerFactory;

/**
 * Whatever goes wrong with receipts, the simulator's logs show neither a code nor a full phone number.
 * Isolated: it captures the simulator's logger, which other classes running beside it would write to.
 */
@Isolated
class LogHygieneTest {

  private static final String CODE = "482913";

  @Test
  void receiptsRefusedOrUnreachableAreLoggedWithoutCodesOrNumbers() throws Exception {
    Logger simLogger = (Logger) LoggerFactory.getLogger("dev.relay.sim");
    Level before = simLogger.getLevel();
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    simLogger.addAppender(logs);
    simLogger.setLevel(Level.DEBUG);
    String number = TestNumbers.german();
    try (ReceiptReceiver refusing = new ReceiptReceiver();
         SimFixture sim = SimFixture.start(Map.of(SimConfig.VONAGE_DLR_METHOD.name(), "GET"))) {
      refusing.answerWith(401);
      String unreachable = "http://127.0.0.1:1/dlr";
      sim.postTwilio(sim.twilioMessagesUrl(), params("To", number, "From", "+15017122661",
          "Body", "Your code is " + CODE, "StatusCallback", refusing.url("/dlr/twilio")));
      sim.postForm(sim.url("/sms/json"), null, params("api_key", API_KEY, "api_secret", API_SECRET, "from", "Relay",
          "to", number.substring(1), "text", "Your code is " + CODE, "callback", refusing.url("/dlr/vonage")));
      sim.postForm(sim.url("/sms/json"), null, params("api_key", API_KEY, "api_secret", API_SECRET, "from", "Relay",
          "to", number.substring(1), "text", "Your code is " + CODE, "callback", unreachable));
      sim.postForm(sim.plivoMessagesUrl(), SimFixture.basic(SimFixture.PLIVO_AUTH_ID, SimFixture.PLIVO_AUTH_TOKEN),
          params("src", "Relay", "dst", number.substring(1), "text", "Your code is " + CODE,
              "url", refusing.url("/dlr/plivo?ref=VEabc-1")));
      sim.postTwilio(sim.twilioCallsUrl(), params("To", number, "From", "+15017122661",
          "Twiml", "<Response><Say>" + CODE + "</Say>", "StatusCallback", refusing.url("/dlr/twilio")));

      await().atMost(Duration.ofSeconds(10)).until(() -> messages(logs).stream().filter(line -> line.contains("receipt"))
          .count() >= 3
          && messages(logs).stream().anyMatch(line -> line.startsWith("plivo receipt refused")));
    } finally {
      simLogger.detachAppender(logs);
      simLogger.setLevel(before);
    }

    List<String> lines = messages(logs);
    assertThat(lines).anySatisfy(line -> assertThat(line).contains(PhoneNumbers.mask(number)));
    assertThat(lines).allSatisfy(line -> assertThat(line).doesNotContain(CODE).doesNotContain(number.substring(1)));
  }

  private static List<String> messages(ListAppender<ILoggingEvent> logs) {
    // The simulator's threads append while the test reads: AppenderBase appends under the appender's lock.
    List<ILoggingEvent> events;
    synchronized (logs) {
      events = List.copyOf(logs.list);
    }
    return events.stream().map(event -> event.getFormattedMessage()
        + (event.getThrowableProxy() == null ? "" : event.getThrowableProxy().getMessage())).toList();
  }
}
