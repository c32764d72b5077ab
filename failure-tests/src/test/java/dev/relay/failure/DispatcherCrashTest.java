package dev.relay.failure;

import dev.relay.support.kafka.KafkaAccess;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.dispatcher.DispatcherService;
import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.providers.ProviderClient;
import dev.relay.sender.SenderService;
import dev.relay.sender.config.SenderConfig;
import dev.relay.failure.RecordingProvider.Call;
import dev.relay.kafka.embedded.EmbeddedKafkaCluster;
import dev.relay.kafka.embedded.FreePorts;
import dev.relay.schemas.VerificationRequest;
import dev.relay.schemas.topics.Topics;
import dev.relay.support.config.CommonKeys;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.kafka.KafkaSettings;
import dev.relay.support.kafka.TopicProvisioner;
import dev.relay.support.secrets.Keyring;
import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two dispatcher instances share the work of six partitions; one is killed with SIGKILL in the middle
 * of a stream of verifications (it runs in a child process, so nothing of it closes, commits or leaves
 * the group). The survivor takes over once the dead member's session expires, and then every
 * verification has been sent, its delivery-window timeout has fired, each number got one code, and
 * no attempt reached a provider twice. The providers record each call in a file before answering, so a
 * call the victim made just before it died is counted too.
 */
@Tag("integration")
class DispatcherCrashTest {

  private static final int VERIFICATIONS = 240;
  private static final Duration DELIVERY_WINDOW = Duration.ofSeconds(4);
  /** The dead member's partitions wait out its session (DispatcherTopology.SESSION_TIMEOUT), then the window fires late. */
  private static final Duration TAKEOVER_WAIT = Duration.ofSeconds(120);
  private static final List<String> PREFIXES = List.of("+49151", "+336", "+316", "+447911");
  private static final List<String> COUNTRIES = List.of("DE", "FR", "NL", "GB");

  private static EmbeddedKafkaCluster kafka;

