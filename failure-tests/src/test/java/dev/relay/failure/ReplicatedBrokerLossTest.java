package dev.relay.failure;

import static dev.relay.failure.StackFixture.freePort;
import static dev.relay.failure.StackFixture.get;
import static dev.relay.failure.StackFixture.inbox;
import static dev.relay.failure.StackFixture.json;
import static dev.relay.failure.StackFixture.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.api.VerificationApiService;
import dev.relay.api.config.ApiConfig;
import dev.relay.dispatcher.DispatcherService;
import dev.relay.sender.SenderService;
import dev.relay.dlr.DlrIngestService;
import dev.relay.kafka.embedded.EmbeddedKafkaCluster;
import dev.relay.local.LocalStack;
import dev.relay.local.LocalStack.LocalStackSettings;
import dev.relay.schemas.topics.Topics;
import dev.relay.scoring.ScoringService;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole stack on three brokers, every topic (Relay's and the Streams apps' internal ones) with three
 * replicas and two in sync required, as the services provision them from {@code relay.topics.replication-factor}.
 * Verifications keep arriving through the API while the broker that leads the most partitions is stopped
 * and later started again. The API answers every request in time, never with a 500: 201, or 503 with
 * Retry-After (not stored), or 504 (stored, the dispatcher's reply late), both of which the clients retry
 * with the same requestId until a 2xx. Every verification it acknowledged reached its handset and is
 * approved with that code, those approved while the broker was down as well as those after it returned,
 * and every partition is back in sync on three replicas.
 */
@Tag("integration")
class ReplicatedBrokerLossTest {

  private static final Logger LOG = LoggerFactory.getLogger(ReplicatedBrokerLossTest.class);
  private static final int BROKERS = 3;
  /**
   * How long the API waits for the dispatcher's reply. Three brokers in one JVM on a busy 2-core CI machine
   * make an exactly-once commit take seconds; with the 5 s default most starts would end in a 504 and a
   * retry, doubling the load that made them late.
   */
  private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(15);
  /** The produce timeout (5 s) and the reply timeout plus slack: an answer later than this is a hang. */
  private static final Duration ANSWER_WITHIN = Duration.ofSeconds(5).plus(REPLY_TIMEOUT).plusSeconds(5);
  private static final Duration PHASE_WAIT = Duration.ofSeconds(60);
  /** Concurrent API clients, each starting a verification, waiting for the answer, pausing {@link #PACE}. */
  private static final int CLIENTS = 3;
  private static final Duration PACE = Duration.ofMillis(100);
  /** Answers to wait for before the loss, during it and after the broker returns. */
  private static final int PER_PHASE = 10;
  /** Tries of one start before the test calls it lost; each failed try took a produce or reply timeout. */
  private static final int ATTEMPTS = 4;
  private static final List<String> PREFIXES = List.of("+491511234", "+3361234", "+3161234");

  @TempDir static Path dataDir;
  private static EmbeddedKafkaCluster kafka;
  private static LocalStack stack;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafkaCluster.builder()
        .brokers(BROKERS)
        // The Streams apps' changelog and repartition topics take the broker default; Relay's topics
        // carry their own setting, which the test checks below.
        .brokerProperty("min.insync.replicas", "2")
        .build();
    kafka.start();
    Map<String, String> replicated = Map.of(Topics.REPLICATION_FACTOR, Integer.toString(BROKERS));
    Map<String, String> api = Map.of(Topics.REPLICATION_FACTOR, Integer.toString(BROKERS),
        ApiConfig.REPLY_TIMEOUT.name(), REPLY_TIMEOUT.toSeconds() + "s");
    stack = new LocalStack(new LocalStackSettings(dataDir, 0, freePort(), freePort(), freePort(), freePort(), freePort()),
        Map.of(DlrIngestService.NAME, replicated, DispatcherService.NAME, replicated, SenderService.NAME, replicated,
            ScoringService.NAME, replicated, VerificationApiService.NAME, api),
        kafka);
    stack.start();
    StackFixture.apiKey = stack.apiKey();
    await().atMost(Duration.ofSeconds(60)).until(stack::isReady);
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
  void oneBrokerOfThreeLostUnderTrafficLosesNothingAcknowledgedAndTheApiKeepsAnswering() throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Map<String, TopicDescription> topics = describeRelayTopics(admin);
      assertEveryTopicReplicatedThreeTimesWithTwoInSync(admin, topics);
      int victim = busiestLeaderOtherThanTheController(admin, topics.values());

      Traffic traffic = new Traffic();
      ScheduledExecutorService clients = Executors.newScheduledThreadPool(CLIENTS);
      try {
        for (int i = 0; i < CLIENTS; i++) {
          clients.scheduleWithFixedDelay(traffic::startOne, i * PACE.toMillis() / CLIENTS, PACE.toMillis(), TimeUnit.MILLISECONDS);
        }
        await().atMost(PHASE_WAIT).untilAsserted(() -> assertThat(traffic.acknowledged).as(traffic::summary)
            .hasSizeGreaterThanOrEqualTo(PER_PHASE));
        List<Started> beforeLoss = List.copyOf(traffic.acknowledged);

        kafka.stopBroker(victim);
        int duringLossFrom = traffic.answered.get();
        // Approved while the broker is down: checks go through Kafka and the dispatcher too.
        forEachAtOnce(beforeLoss, ReplicatedBrokerLossTest::assertApproved);
        await().atMost(PHASE_WAIT).untilAsserted(() -> assertThat(traffic.answered.get()).as(traffic::summary)
            .isGreaterThanOrEqualTo(duringLossFrom + PER_PHASE));
        assertThat(traffic.acknowledged).as("verifications started while a broker was down").hasSizeGreaterThan(beforeLoss.size());

        kafka.startBroker(victim);
        int afterReturnFrom = traffic.answered.get();
        await().atMost(PHASE_WAIT).untilAsserted(() -> assertThat(traffic.answered.get()).as(traffic::summary)
            .isGreaterThanOrEqualTo(afterReturnFrom + PER_PHASE));
      } finally {
        clients.shutdown();
        assertThat(clients.awaitTermination(ANSWER_WITHIN.toSeconds(), TimeUnit.SECONDS)).as("the traffic stopped").isTrue();
      }

      LOG.info("Traffic through the loss of broker {}: {}", victim, traffic.summary());
      assertThat(traffic.failures).as("answers other than 2xx, 503 with Retry-After or 504 reply_timeout, in time")
          .isEmpty();
      List<Started> all = List.copyOf(traffic.acknowledged);
      assertThat(all).as("acknowledged verifications").hasSizeGreaterThanOrEqualTo(2 * PER_PHASE);
      // Every one of them, those approved while the broker was down included, is there and approved.
      forEachAtOnce(all, started -> {
        if (!approved(started)) {
          assertApproved(started);
          assertThat(approved(started)).as("%s approved", started.number()).isTrue();
        }
      });
      LOG.info("{} verifications approved after broker {} returned", all.size(), victim);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(describeRelayTopics(admin).values().stream()
          .flatMap(t -> t.partitions().stream().filter(p -> p.isr().size() < BROKERS).map(p -> t.name() + "-" + p.partition()))
          .toList()).as("partitions not back in sync on three replicas").isEmpty());
    }
  }

  /** Starts verifications one at a time and sorts the answers. */
  private static final class Traffic {
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger answered = new AtomicInteger();
    final Collection<Started> acknowledged = new ConcurrentLinkedQueue<>();
    final Collection<String> failures = new ConcurrentLinkedQueue<>();
    final Map<String, AtomicInteger> answers = new java.util.concurrent.ConcurrentSkipListMap<>();

    String summary() {
      return requests.get() + " requests, answers " + answers + ", first failures " + failures.stream().limit(5).toList();
    }

    /**
     * Starts one verification as a careful client does: a 503 (not stored) or a 504 (stored, not answered in
     * time) is retried with the same requestId, which the API makes safe, until a 2xx.
     */
    void startOne() {
      int i = requests.getAndIncrement();
      String number = PREFIXES.get(i % PREFIXES.size()) + String.format("%04d", i);
      String body = "{\"to\": \"" + number + "\", \"requestId\": \"broker-loss-" + i + "\"}";
      try {
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
          long begin = System.nanoTime();
          // The client waits as long as the test allows: with its own 20 s it would call an answer that
          // took the produce and reply timeouts (20 s) plus a busy machine's scheduling a hang.
          HttpResponse<String> response = post(stack.apiUrl() + "/v1/verifications", body, ANSWER_WITHIN);
          Duration took = Duration.ofNanos(System.nanoTime() - begin);
          answered.incrementAndGet();
          answers.computeIfAbsent(Integer.toString(response.statusCode()), k -> new AtomicInteger()).incrementAndGet();
          if (took.compareTo(ANSWER_WITHIN) > 0) {
            failures.add(number + " answered after " + took);
          }
          if (response.statusCode() == 201 || response.statusCode() == 200) {
            acknowledged.add(new Started(number, json(response).get("id").asText()));
            return;
          }
          boolean retryable = response.statusCode() == 503 && response.headers().firstValue("Retry-After").isPresent()
              || response.statusCode() == 504 && "reply_timeout".equals(json(response).path("error").asText());
          if (!retryable) {
            failures.add(number + " got " + response.statusCode() + " " + response.body());
            return;
          }
        }
        failures.add(number + " not acknowledged in " + ATTEMPTS + " attempts");
      } catch (Exception e) {
        answers.computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicInteger()).incrementAndGet();
        failures.add(number + " failed: " + e);
      }
    }
  }

  private record Started(String number, String id) {}

  private interface Check {
    void run(Started started) throws Exception;
  }

  /** Runs {@code check} on each verification, several at once, and rethrows the first failure. */
  private static void forEachAtOnce(List<Started> verifications, Check check) throws Exception {
    ExecutorService checkers = Executors.newFixedThreadPool(CLIENTS);
    try {
      List<Future<?>> checks = new ArrayList<>();
      for (Started started : verifications) {
        checks.add(checkers.submit(() -> {
          check.run(started);
          return null;
        }));
      }
      for (Future<?> pending : checks) {
        try {
          pending.get();
        } catch (ExecutionException e) {
          if (e.getCause() instanceof Error error) {
            throw error;
          }
          throw e;
        }
      }
    } finally {
      checkers.shutdownNow();
    }
  }

  /**
   * Whether the verification is approved, read as a client would: a 503 with Retry-After (a dispatcher
   * rebalancing after the broker's return, seen once in ten runs) is asked again, within the time an answer may take.
   */
  private static boolean approved(Started started) throws Exception {
    HttpResponse<String> response = await("a status answer for " + started.number()).atMost(ANSWER_WITHIN)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> get(stack.apiUrl() + "/v1/verifications/" + started.id()),
            answer -> answer.statusCode() != 503 || answer.headers().firstValue("Retry-After").isEmpty());
    assertThat(response.statusCode()).as("the verification of %s: %s", started.number(), response.body()).isEqualTo(200);
    return "approved".equals(json(response).get("status").asText());
  }

  private static void assertApproved(Started started) throws Exception {
    await("a code reaching " + started.number()).atMost(Duration.ofSeconds(30))
        .until(() -> inbox(stack.simUrl(), started.number()).size() >= 1);
    String code = inbox(stack.simUrl(), started.number()).get(0).get("code").asText();
    HttpResponse<String> checked = post(stack.apiUrl() + "/v1/verifications/" + started.id() + "/check",
        "{\"code\": \"" + code + "\"}");
    assertThat(checked.statusCode()).as("checking %s: %s", started.number(), checked.body()).isEqualTo(200);
    assertThat(json(checked).get("status").asText()).as("the verification of %s", started.number()).isEqualTo("approved");
  }

  private static Map<String, TopicDescription> describeRelayTopics(Admin admin) throws Exception {
    Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
        .filter(name -> !name.startsWith("__")).collect(Collectors.toSet());
    return admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
  }

  private static void assertEveryTopicReplicatedThreeTimesWithTwoInSync(Admin admin, Map<String, TopicDescription> topics)
      throws Exception {
    Set<String> relayTopics = Topics.defaults().all().stream().map(t -> t.name()).collect(Collectors.toSet());
    assertThat(topics.keySet()).as("Relay's topics, provisioned by the services").containsAll(relayTopics);
    assertThat(topics.values().stream().flatMap(t -> t.partitions().stream().map(p -> t.name() + "-" + p.partition()
        + " has " + p.replicas().size() + " replicas")).filter(s -> !s.endsWith(" has " + BROKERS + " replicas")).toList())
        .as("partitions with fewer than three replicas").isEmpty();
    List<ConfigResource> resources = relayTopics.stream().map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
    Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
    for (Map.Entry<ConfigResource, Config> entry : configs.entrySet()) {
      ConfigEntry minIsr = entry.getValue().get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
      assertThat(minIsr.value()).as("min.insync.replicas of %s", entry.getKey().name()).isEqualTo("2");
      assertThat(minIsr.source()).as("set on the topic %s by its provisioning", entry.getKey().name())
          .isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
    }
  }

  /**
   * The broker leading the most partitions, passing over the active controller: losing it moves the most
   * leaders, which is what the clients must ride out, without also electing a new controller.
   */
  private static int busiestLeaderOtherThanTheController(Admin admin, Collection<TopicDescription> topics) throws Exception {
    int controller = admin.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS).leaderId();
    Map<Integer, Long> leaderships = topics.stream().flatMap(t -> t.partitions().stream())
        .map(TopicPartitionInfo::leader).filter(leader -> leader != null && leader.id() != controller)
        .collect(Collectors.groupingBy(node -> node.id(), Collectors.counting()));
    return leaderships.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
  }
}
