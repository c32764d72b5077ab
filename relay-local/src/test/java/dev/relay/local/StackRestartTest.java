package dev.relay.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.dispatcher.DispatcherService;
import dev.relay.dlr.DlrIngestService;
import dev.relay.kafka.embedded.EmbeddedKafkaCluster;
import dev.relay.kafka.embedded.FreePorts;
import dev.relay.local.LocalStack.LocalStackSettings;
import dev.relay.support.polling.ReceiptPollKeys;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A clean restart of the stack on the same data: every service leaves its consumer group when it closes
 * (Kafka Streams members do not by default), so the restarted instances are assigned their partitions at
 * once instead of waiting out the old members' sessions, and a verification started before the restart is
 * approved after it. The broker runs outside the stack here, so the groups can be inspected between the
 * two runs; the time to ready after the restart is logged, not asserted.
 */
@Tag("integration")
class StackRestartTest {

  private static final Logger LOG = LoggerFactory.getLogger(StackRestartTest.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Duration STACK_WAIT = Duration.ofSeconds(90);

  @TempDir static Path dataDir;
  private static EmbeddedKafkaCluster kafka;
  private static LocalStack stack;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafkaCluster.builder().build();
    kafka.start();
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void closedServicesLeaveTheirGroupsAndTheRestartedStackResumes() throws Exception {
    LocalStackSettings settings = new LocalStackSettings(dataDir, 0, FreePorts.pick(), FreePorts.pick(), FreePorts.pick(),
        FreePorts.pick(), FreePorts.pick());
    stack = new LocalStack(settings, overrides(), kafka);
    stack.start();
    await().atMost(STACK_WAIT).until(stack::isReady);
    String number = "+33612345679";
    HttpResponse<String> started = post("/v1/verifications", "{\"to\": \"" + number + "\"}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    String id = JSON.readTree(started.body()).get("id").asText();
    String inbox = stack.simUrl() + "/sim/handsets/" + number + "/messages";
    await().atMost(Duration.ofSeconds(30)).until(() -> JSON.readTree(get(inbox).body()).size() >= 1);
    String code = JSON.readTree(get(inbox).body()).get(0).get("code").asText();

    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Set<String> groups = groupIds(admin);
      assertThat(groups).as("the Streams apps of the dispatcher and scoring, and the consumers beside them")
          .contains("relay-dispatcher", "relay-scoring", "relay-dlr-poller").hasSizeGreaterThanOrEqualTo(4);
      assertThat(members(admin, groups).values()).as("members while running").allSatisfy(count -> assertThat(count).isPositive());

      stack.close();
      stack = null;
      assertThat(members(admin, groups)).as("members left behind by a clean close, per group")
          .allSatisfy((group, count) -> assertThat(count).as(group).isZero());
    }

    long begin = System.nanoTime();
    stack = new LocalStack(settings, overrides(), kafka);
    stack.start();
    await().atMost(STACK_WAIT).until(stack::isReady);
    LOG.info("The restarted stack was ready in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));

    HttpResponse<String> check = post("/v1/verifications/" + id + "/check", "{\"code\": \"" + code + "\"}");
    assertThat(check.statusCode()).as(check.body()).isEqualTo(200);
    assertThat(JSON.readTree(check.body()).get("status").asText()).isEqualTo("approved");
  }

  /** Receipt polling on, so dlr-ingest's poller runs too. */
  private static Map<String, Map<String, String>> overrides() {
    return Map.of(DlrIngestService.NAME, Map.of(ReceiptPollKeys.ENABLED.name(), "true"),
        DispatcherService.NAME, Map.of(ReceiptPollKeys.ENABLED.name(), "true"));
  }

  private static Set<String> groupIds(Admin admin) throws Exception {
    Collection<GroupListing> listings = admin.listGroups().all().get(30, TimeUnit.SECONDS);
    return listings.stream().map(GroupListing::groupId).collect(Collectors.toSet());
  }

  private static Map<String, Integer> members(Admin admin, Set<String> groups) throws Exception {
    Map<String, ConsumerGroupDescription> described = admin.describeConsumerGroups(groups).all().get(30, TimeUnit.SECONDS);
    return described.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().members().size()));
  }

  private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(stack.apiUrl() + path)).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + stack.apiKey())
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