  @TempDir static Path dir;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafkaCluster.builder().build();
    kafka.start();
  }

  @AfterAll
  static void stopKafka() {
    kafka.close();
  }

  @Test
  void aKilledInstanceLosesNothingAndSendsNothingTwice() throws Exception {
    Map<String, String> shared = new HashMap<>();
    shared.put(CommonKeys.BOOTSTRAP_SERVERS.name(), kafka.bootstrapServers());
    shared.put(CommonKeys.CODE_HMAC_KEYS.name(), Keyring.generateSetting("h1"));
    shared.put(CommonKeys.CODE_ENCRYPTION_KEYS.name(), Keyring.generateSetting("e1"));
    shared.put(CommonKeys.GUESS_ENCRYPTION_KEYS.name(), Keyring.generateSetting("g1"));
    shared.put(CommonKeys.ID_KEYS.name(), Keyring.generateSetting("i1"));
    shared.put(Topics.PREFIX, "crash.");
    shared.put(Topics.PARTITIONS, "6");
    shared.put(DispatcherConfig.APPLICATION_ID.name(), "crash.dispatcher");
    shared.put(SenderConfig.GROUP_ID.name(), "crash.senders");
    shared.put(DispatcherConfig.SMS_ROUTES.name(), "*:twilio,vonage");
    shared.put(DispatcherConfig.VOICE_ROUTES.name(), "");
    shared.put(DispatcherConfig.DELIVERY_WINDOW.name(), DELIVERY_WINDOW.toSeconds() + "s");
    shared.put(DispatcherConfig.HTTP_HOST.name(), "127.0.0.1");
    shared.put(DispatcherConfig.CODE_LENGTH.name(), "8");
    Topics topics = Topics.fromConfig(RelayConfig.of(DispatcherConfig.SCHEMA, DispatcherConfig.SCHEMA.select(shared)).lookup());
    TopicProvisioner.ensure(KafkaAccess.plaintext(kafka.bootstrapServers()), topics.all(), Duration.ofSeconds(30));

    Path survivorCalls = dir.resolve("survivor-calls.tsv");
    Path victimCalls = dir.resolve("victim-calls.tsv");
    int victimPort = freePort();
    Process victim = startVictim(shared, victimCalls, victimPort);
    try {
      Map<String, String> survivorSettings = new HashMap<>(shared);
      survivorSettings.put(DispatcherConfig.STATE_DIR.name(), dir.resolve("survivor-state").toString());
      survivorSettings.put(SenderConfig.TRANSACTIONAL_ID.name(), "crash.sender-survivor");
      survivorSettings.put(DispatcherConfig.HTTP_PORT.name(), "0");
      Map<String, ProviderClient> survivorProviders = Map.of("twilio", new RecordingProvider("twilio", survivorCalls),
          "vonage", new RecordingProvider("vonage", survivorCalls));
      try (DispatcherService survivor = new DispatcherService(
              RelayConfig.of(DispatcherConfig.SCHEMA, DispatcherConfig.SCHEMA.select(survivorSettings)), survivorProviders);
          SenderService survivorSender = new SenderService(
              RelayConfig.of(SenderConfig.SCHEMA, SenderConfig.SCHEMA.select(survivorSettings)), survivorProviders)) {
        survivor.start();
        survivorSender.start();
        await().atMost(Duration.ofSeconds(90)).until(() -> survivor.isReady() && survivorSender.isReady() && ready(victimPort));

        List<String> numbers = new ArrayList<>();
        try (KafkaProducer<String, VerificationRequest> producer = new KafkaProducer<>(
            KafkaSettings.durableProducer(KafkaAccess.plaintext(kafka.bootstrapServers()), "crash-client"), new StringSerializer(),
            topics.verificationRequests.valueSerde().serializer())) {
          for (int i = 0; i < VERIFICATIONS; i++) {
            String number = number(i);
            numbers.add(number);
            producer.send(new ProducerRecord<>(topics.verificationRequests.name(), number,
                VerificationRequest.newBuilder()
                    .setRequestId("req-" + i)
                    .setTo(number)
                    .setCountry(COUNTRIES.get(i % COUNTRIES.size()))
                    .setRequestedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                    .build())).get();
            if (i == VERIFICATIONS / 2) {
              // In the middle of the traffic, once the victim has sent for some of its numbers.
              await().atMost(Duration.ofSeconds(30)).until(() -> RecordingProvider.read(victimCalls).size() >= 10);
              victim.destroyForcibly();
              assertThat(victim.waitFor(10, TimeUnit.SECONDS)).isTrue();
            }
          }
        }
        assertThat(RecordingProvider.read(survivorCalls)).as("the survivor worked before the crash too").isNotEmpty();

        // Every verification: its first send and its timeout's failover send, to the same number.
        await().atMost(TAKEOVER_WAIT).pollInterval(Duration.ofMillis(500)).until(() ->
            attemptsByNumber(survivorCalls, victimCalls).values().stream()
                .filter(keys -> keys.stream().anyMatch(key -> key.endsWith("-2"))).count() == VERIFICATIONS);

        List<Call> calls = Stream.concat(RecordingProvider.read(survivorCalls).stream(),
            RecordingProvider.read(victimCalls).stream()).toList();
        Map<String, List<Call>> byNumber = calls.stream().collect(Collectors.groupingBy(Call::to));
        assertThat(byNumber.keySet()).as("no verification lost").containsExactlyInAnyOrderElementsOf(numbers);
        for (Map.Entry<String, List<Call>> entry : byNumber.entrySet()) {
          List<Call> sent = entry.getValue();
          assertThat(sent.stream().map(Call::verificationId).distinct()).as("one verification for %s", entry.getKey())
              .hasSize(1);
          assertThat(sent.stream().map(Call::codeHash).distinct()).as("one code for %s", entry.getKey()).hasSize(1);
          // The first attempt may be missing: claimed by the victim, which died before it called the
          // provider. Its delivery window still closes and sends the second.
          assertThat(sent).extracting(call -> call.idempotencyKey().substring(call.idempotencyKey().lastIndexOf('-')))
              .as("the timeout's failover for %s", entry.getKey())
              .contains("-2");
        }
        Map<String, Long> perKey = calls.stream().collect(Collectors.groupingBy(Call::idempotencyKey, Collectors.counting()));
        assertThat(perKey.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList())
            .as("attempts that reached a provider more than once").isEmpty();
      }
    } finally {
      victim.destroyForcibly();
    }
  }

  private static Map<String, Set<String>> attemptsByNumber(Path... files) throws IOException {
    Map<String, Set<String>> attempts = new HashMap<>();
    for (Path file : files) {
      for (Call call : RecordingProvider.read(file)) {
        attempts.computeIfAbsent(call.to(), number -> new java.util.HashSet<>()).add(call.idempotencyKey());
      }
    }
    return attempts;
  }

  private static Process startVictim(Map<String, String> shared, Path calls, int port) throws IOException {
    Properties props = new Properties();
    props.putAll(shared);
    props.put(DispatcherConfig.STATE_DIR.name(), dir.resolve("victim-state").toString());
    props.put(SenderConfig.TRANSACTIONAL_ID.name(), "crash.sender-victim");
    props.put(DispatcherConfig.HTTP_PORT.name(), Integer.toString(port));
    Path settings = dir.resolve("victim.properties");
    try (Writer writer = Files.newBufferedWriter(settings)) {
      props.store(writer, "the victim dispatcher");
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-Xmx384m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
        ChildDispatcher.class.getName(), settings.toString(), calls.toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("victim.log").toFile())
        .start();
  }

  private static boolean ready(int port) {
    try {
      HttpResponse<Void> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
              .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
      return response.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static String number(int i) {
    String prefix = PREFIXES.get(i % PREFIXES.size());
    int digits = prefix.equals("+447911") ? 6 : 8;
    return prefix + String.format("%0" + digits + "d", 100 + i);
  }

  private static int freePort() throws IOException {
    return FreePorts.pick();
  }
}
