package dev.relay.failure;

import static dev.relay.failure.StackFixture.freePort;
import static dev.relay.failure.StackFixture.inbox;
import static dev.relay.failure.StackFixture.json;
import static dev.relay.failure.StackFixture.post;
import static dev.relay.failure.StackFixture.postForm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.local.LocalSecrets;
import dev.relay.local.LocalStack;
import dev.relay.local.LocalStack.LocalStackSettings;
import dev.relay.sim.twilio.TwilioSignature;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole stack with its only broker stopped: the API and dlr-ingest answer 503 with Retry-After,
 * quickly, never 500 and never a hang; once the broker is back, every verification the API had
 * acknowledged (201) before the outage is still there and can be approved with the code the handset got.
 */
@Tag("integration")
class BrokerOutageTest {

  /** The produce timeout (5 s) plus slack: an answer later than this is a hang. */
  private static final Duration ANSWER_WITHIN = Duration.ofSeconds(12);
  private static final Duration STACK_WAIT = Duration.ofSeconds(60);
  private static final Duration RECOVERY_WAIT = Duration.ofSeconds(150);

  @TempDir static Path dataDir;
  private static LocalStack stack;

  @BeforeAll
  static void start() throws Exception {
    stack = new LocalStack(new LocalStackSettings(dataDir, freePort(), freePort(), freePort(), freePort(), freePort(),
        freePort()));
    stack.start();
    StackFixture.apiKey = stack.apiKey();
    await().atMost(STACK_WAIT).until(stack::isReady);
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void withTheBrokerDownTheApiAndDlrIngestAnswer503AndNothingAcknowledgedIsLost() throws Exception {
    List<String> numbers = List.of("+4915112340001", "+33612340002", "+31612340003");
    Map<String, String> ids = new LinkedHashMap<>();
    for (String number : numbers) {
      HttpResponse<String> started = post(stack.apiUrl() + "/v1/verifications", "{\"to\": \"" + number + "\"}");
      assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
      ids.put(number, json(started).get("id").asText());
    }
    for (String number : numbers) {
      await().atMost(Duration.ofSeconds(30)).until(() -> inbox(stack.simUrl(), number).size() >= 1);
    }

    stack.kafka().stop();

    long begin = System.nanoTime();
    HttpResponse<String> start = post(stack.apiUrl() + "/v1/verifications", "{\"to\": \"+4915112340009\"}");
    assertUnavailable(start, begin);
    begin = System.nanoTime();
    HttpResponse<String> check = post(stack.apiUrl() + "/v1/verifications/" + ids.get(numbers.get(0)) + "/check",
        "{\"code\": \"123456\"}");
    assertUnavailable(check, begin);
    begin = System.nanoTime();
    assertUnavailable(twilioReceipt("SM00000000000000000000000000000001", numbers.get(0)), begin);

    stack.kafka().start();
    // The services find the broker again on their own; the dispatcher restores its tasks first. Each
    // probe asks for a new number: a start answered 504 may still have been stored, and a second start
    // for its number would answer 200 for that verification, then 429 for the number's limit.
    AtomicInteger probe = new AtomicInteger();
    await().atMost(RECOVERY_WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> post(stack.apiUrl() + "/v1/verifications",
        "{\"to\": \"+49151123410" + String.format("%02d", probe.incrementAndGet()) + "\"}").statusCode() == 201);

    for (String number : numbers) {
      String code = inbox(stack.simUrl(), number).get(0).get("code").asText();
      HttpResponse<String> approved = post(stack.apiUrl() + "/v1/verifications/" + ids.get(number) + "/check",
          "{\"code\": \"" + code + "\"}");
      assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
      assertThat(json(approved).get("status").asText()).as("the verification of %s", number).isEqualTo("approved");
    }
  }

  private static void assertUnavailable(HttpResponse<String> response, long beginNanos) throws Exception {
    Duration took = Duration.ofNanos(System.nanoTime() - beginNanos);
    assertThat(took).as("answered in time").isLessThan(ANSWER_WITHIN);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
    assertThat(response.headers().firstValue("Retry-After")).as("Retry-After").isPresent();
    assertThat(Long.parseLong(response.headers().firstValue("Retry-After").orElseThrow())).isPositive();
    assertThat(json(response).get("error").asText()).isNotBlank();
  }

  /** A Twilio status callback, signed as Twilio signs it for the URL dlr-ingest publishes. */
  private static HttpResponse<String> twilioReceipt(String sid, String to) throws Exception {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("AccountSid", LocalSecrets.loadOrCreate(dataDir).get("twilio-account-sid"));
    form.put("MessageSid", sid);
    form.put("SmsSid", sid);
    form.put("MessageStatus", "delivered");
    form.put("SmsStatus", "delivered");
    form.put("To", to);
    form.put("From", "+15005550006");
    form.put("ApiVersion", "2010-04-01");
    String url = stack.dlrUrl() + "/dlr/twilio";
    String signature = TwilioSignature.sign(LocalSecrets.loadOrCreate(dataDir).get("twilio-auth-token"), url, form);
    String body = form.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    return postForm(url, body, TwilioSignature.HEADER, signature);
  }
}
