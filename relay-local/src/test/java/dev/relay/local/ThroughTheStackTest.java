package dev.relay.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.dispatcher.DispatcherService;
import dev.relay.dlr.DlrIngestService;
import dev.relay.kafka.embedded.FreePorts;
import dev.relay.local.LocalStack.LocalStackSettings;
import dev.relay.schemas.DeliveryReceipt;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.SendOutcome;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.topics.Topics;
import dev.relay.scoring.ScoringService;
import dev.relay.support.polling.ReceiptPollKeys;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failover and receipts proved through the running stack and the simulator, driven through the
 * public API and the simulator's admin API: fast failover on rejection, slow failover with the same
 * code after the delivery window, delivery state by polling when a vendor's callbacks are lost,
 * duplicated and early receipts counted once, and no issued code anywhere on disk or in any topic.
 * Each scenario uses its own country, so the simulator's route settings of one cannot touch another.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Tag("integration")
class ThroughTheStackTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Duration STACK_WAIT = Duration.ofSeconds(60);
  private static final Duration WINDOW = Duration.ofSeconds(4);
  private static final Pattern DIGITS = Pattern.compile("\\d{4,10}");

  @TempDir static Path dataDir;
  private static LocalStack stack;
  private static LocalSecrets secrets;
  private static final Topics TOPICS = Topics.defaults();
  /** Every code the handsets received in this run, for the final scan. */
  private static final Set<String> ISSUED = new LinkedHashSet<>();
  private static final Set<String> NUMBERS = new LinkedHashSet<>();

  @BeforeAll
  static void start() throws IOException {
    LocalStackSettings settings = new LocalStackSettings(dataDir, freePort(), freePort(), freePort(), freePort(), freePort(), freePort());
    Map<String, Map<String, String>> overrides = Map.of(
        DispatcherService.NAME, Map.of(
            "relay.verification.delivery-window", WINDOW.toString(),
            // Spain goes through Twilio alone, so its receipts have one route to be counted on; Italy
            // through Plivo alone, which no default route names.
            "relay.routing.sms", "ES:twilio;IT:plivo;*:twilio,vonage",
            // Every start comes from this one test client: above the default 5 a minute per IP.
            "relay.limits.per-ip", "50/1m,200/1h",
            // The dispatcher asks for a status poll of a send without a final receipt, dlr-ingest looks it up.
            ReceiptPollKeys.ENABLED.name(), "true",
            ReceiptPollKeys.AFTER.name(), "500ms",
            ReceiptPollKeys.INTERVAL.name(), "1s"),
        DlrIngestService.NAME, Map.of(ReceiptPollKeys.ENABLED.name(), "true"),
        ScoringService.NAME, Map.of("relay.scoring.emit-interval", "500ms"));
    stack = new LocalStack(settings, overrides);
    stack.start();
    await().atMost(STACK_WAIT).until(stack::isReady);
    secrets = LocalSecrets.loadOrCreate(dataDir);
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  @Order(1)
  void aProviderRejectingACountryFailsOverToTheNextWithinTheSameSecond() throws Exception {
    route("twilio", "DE", "{\"acceptRate\": 0.0}");
    String number = "+4915198760001";

    String id = JSON.readTree(start(number).body()).get("id").asText();

    JsonNode message = awaitInbox(number, 1).get(0);
    assertThat(message.get("provider").asText()).isEqualTo("vonage");
    ISSUED.add(message.get("code").asText());
    List<SendResult> results = read(TOPICS.sendResults.name(), TOPICS.sendResults.valueSerde().deserializer(),
        SendResult::getTo, number, found -> found.size() >= 2);
    assertThat(results).extracting(SendResult::getProvider, SendResult::getOutcome, SendResult::getErrorCategory)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("twilio", SendOutcome.REJECTED, ErrorCategory.NO_ROUTE),
            org.assertj.core.groups.Tuple.tuple("vonage", SendOutcome.ACCEPTED, ErrorCategory.NONE));
    assertThat(results.get(1).getAttempt()).isEqualTo(results.get(0).getAttempt());
    // The failover itself (rejection answered -> next route tried) is immediate, not a round trip through Kafka.
    Duration failover = Duration.between(results.get(0).getCompletedAt(), results.get(1).getStartedAt());
    Duration whole = Duration.between(results.get(0).getStartedAt(), results.get(1).getCompletedAt());
    System.out.printf("fast failover: %d ms from the rejection to the next try, %d ms for both tries%n",
        failover.toMillis(), whole.toMillis());
    assertThat(failover).isLessThan(Duration.ofSeconds(1));
    assertThat(results.get(1).getStartedAt().getEpochSecond() - results.get(0).getCompletedAt().getEpochSecond()).isLessThanOrEqualTo(1);

    // Both tries on the record (issue 15): the status read shows the rejected one with Twilio's code,
    // Relay's category and the time it cost, then the accepted one, as the sender reported them.
    JsonNode tries = await().atMost(Duration.ofSeconds(30)).until(() -> onlyAttempt(id).get("providerTries"),
        found -> found != null && found.size() == 2);
    assertThat(onlyAttempt(id).get("provider").asText()).isEqualTo("vonage");
    for (int i = 0; i < 2; i++) {
      SendResult result = results.get(i);
      JsonNode oneTry = tries.get(i);
      assertThat(oneTry.get("tryIndex").asInt()).isEqualTo(i);
      assertThat(oneTry.get("provider").asText()).isEqualTo(result.getProvider());
      assertThat(oneTry.get("channel").asText()).isEqualTo("sms");
      assertThat(oneTry.get("routingReason").asText()).isEqualTo("table");
      assertThat(Instant.parse(oneTry.get("startedAt").asText())).isEqualTo(result.getStartedAt());
      assertThat(Instant.parse(oneTry.get("completedAt").asText())).isEqualTo(result.getCompletedAt());
      assertThat(oneTry.get("priceMicros").isNull() ? null : oneTry.get("priceMicros").asLong()).isEqualTo(result.getPriceMicros());
    }
    assertThat(tries.get(0).get("reason").asText()).isEqualTo("initial");
    assertThat(tries.get(0).get("outcome").asText()).isEqualTo("rejected");
    assertThat(tries.get(0).get("errorCategory").asText()).isEqualTo("no_route");
    assertThat(results.get(0).getVendorCode()).as("Twilio's own error code").isNotBlank();
    assertThat(tries.get(0).get("vendorCode").asText()).isEqualTo(results.get(0).getVendorCode());
    assertThat(tries.get(1).get("reason").asText()).as("tried because the route before it rejected").isEqualTo("rejection");
    assertThat(tries.get(1).get("outcome").asText()).isEqualTo("accepted");
    assertThat(tries.get(1).get("errorCategory").isNull()).isTrue();
    assertThat(tries.get(1).get("vendorCode").isNull()).isTrue();
  }

  @Test
  @Order(2)
  void aProviderThatAcceptsButNeverDeliversIsFollowedAfterTheWindowByTheSameCodeThroughTheNext() throws Exception {
    route("twilio", "FR", "{\"silentDropRate\": 1.0}");
    String number = "+33698760002";

    start(number);

    JsonNode message = awaitInbox(number, 1).get(0);
    assertThat(message.get("provider").asText()).isEqualTo("vonage");
    List<SendResult> results = read(TOPICS.sendResults.name(), TOPICS.sendResults.valueSerde().deserializer(),
        SendResult::getTo, number, found -> found.size() >= 2);
    assertThat(results).extracting(SendResult::getProvider).containsExactly("twilio", "vonage");
    assertThat(results).extracting(SendResult::getOutcome).containsOnly(SendOutcome.ACCEPTED);
    Duration waited = Duration.between(results.get(0).getCompletedAt(), results.get(1).getStartedAt());
    System.out.printf("slow failover: next route tried %d ms after the silent provider accepted (window %s)%n",
        waited.toMillis(), WINDOW);
    // Not before the window closes, and not a window late: the deadline index is read every 200 ms
    // (relay.streams.punctuate-interval), and the rest of a window is slack for a busy machine.
    assertThat(waited).isGreaterThanOrEqualTo(WINDOW.minusMillis(300)).isLessThanOrEqualTo(WINDOW.multipliedBy(2));
    // What Twilio was asked to deliver, from its own message resource: the same code the handset got from Vonage.
    String dropped = twilioMessageBody(results.get(0).getProviderMessageId());
    assertThat(codeIn(dropped)).isEqualTo(message.get("code").asText());
    ISSUED.add(message.get("code").asText());
  }

  @Test
  @Order(3)
  void withTwiliosReceiptsLostDeliveryStateStillArrivesThroughPolling() throws Exception {
    route("twilio", "GB", "{\"receiptLossRate\": 1.0}");
    String number = "+447911123456";

    start(number);

    JsonNode message = awaitInbox(number, 1).get(0);
    assertThat(message.get("provider").asText()).isEqualTo("twilio");
    ISSUED.add(message.get("code").asText());
    String messageId = message.get("messageId").asText().toLowerCase();
    List<DeliveryReceipt> receipts = read(TOPICS.deliveryReceipts.name(), TOPICS.deliveryReceipts.valueSerde().deserializer(),
        DeliveryReceipt::getTo, number, found -> found.stream().anyMatch(DeliveryReceipt::getFinalStatus));
    assertThat(receipts).filteredOn(DeliveryReceipt::getFinalStatus).first().satisfies(receipt -> {
      assertThat(receipt.getProviderMessageId()).isEqualTo(messageId);
      assertThat(receipt.getStatus()).isEqualTo(DeliveryStatus.DELIVERED);
      assertThat(receipt.getIdempotencyKey()).isNotBlank();
    });
    // Delivered is known, so the window passes without a failover: one message, one send.
    await().during(WINDOW.plusSeconds(1)).atMost(WINDOW.plusSeconds(5)).until(() -> inbox(number).size() == 1);
    assertThat(read(TOPICS.sendResults.name(), TOPICS.sendResults.valueSerde().deserializer(), SendResult::getTo, number,
        found -> !found.isEmpty())).hasSize(1);
  }

  @Test
  @Order(4)
  void duplicatedAndEarlyReceiptsAreCountedOnce() throws Exception {
    // Twilio answers the send after 1 s but delivers after 50 ms: its receipts outrun the send result.
    route("twilio", "ES", "{\"latency\": \"PT1S\", \"receiptDelay\": \"PT0.05S\"}");
    String number = "+34698760004";

    start(number);

    JsonNode message = awaitInbox(number, 1).get(0);
    ISSUED.add(message.get("code").asText());
    String sid = message.get("messageId").asText();
    SendResult sent = read(TOPICS.sendResults.name(), TOPICS.sendResults.valueSerde().deserializer(),
        SendResult::getTo, number, found -> !found.isEmpty()).get(0);
    // The vendor's retry: the same signed DELIVERED callback, twice more.
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> posted = postTwilioReceipt(sid, number, sent.getIdempotencyKey(), "delivered");
      assertThat(posted.statusCode()).as(posted.body()).isEqualTo(204);
    }

    List<DeliveryReceipt> delivered = read(TOPICS.deliveryReceipts.name(), TOPICS.deliveryReceipts.valueSerde().deserializer(),
        DeliveryReceipt::getTo, number, found -> found.stream().filter(r -> r.getStatus() == DeliveryStatus.DELIVERED).count() >= 3)
        .stream().filter(r -> r.getStatus() == DeliveryStatus.DELIVERED).toList();
    assertThat(delivered).extracting(DeliveryReceipt::getReceiptId).containsOnly(delivered.get(0).getReceiptId());
    assertThat(delivered.get(0).getReceivedAt()).as("the simulator's receipt came before the send result")
        .isBefore(sent.getCompletedAt());

    String route = "twilio|ES|SMS";
    await().atMost(Duration.ofSeconds(30)).until(() -> latestScore(route) != null && latestScore(route).getDelivered() >= 1);
    // Later emissions still count one delivery.
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(6)).until(() -> latestScore(route).getDelivered() == 1);
    assertThat(latestScore(route).getAccepted()).isEqualTo(1);
  }

  @Test
  @Order(4)
  void replayedAndOutOfOrderReceiptsNeverUndoADeliveryNorCountTwice() throws Exception {
    // Portugal takes the default route, Twilio first, on a healthy simulated route: its own receipts come
    // first, then the test plays a vendor that retries, reorders and contradicts itself.
    String number = "+351912345006";
    String id = JSON.readTree(start(number).body()).get("id").asText();
    JsonNode message = awaitInbox(number, 1).get(0);
    String code = message.get("code").asText();
    ISSUED.add(code);
    String sid = message.get("messageId").asText();
    assertThat(message.get("provider").asText()).isEqualTo("twilio");
    SendResult sent = read(TOPICS.sendResults.name(), TOPICS.sendResults.valueSerde().deserializer(),
        SendResult::getTo, number, found -> !found.isEmpty()).get(0);
    await().atMost(Duration.ofSeconds(30)).until(() -> "delivered".equals(onlyAttempt(id).get("outcome").asText()));
    int simulated = receiptsOf(number).size();

    // Out of order: 'sent' and 'queued' after 'delivered'; contradicting: 'failed' and 'undelivered' after
    // it; replayed: 'delivered' again. Then the code is checked, and the vendor replays once more.
    List<String> late = List.of("sent", "queued", "failed", "delivered", "undelivered");
    for (String status : late) {
      HttpResponse<String> posted = postTwilioReceipt(sid, number, sent.getIdempotencyKey(), status);
      assertThat(posted.statusCode()).as("%s: %s", status, posted.body()).isEqualTo(204);
    }
    // 'sent' and 'queued' are answered but not stored (intermediate): the three final ones are.
    int lateFinals = 3;
    read(TOPICS.deliveryReceipts.name(), TOPICS.deliveryReceipts.valueSerde().deserializer(),
        DeliveryReceipt::getTo, number, found -> found.size() >= simulated + lateFinals);
    HttpResponse<String> checked = post(stack.apiUrl() + "/v1/verifications/" + id + "/check", "{\"code\": \"" + code + "\"}");
    assertThat(JSON.readTree(checked.body()).get("status").asText()).as(checked.body()).isEqualTo("approved");
    for (String status : List.of("delivered", "failed")) {
      assertThat(postTwilioReceipt(sid, number, sent.getIdempotencyKey(), status).statusCode()).isEqualTo(204);
    }
    read(TOPICS.deliveryReceipts.name(), TOPICS.deliveryReceipts.valueSerde().deserializer(),
        DeliveryReceipt::getTo, number, found -> found.size() >= simulated + lateFinals + 2);

    // One attempt, delivered, approved; no failover for the late 'failed'.
    JsonNode status = JSON.readTree(get(stack.apiUrl() + "/v1/verifications/" + id).body());
    assertThat(status.get("status").asText()).isEqualTo("approved");
    assertThat(onlyAttempt(id).get("outcome").asText()).isEqualTo("delivered");
    assertThat(inbox(number)).as("no second message").hasSize(1);

    // Scores and metrics count the message once, as delivered, and keep doing so.
    String route = "twilio|PT|SMS";
    await().atMost(Duration.ofSeconds(30)).until(() -> latestScore(route) != null && latestScore(route).getDelivered() >= 1);
    int dispatcherPort = stack.settings().dispatcherPort();
    Map<String, String> portugal = Map.of("provider", "twilio", "country", "PT", "channel", "sms");
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(8)).untilAsserted(() -> {
      ProviderScore score = latestScore(route);
      assertThat(score.getAccepted()).isEqualTo(1);
      assertThat(score.getDelivered()).isEqualTo(1);
      assertThat(score.getUndelivered()).isZero();
      String metrics = get("http://localhost:" + dispatcherPort + "/metrics").body();
      assertThat(ObservabilityEndToEndTest.sum(metrics, "relay_delivery_outcomes_total", portugal)).isEqualTo(1);
      assertThat(ObservabilityEndToEndTest.sum(metrics, "relay_delivery_outcomes_total",
          Map.of("country", "PT", "status", "delivered"))).isEqualTo(1);
      assertThat(ObservabilityEndToEndTest.sum(metrics, "relay_delivery_time_seconds_count", portugal)).isEqualTo(1);
      assertThat(ObservabilityEndToEndTest.sum(metrics, "relay_failovers_total", Map.of("country", "PT"))).isZero();
    });
  }

  @Test
  @Order(5)
  void aCountryRoutedToPlivoIsDeliveredThroughItAndItsSignedReceiptIsAccepted() throws Exception {
    String number = "+393471234005";

    start(number);

    JsonNode message = awaitInbox(number, 1).get(0);
    assertThat(message.get("provider").asText()).isEqualTo("plivo");
    ISSUED.add(message.get("code").asText());
    SendResult sent = read(TOPICS.sendResults.name(), TOPICS.sendResults.valueSerde().deserializer(),
        SendResult::getTo, number, found -> !found.isEmpty()).get(0);
    assertThat(sent.getProvider()).isEqualTo("plivo");
    assertThat(sent.getOutcome()).isEqualTo(SendOutcome.ACCEPTED);
    // dlr-ingest took the simulator's callback: its X-Plivo-Signature-V2 matched the shared auth token.
    DeliveryReceipt receipt = read(TOPICS.deliveryReceipts.name(), TOPICS.deliveryReceipts.valueSerde().deserializer(),
        DeliveryReceipt::getTo, number, found -> found.stream().anyMatch(DeliveryReceipt::getFinalStatus)).stream()
        .filter(DeliveryReceipt::getFinalStatus).findFirst().orElseThrow();
    assertThat(receipt.getProvider()).isEqualTo("plivo");
    assertThat(receipt.getStatus()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(receipt.getProviderMessageId()).isEqualTo(message.get("messageId").asText());
    assertThat(receipt.getIdempotencyKey()).isEqualTo(sent.getIdempotencyKey());
  }

  @Test
  @Order(6)
  void noIssuedCodeIsInAnyTopicOrOnDisk() throws Exception {
    // Six codes of its own, approved through the check endpoint, whichever tests ran before; a code that
    // happens to be part of a number we used would be found for the wrong reason, so it does not count.
    List<String> codes = new ArrayList<>();
    for (int i = 0; codes.size() < 6 && i < 20; i++) {
      String number = "+4915198761" + String.format("%03d", i);
      String id = JSON.readTree(start(number).body()).get("id").asText();
      String code = awaitInbox(number, 1).get(0).get("code").asText();
      ISSUED.add(code);
      HttpResponse<String> check = post(stack.apiUrl() + "/v1/verifications/" + id + "/check", "{\"code\": \"" + code + "\"}");
      assertThat(JSON.readTree(check.body()).get("status").asText()).isEqualTo("approved");
      if (NUMBERS.stream().noneMatch(used -> used.contains(code))) {
        codes.add(code);
      }
    }
    assertThat(codes).hasSizeGreaterThanOrEqualTo(6);
    // Scanned for: these and the codes the other tests issued.
    List<String> scanned = ISSUED.stream().filter(code -> NUMBERS.stream().noneMatch(used -> used.contains(code))).toList();

    List<String> topics;
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
      topics = List.copyOf(admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get());
    }
    assertThat(topics).contains(TOPICS.sendCommands.name(), TOPICS.codeChecks.name(), "relay-dispatcher-verifications-changelog");
    // The scan sees plaintext where there is some: the numbers are the topics' keys.
    String witness = NUMBERS.iterator().next();
    boolean witnessInTopics = false;
    for (Map.Entry<String, List<byte[]>> topic : rawRecords(topics).entrySet()) {
      for (byte[] raw : topic.getValue()) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        witnessInTopics |= text.contains(witness);
        for (String code : scanned) {
          assertThat(text).as("topic %s", topic.getKey()).doesNotContainPattern(standalone(code));
        }
      }
    }
    assertThat(witnessInTopics).isTrue();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dataDir)) {
      // Offset and time indexes hold offsets and timestamps only, and are preallocated megabytes each.
      files = walk.filter(Files::isRegularFile)
          .filter(file -> !file.toString().endsWith(".index") && !file.toString().endsWith(".timeindex")).toList();
    }
    assertThat(files).anyMatch(file -> file.toString().contains("relay-dispatcher"));
    boolean witnessOnDisk = false;
    for (Path file : files) {
      String text;
      try {
        text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
      } catch (java.nio.file.NoSuchFileException e) {
        continue; // a segment or SST compacted away while we walked
      }
      witnessOnDisk |= text.contains(witness);
      for (String code : scanned) {
        assertThat(text).as("file %s", file).doesNotContainPattern(standalone(code));
      }
    }
    assertThat(witnessOnDisk).isTrue();
  }

  // ---- helpers ----

  /** The code as a digit run of its own: inside a longer number (a score's 0.7146258503401359) it is chance. */
  private static String standalone(String code) {
    return "(?<![0-9])" + code + "(?![0-9])";
  }

  private static HttpResponse<String> start(String number) throws Exception {
    NUMBERS.add(number);
    HttpResponse<String> started = post(stack.apiUrl() + "/v1/verifications", "{\"to\": \"" + number + "\"}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    return started;
  }

  private static void route(String provider, String country, String json) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(stack.simUrl() + "/sim/providers/" + provider
        + "/countries/" + country)).header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  private static JsonNode inbox(String number) throws Exception {
    return JSON.readTree(get(stack.simUrl() + "/sim/handsets/" + number + "/messages").body());
  }

  private static JsonNode awaitInbox(String number, int messages) throws Exception {
    await().atMost(Duration.ofSeconds(30)).until(() -> inbox(number).size() >= messages);
    return inbox(number);
  }

  private static String codeIn(String text) {
    Matcher matcher = DIGITS.matcher(text);
    assertThat(matcher.find()).as("a code in the text").isTrue();
    return matcher.group();
  }

  private static String twilioMessageBody(String providerMessageId) throws Exception {
    String sid = providerMessageId.substring(0, 2).toUpperCase() + providerMessageId.substring(2);
    String account = secrets.get("twilio-account-sid");
    String auth = Base64.getEncoder().encodeToString((account + ":" + secrets.get("twilio-auth-token")).getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(stack.simUrl() + "/2010-04-01/Accounts/" + account
        + "/Messages/" + sid + ".json")).header("Authorization", "Basic " + auth).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body()).get("body").asText();
  }

  /** A Twilio status callback signed as Twilio signs it: HMAC-SHA1 of the URL and the sorted parameters. */
  private static HttpResponse<String> postTwilioReceipt(String sid, String to, String ref, String status) throws Exception {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("AccountSid", secrets.get("twilio-account-sid"));
    params.put("ApiVersion", "2010-04-01");
    params.put("From", "+15005550006");
    params.put("MessageSid", sid);
    params.put("MessageStatus", status);
    params.put("SmsSid", sid);
    params.put("SmsStatus", status);
    params.put("To", to);
    String url = stack.dlrUrl() + "/dlr/twilio?ref=" + URLEncoder.encode(ref, StandardCharsets.UTF_8);
    StringBuilder signed = new StringBuilder(url);
    new TreeMap<>(params).forEach((name, value) -> signed.append(name).append(value));
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec(secrets.get("twilio-auth-token").getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
    String signature = Base64.getEncoder().encodeToString(mac.doFinal(signed.toString().getBytes(StandardCharsets.UTF_8)));
    StringBuilder form = new StringBuilder();
    params.forEach((name, value) -> form.append(form.isEmpty() ? "" : "&").append(URLEncoder.encode(name, StandardCharsets.UTF_8))
        .append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
        .header("X-Twilio-Signature", signature).POST(HttpRequest.BodyPublishers.ofString(form.toString())).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static ProviderScore latestScore(String route) {
    Map<String, ProviderScore> latest = new LinkedHashMap<>();
    for (ConsumerRecord<String, ProviderScore> record : all(TOPICS.providerScores.name(), TOPICS.providerScores.valueSerde().deserializer())) {
      latest.put(record.key(), record.value());
    }
    return latest.get(route);
  }

  /** The records of one number on a topic, read from the start until {@code enough} holds. */
  private static <V> List<V> read(String topic, Deserializer<V> values, java.util.function.Function<V, String> number, String wanted,
      Predicate<List<V>> enough) {
    List<V> found = new ArrayList<>();
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      found.clear();
      for (ConsumerRecord<String, V> record : all(topic, values)) {
        if (wanted.equals(number.apply(record.value()))) {
          found.add(record.value());
        }
      }
      return enough.test(found);
    });
    return found;
  }

  /** Every committed record of a topic, up to its current end. */
  private static <V> List<ConsumerRecord<String, V>> all(String topic, Deserializer<V> values) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<String, V>> records = new ArrayList<>();
    try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props, new StringDeserializer(), values)) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
        assertThat(System.nanoTime()).as("read %s to its end in time", topic).isLessThan(deadline);
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  /** Keys and values of every record of every topic, aborted transactions included, by topic. */
  private static Map<String, List<byte[]>> rawRecords(List<String> topics) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    Map<String, List<byte[]>> raw = new TreeMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = topics.stream().flatMap(topic -> consumer.partitionsFor(topic).stream())
          .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
        assertThat(System.nanoTime()).as("read every topic to its end in time").isLessThan(deadline);
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          List<byte[]> ofTopic = raw.computeIfAbsent(record.topic(), name -> new ArrayList<>());
          if (record.key() != null) {
            ofTopic.add(record.key());
          }
          if (record.value() != null) {
            ofTopic.add(record.value());
          }
        }
      }
    }
    return raw;
  }

  /** The only attempt in a verification's history, as {@code GET /v1/verifications/{id}} shows it. */
  private static JsonNode onlyAttempt(String id) throws Exception {
    HttpResponse<String> response = get(stack.apiUrl() + "/v1/verifications/" + id);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode attempts = JSON.readTree(response.body()).get("attempts");
    assertThat(attempts).as(response.body()).hasSize(1);
    return attempts.get(0);
  }

  private static List<DeliveryReceipt> receiptsOf(String number) {
    return all(TOPICS.deliveryReceipts.name(), TOPICS.deliveryReceipts.valueSerde().deserializer()).stream()
        .map(ConsumerRecord::value).filter(receipt -> number.equals(receipt.getTo())).toList();
  }

  /** A GET with the stack's API key (the simulator and /metrics ignore it). */
  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + stack.apiKey()).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String url, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + stack.apiKey())
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    return FreePorts.pick();
  }
}
