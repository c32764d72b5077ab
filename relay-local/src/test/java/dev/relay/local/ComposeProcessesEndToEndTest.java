package dev.relay.local;

import dev.relay.api.http.ApiKeys;
import dev.relay.kafka.embedded.FreePorts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.api.config.ApiConfig;
import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.local.acl.RelayAcls;
import dev.relay.sender.config.SenderConfig;
import dev.relay.support.kafka.KafkaSettings;
import dev.relay.support.secrets.Keyring;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * Every service as its own process, started the way docker-compose.yml starts it: the main class of
 * its {@code command} and the environment of its {@code environment} section, read from the compose
 * file itself, with the values a {@code .env} would give (secrets, one SCRAM login per service) and
 * only the network addresses, ports and state directories changed from containers to one host.
 * Against the secured three-node cluster: two API instances, two dispatchers, two senders, dlr-ingest,
 * scoring and the provider simulator. Verifications through both APIs are approved; status reads for
 * numbers owned by either dispatcher are answered through either API; one dispatcher and one sender (a
 * lost node) are killed with SIGKILL while verifications are in flight, and every acknowledged one is
 * still approved, through the survivors, which then own every partition.
 */
@Tag("integration")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ComposeProcessesEndToEndTest {

  private static final Path COMPOSE = Path.of("..", "docker-compose.yml");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  /** The API refuses to start without keys; compose takes them from .env. */
  private static final ApiKeys.GeneratedKey API_KEY = ApiKeys.generate("compose-test");
  private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Z0-9_]+)(?::([-?])([^}]*))?}");
  private static final Duration READY_WAIT = Duration.ofSeconds(150);

  @TempDir static Path dir;
  private static SecuredRelayKafka kafka;
  private static Map<String, Map<String, Object>> compose;
  private static final Map<String, ServiceProcess> processes = new LinkedHashMap<>();
  private static long beginNanos;

  /** One child JVM, its HTTP port and its log. */
  record ServiceProcess(String name, Process process, int port, Path log) {
    String url() {
      return "http://127.0.0.1:" + port;
    }
  }

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void start() throws Exception {
    beginNanos = System.nanoTime();
    try (Reader reader = Files.newBufferedReader(COMPOSE)) {
      compose = (Map<String, Map<String, Object>>) new Yaml().<Map<String, Object>>load(reader).get("services");
    }
    kafka = SecuredRelayKafka.start();
    Map<String, Integer> ports = new HashMap<>();
    for (String name : List.of("provider-sim", "dlr-ingest", "dispatcher-1", "dispatcher-2", "sender-1", "sender-2",
        "scoring", "api-1", "api-2", "dispatcher-1-queries", "dispatcher-2-queries")) {
      ports.put(name, FreePorts.pick());
    }
    Map<String, String> dotEnv = dotEnv();
    // Containers reach each other by service name on fixed ports; on one host, by loopback and free ports.
    Map<String, String> addresses = Map.of(
        "http://provider-sim:8090", "http://127.0.0.1:" + ports.get("provider-sim"),
        "http://dlr-ingest:8082", "http://127.0.0.1:" + ports.get("dlr-ingest"));

    launch("provider-sim", "provider-sim", ports, dotEnv, addresses, Map.of());
    launch("dlr-ingest", "dlr-ingest", ports, dotEnv, addresses, Map.of());
    for (String dispatcher : List.of("dispatcher-1", "dispatcher-2")) {
      launch(dispatcher, "dispatcher-stream", ports, dotEnv, addresses, Map.of(
          // Every request of this test comes from 127.0.0.1: above the default 5 starts a minute per IP.
          "RELAY_LIMITS_PER_IP", "50/1m,200/1h",
          // Each container has its own host name and the same query port; here they share one host.
          DispatcherConfig.QUERY_PORT.envName(), Integer.toString(ports.get(dispatcher + "-queries")),
          DispatcherConfig.QUERY_HOST.envName(), "127.0.0.1"));
    }
    launch("scoring", "scoring-stream", ports, dotEnv, addresses, Map.of());
    // Nine JVMs starting at once on two cores starve the brokers until a start-up check times out and
    // its service exits (compose would restart it; this test does not): the rest start in a second wave.
    awaitReady();
    for (String sender : List.of("sender-1", "sender-2")) {
      // Each container has its own host name, which the default transactional id is made of.
      launch(sender, "sender", ports, dotEnv, addresses, Map.of(
          SenderConfig.TRANSACTIONAL_ID.envName(), SenderConfig.DEFAULT_TRANSACTIONAL_ID_PREFIX + "-" + sender));
    }
    // Every check of this test comes from 127.0.0.1 too: above the default 10 checks a minute per IP.
    // Each API asks its "own" dispatcher first and the other only when that one cannot answer: a read for
    // a number the other dispatcher owns is forwarded there (compose gives one service name for all).
    String queries1 = "http://127.0.0.1:" + ports.get("dispatcher-1-queries");
    String queries2 = "http://127.0.0.1:" + ports.get("dispatcher-2-queries");
    launch("api-1", "verification-api", ports, dotEnv, addresses, Map.of("RELAY_API_CHECKS_PER_IP", "600/1m",
        ApiConfig.DISPATCHER_QUERY_URLS.envName(), queries1 + "," + queries2));
    launch("api-2", "verification-api", ports, dotEnv, addresses, Map.of("RELAY_API_CHECKS_PER_IP", "600/1m",
        ApiConfig.DISPATCHER_QUERY_URLS.envName(), queries2 + "," + queries1));

    awaitReady();
    System.out.printf("%d service processes ready on the secured 3-node cluster %d ms after the start%n",
        processes.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - beginNanos));
  }

  /** Every process launched so far answers ready; one that exits fails the test with its log. */
  private static void awaitReady() {
    for (ServiceProcess service : processes.values()) {
      await().atMost(READY_WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
        assertThat(service.process().isAlive()).as("%s exited: %s", service.name(), tail(service)).isTrue();
        return ready(service);
      });
    }
  }

  @AfterAll
  static void stop() {
    processes.values().forEach(service -> service.process().destroy());
    for (ServiceProcess service : processes.values()) {
      try {
        if (!service.process().waitFor(20, TimeUnit.SECONDS)) {
          service.process().destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (kafka != null) {
      kafka.close();
    }
    System.out.printf("ComposeProcessesEndToEndTest took %d ms in all%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - beginNanos));
  }

  @Test
  @Order(1)
  void aVerificationStartedThroughEitherApiIsCheckedThroughTheOtherAndApproved() throws Exception {
    String first = "+4915198762001";
    String second = "+4915198762002";
    String firstId = startVerification("api-1", first);
    String secondId = startVerification("api-2", second);

    assertThat(check("api-2", firstId, awaitCode(first))).isEqualTo("approved");
    assertThat(check("api-1", secondId, awaitCode(second))).isEqualTo("approved");
  }

  /**
   * Status reads come from the dispatchers' state: whichever dispatcher an API asks first, a number
   * owned by the other one is answered through a forward to its owner, with the right verification.
   * Numbers are started until each dispatcher owns at least one (their partitions are split between
   * the two), and every one of them is read through both APIs.
   */
  @Test
  @Order(2)
  void aStatusReadForANumberOwnedByEitherDispatcherIsAnsweredThroughEitherApi() throws Exception {
    Map<String, String> ids = new LinkedHashMap<>();
    Set<Integer> partitionsRead = new TreeSet<>();
    int partitions = SecuredRelayKafka.TOPICS.codeChecks.partitions();
    for (int i = 0; i < 12; i++) {
      String number = "+49151987640" + String.format("%02d", i);
      ids.put(number, startVerification(i % 2 == 0 ? "api-1" : "api-2", number));
      partitionsRead.add(org.apache.kafka.common.utils.Utils.toPositive(
          org.apache.kafka.common.utils.Utils.murmur2(number.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % partitions);
    }
    Map<Integer, String> owners;
    try (Admin admin = Admin.create(KafkaSettings.admin(kafka.superUser(), "test-groups", Duration.ofSeconds(20)))) {
      // code-checks is read by the lifecycle's own tasks, the ones holding the verifications store.
      owners = partitionOwners(admin, "relay-dispatcher", SecuredRelayKafka.TOPICS.codeChecks.name());
    }
    Set<String> ownersRead = new TreeSet<>();
    partitionsRead.forEach(partition -> ownersRead.add(owners.get(partition)));
    assertThat(ownersRead).as("the numbers read fall on both dispatchers' partitions").hasSize(2);

    for (Map.Entry<String, String> started : ids.entrySet()) {
      for (String api : List.of("api-1", "api-2")) {
        HttpResponse<String> status = get(api, "/v1/verifications/" + started.getValue());
        assertThat(status.statusCode()).as("%s %s: %s", api, started.getKey(), status.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(status.body());
        assertThat(body.get("id").asText()).isEqualTo(started.getValue());
        assertThat(body.get("to").asText()).isEqualTo(started.getKey());
        assertThat(body.get("status").asText()).isEqualTo("pending");
      }
    }
  }

  @Test
  @Order(3)
  void aNodeKilledMidRunLosesNothingAcknowledgedAndTheSurvivorsTakeItsPartitions() throws Exception {
    List<String> numbers = List.of("+4915198763001", "+4915198763002", "+4915198763003", "+4915198763004");
    Map<String, String> ids = new LinkedHashMap<>();
    for (int i = 0; i < numbers.size(); i++) {
      ids.put(numbers.get(i), startVerification(i % 2 == 0 ? "api-1" : "api-2", numbers.get(i)));
    }
    // A lost node: its dispatcher and its sender, SIGKILLed (no shutdown hook, no leaving the group).
    for (String victim : List.of("dispatcher-1", "sender-1")) {
      processes.get(victim).process().destroyForcibly();
    }
    for (String victim : List.of("dispatcher-1", "sender-1")) {
      assertThat(processes.get(victim).process().waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
    long killedAt = System.nanoTime();

    for (Map.Entry<String, String> started : ids.entrySet()) {
      String code = awaitCode(started.getKey());
      // Until the survivor has taken the dead one's partitions a check may time out (504, "retrying is
      // safe"); a client retries, as here. A 504 acknowledges nothing.
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
          assertThat(check("api-1", started.getValue(), code)).as(started.getKey()).isEqualTo("approved"));
    }
    System.out.printf("every verification acknowledged before the SIGKILL approved %d ms after it%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));

    int partitions = SecuredRelayKafka.TOPICS.verificationRequests.partitions();
    try (Admin admin = Admin.create(KafkaSettings.admin(kafka.superUser(), "test-groups", Duration.ofSeconds(20)))) {
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(ownedPartitions(admin, "relay-dispatcher", SecuredRelayKafka.TOPICS.verificationRequests.name()))
            .as("the surviving dispatcher owns every partition of the requests").hasSize(partitions);
        assertThat(ownedPartitions(admin, SenderConfig.GROUP_ID.defaultValue(), SecuredRelayKafka.TOPICS.sendCommands.name()))
            .as("the surviving sender owns every partition of the send commands").hasSize(partitions);
      });
    }
    assertThat(ready(processes.get("dispatcher-2"))).isTrue();
    assertThat(ready(processes.get("sender-2"))).isTrue();
  }

  @Test
  @Order(4)
  void aServiceProcessWhosePrincipalHasNoAclsExitsNonZeroSayingWhy() throws Exception {
    Map<String, String> dotEnv = dotEnv();
    dotEnv.put("RELAY_SCORING_KAFKA_JAAS", kafka.jaas("nobody"));
    launch("scoring-refused", "scoring-stream", Map.of("scoring-refused", FreePorts.pick()), dotEnv, Map.of(), Map.of());
    ServiceProcess refused = processes.get("scoring-refused");

    assertThat(refused.process().waitFor(90, TimeUnit.SECONDS)).as("exits: %s", tail(refused)).isTrue();
    assertThat(refused.process().exitValue()).as(tail(refused)).isEqualTo(1);
    assertThat(Files.readString(refused.log())).contains("not visible to this Kafka principal (no DESCRIBE ACL)");
  }

  /** Which member (by client id) of the group holds each partition of {@code topic}. */
  private static Map<Integer, String> partitionOwners(Admin admin, String group, String topic) throws Exception {
    ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get(20, TimeUnit.SECONDS).get(group);
    Map<Integer, String> owners = new HashMap<>();
    for (MemberDescription member : description.members()) {
      for (TopicPartition partition : member.assignment().topicPartitions()) {
        if (partition.topic().equals(topic)) {
          owners.put(partition.partition(), member.host() + "/" + member.clientId().replaceAll("-StreamThread-.*", ""));
        }
      }
    }
    return owners;
  }

  /** The partitions of {@code topic} the group's one member holds; fails while there is more than one. */
  private static Set<Integer> ownedPartitions(Admin admin, String group, String topic) throws Exception {
    ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get(20, TimeUnit.SECONDS).get(group);
    Collection<MemberDescription> members = description.members();
    assertThat(members).as("members of %s", group).hasSize(1);
    Set<Integer> owned = new TreeSet<>();
    for (TopicPartition partition : members.iterator().next().assignment().topicPartitions()) {
      if (partition.topic().equals(topic)) {
        owned.add(partition.partition());
      }
    }
    return owned;
  }

  /** Starts {@code composeService} as a child JVM with its compose environment, and records it as {@code name}. */
  @SuppressWarnings("unchecked")
  private static void launch(String name, String composeService, Map<String, Integer> ports, Map<String, String> dotEnv,
      Map<String, String> addresses, Map<String, String> extra) throws Exception {
    Map<String, Object> service = compose.get(composeService);
    String mainClass = ((List<String>) service.get("command")).get(0);
    Map<String, String> env = new LinkedHashMap<>();
    ((Map<String, Object>) service.get("environment")).forEach((variable, value) -> {
      String resolved = resolve(String.valueOf(value), dotEnv);
      for (Map.Entry<String, String> address : addresses.entrySet()) {
        resolved = resolved.replace(address.getKey(), address.getValue());
      }
      env.put(variable, resolved);
    });
    env.put("RELAY_HTTP_PORT", Integer.toString(ports.get(name)));
    if (env.containsKey("RELAY_MANAGEMENT_PORT")) {
      // Compose gives every container the same management port; here they share one host.
      env.put("RELAY_MANAGEMENT_PORT", Integer.toString(FreePorts.pick()));
    }
    if (env.containsKey("RELAY_STREAMS_STATE_DIR")) {
      env.put("RELAY_STREAMS_STATE_DIR", dir.resolve(name + "-state").toString());
    }
    env.putAll(extra);

    Path log = dir.resolve(name + ".log");
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), mainClass)
        .redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(variable -> variable.startsWith("RELAY_"));
    builder.environment().putAll(env);
    processes.put(name, new ServiceProcess(name, builder.start(), ports.get(name), log));
  }

  /** What a .env beside the compose file gives: generated secrets, the cluster, one SCRAM login per service. */
  private static Map<String, String> dotEnv() {
    LocalSecrets secrets = LocalSecrets.loadOrCreate(dir.resolve("secrets"));
    Map<String, String> env = new HashMap<>();
    env.put("RELAY_CODE_HMAC_KEYS", Keyring.generateSetting("k1"));
    env.put("RELAY_CODE_ENCRYPTION_KEYS", Keyring.generateSetting("k1"));
    env.put("RELAY_GUESS_ENCRYPTION_KEYS", Keyring.generateSetting("g1"));
    env.put("RELAY_API_KEYS", API_KEY.settingEntry());
    env.put("RELAY_DISPATCHER_QUERY_TOKEN", "compose-test-query-token");
    env.put("GRAFANA_ADMIN_PASSWORD", "unused-here");
    // The test's receipts travel over loopback http; a deployment gives an https public URL.
    env.put("RELAY_DLR_ALLOW_PLAIN_HTTP", "true");
    env.put("RELAY_ID_KEYS", Keyring.generateSetting("k1"));
    env.put("TWILIO_ACCOUNT_SID", secrets.get("twilio-account-sid"));
    env.put("TWILIO_AUTH_TOKEN", secrets.get("twilio-auth-token"));
    env.put("VONAGE_API_KEY", secrets.get("vonage-api-key"));
    env.put("VONAGE_API_SECRET", secrets.get("vonage-api-secret"));
    env.put("VONAGE_SIGNATURE_SECRET", secrets.get("vonage-signature-secret"));
    env.put("PLIVO_AUTH_ID", secrets.get("plivo-auth-id"));
    env.put("PLIVO_AUTH_TOKEN", secrets.get("plivo-auth-token"));
    env.put("RELAY_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("RELAY_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT");
    env.put("RELAY_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
    env.put("RELAY_API_KAFKA_JAAS", kafka.jaas(RelayAcls.API));
    env.put("RELAY_DISPATCHER_KAFKA_JAAS", kafka.jaas(RelayAcls.DISPATCHER));
    env.put("RELAY_SENDER_KAFKA_JAAS", kafka.jaas(RelayAcls.SENDER));
    env.put("RELAY_DLR_KAFKA_JAAS", kafka.jaas(RelayAcls.DLR_INGEST));
    env.put("RELAY_SCORING_KAFKA_JAAS", kafka.jaas(RelayAcls.SCORING));
    env.put("RELAY_TOPICS_KAFKA_JAAS", kafka.jaas(RelayAcls.TOPICS));
    return env;
  }

  /** Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR:?error}. */
  private static String resolve(String value, Map<String, String> dotEnv) {
    Matcher matcher = REFERENCE.matcher(value);
    StringBuilder resolved = new StringBuilder();
    while (matcher.find()) {
      String set = dotEnv.get(matcher.group(1));
      if (set == null && "?".equals(matcher.group(2))) {
        throw new AssertionError("the compose file needs " + matcher.group(1) + ": " + matcher.group(3));
      }
      matcher.appendReplacement(resolved, Matcher.quoteReplacement(set != null ? set
          : matcher.group(3) != null ? matcher.group(3) : ""));
    }
    matcher.appendTail(resolved);
    return resolved.toString();
  }

  private static boolean ready(ServiceProcess service) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(service.url() + "/health/ready")).timeout(Duration.ofSeconds(5))
          .GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (Exception e) {
      return false;
    }
  }

  private static String tail(ServiceProcess service) {
    try {
      List<String> lines = Files.readAllLines(service.log());
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (Exception e) {
      return "(no log: " + e + ")";
    }
  }

  private static String startVerification(String api, String number) throws Exception {
    HttpResponse<String> started = post(processes.get(api).url() + "/v1/verifications", "{\"to\": \"" + number + "\"}");
    assertThat(started.statusCode()).as("%s: %s", api, started.body()).isEqualTo(201);
    return JSON.readTree(started.body()).get("id").asText();
  }

  private static String check(String api, String id, String code) throws Exception {
    HttpResponse<String> checked = post(processes.get(api).url() + "/v1/verifications/" + id + "/check",
        "{\"code\": \"" + code + "\"}");
    if (checked.statusCode() == 404) {
      // A check answered 504 may still have approved it; a retry of a finished one is 404 (not pending).
      HttpResponse<String> status = HTTP.send(HttpRequest.newBuilder(URI.create(processes.get(api).url() + "/v1/verifications/" + id))
          .header("Authorization", "Bearer " + API_KEY.key()).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(status.statusCode()).as("%s: %s", api, status.body()).isEqualTo(200);
      return JSON.readTree(status.body()).get("status").asText();
    }
    assertThat(checked.statusCode()).as("%s: %s", api, checked.body()).isEqualTo(200);
    return JSON.readTree(checked.body()).get("status").asText();
  }

  private static String awaitCode(String number) throws Exception {
    String url = processes.get("provider-sim").url() + "/sim/handsets/" + number + "/messages";
    List<JsonNode> inbox = new ArrayList<>();
    await().atMost(Duration.ofSeconds(90)).until(() -> {
      inbox.clear();
      JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString()).body())
          .forEach(inbox::add);
      return !inbox.isEmpty();
    });
    return inbox.get(0).get("code").asText();
  }

  private static HttpResponse<String> get(String api, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(processes.get(api).url() + path)).timeout(Duration.ofSeconds(15))
        .header("Authorization", "Bearer " + API_KEY.key()).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String url, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + API_KEY.key()).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
