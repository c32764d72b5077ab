package dev.relay.local;

import dev.relay.support.kafka.KafkaAccess;
import dev.relay.api.VerificationApiService;
import dev.relay.api.http.ApiKeys;
import dev.relay.api.config.ApiConfig;
import dev.relay.dispatcher.DispatcherService;
import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.dlr.DlrIngestService;
import dev.relay.dlr.config.DlrConfig;
import dev.relay.kafka.embedded.DeadGroupMembers;
import dev.relay.kafka.embedded.EmbeddedKafkaCluster;
import dev.relay.kafka.embedded.HangingTransactions;
import dev.relay.schemas.topics.Topics;
import dev.relay.scoring.ScoringService;
import dev.relay.sender.SenderService;
import dev.relay.sender.config.SenderConfig;
import dev.relay.scoring.config.ScoringConfig;
import dev.relay.sim.SimService;
import dev.relay.sim.config.SimConfig;
import dev.relay.support.config.CommonKeys;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.kafka.TopicProvisioner;
import dev.relay.support.runtime.RelayService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole of Relay on one machine: an embedded KRaft broker, the provider simulator, dlr-ingest,
 * the dispatcher, the sender, scoring and the API, wired to each other over loopback exactly as separately
 * deployed services would be (the same service classes and config keys), with every byte of state
 * under one data directory so a restart resumes where it stopped.
 */
public final class LocalStack implements AutoCloseable {

  /** The Content SID of the WhatsApp template the local Twilio account is configured with (the simulator's). */
  private static final String SIMULATED_WHATSAPP_TEMPLATE = "HX" + "0".repeat(31) + "1";

  private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);
  private static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(30);
  /** Includes the wait for the coordinator to end the transactions it is still ending itself. */
  private static final Duration HANGING_TRANSACTIONS_TIMEOUT = Duration.ofSeconds(60);
  /** Includes the wait for the coordinator to load the groups. */
  private static final Duration DEAD_MEMBERS_TIMEOUT = Duration.ofSeconds(30);

  private final LocalStackSettings settings;
  private final Map<String, Map<String, String>> overrides;
  /** A cluster the caller started and owns, or null when the stack runs its own single broker. */
  private final EmbeddedKafkaCluster externalKafka;
  private final List<RelayService> services = new ArrayList<>();
  private EmbeddedKafkaCluster kafka;
  private DataDirectoryLock dataLock;
  /** Given to every service: the embedded broker's topic layout ({@link LocalPartitions}); none with an external cluster. */
  private Map<String, String> topicSettings = Map.of();
  private volatile String apiKey;
  private volatile String adminKey;

  public LocalStack(LocalStackSettings settings) {
    this(settings, Map.of());
  }

  /**
   * @param overrides settings applied last, per service name ({@code SimService.NAME}, {@code DlrIngestService.NAME},
   *     ...): for scenario runs and tests that need, say, a short delivery window
   */
  public LocalStack(LocalStackSettings settings, Map<String, Map<String, String>> overrides) {
    this(settings, overrides, null);
  }

  /**
   * The services on a cluster the caller has started (say three brokers, for a failure test) and will
   * close; {@code settings.kafkaPort()} is unused. The stack then provisions no topics itself: the
   * services create theirs from their own config, so {@code relay.topics.replication-factor} in the
   * overrides decides how the topics are replicated.
   */
  public LocalStack(LocalStackSettings settings, Map<String, Map<String, String>> overrides,
      EmbeddedKafkaCluster externalKafka) {
    this.settings = settings;
    this.overrides = Map.copyOf(overrides);
    this.externalKafka = externalKafka;
  }

  /**
   * Starts the broker and every service, in the order their dependencies need. A start that fails part-way
   * closes what it had started before it throws: a service left running would hold its port, its group
   * membership and the data directory's lock for the rest of the process.
   */
  public synchronized void start() {
    try {
      startInOrder();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private void startInOrder() {
    dataLock = DataDirectoryLock.acquire(settings.dataDir());
    LocalSecrets secrets = LocalSecrets.loadOrCreate(settings.dataDir());
    String bootstrap;
    if (externalKafka == null) {
      kafka = EmbeddedKafkaCluster.builder()
          .dataDirectory(settings.dataDir().resolve("kafka"))
          .port(settings.kafkaPort())
          .build();
      kafka.start();
      bootstrap = kafka.bootstrapServers();
      // After a kill -9 the restarted broker can leave committed transactions open on some partitions,
      // which would stall the services' reads for ever; they are ended before any service starts.
      try {
        HangingTransactions.complete(bootstrap, HANGING_TRANSACTIONS_TIMEOUT);
      } catch (RuntimeException e) {
        // Start anyway: the services may still get going when their own producers end what is left.
        LOG.error("could not end the transactions left open by the last run; reads may stall on them", e);
      }
      // The members a killed run left in the services' groups would hold their partitions until each
      // session ran out, counted from the broker's restart; nothing else uses this broker, so they go.
      try {
        List<String> groups = DeadGroupMembers.removeAll(bootstrap, DEAD_MEMBERS_TIMEOUT);
        if (!groups.isEmpty()) {
          LOG.info("removed the last run's members from groups {}", groups);
        }
      } catch (RuntimeException e) {
        LOG.warn("could not remove the last run's members from their groups; services wait out their sessions", e);
      }
      topicSettings = Map.of(Topics.PARTITIONS, Integer.toString(LocalPartitions.of(bootstrap, TOPIC_TIMEOUT)));
      TopicProvisioner.ensure(KafkaAccess.plaintext(bootstrap),
          Topics.fromConfig(key -> Optional.ofNullable(topicSettings.get(key))).all(), TOPIC_TIMEOUT);
    } else {
      bootstrap = externalKafka.bootstrapServers();
    }

    Map<String, String> providers = providerSettings(secrets);
    Map<String, String> sim = new HashMap<>();
    sim.put("relay.http.port", Integer.toString(settings.simPort()));
    sim.put("relay.sim.enabled", "true");
    sim.put("relay.sim.dlr-url", dlrUrl());
    sim.put("relay.sim.twilio.account-sid", secrets.get("twilio-account-sid"));
    sim.put("relay.sim.twilio.auth-token", secrets.get("twilio-auth-token"));
    sim.put("relay.sim.vonage.api-key", secrets.get("vonage-api-key"));
    sim.put("relay.sim.vonage.api-secret", secrets.get("vonage-api-secret"));
    sim.put("relay.sim.vonage.signature-secret", secrets.get("vonage-signature-secret"));
    sim.put("relay.sim.vonage.application-id", secrets.get(LocalSecrets.VONAGE_APPLICATION_ID));
    sim.put("relay.sim.vonage.application-public-key", secrets.get(LocalSecrets.VONAGE_PUBLIC_KEY));
    sim.put("relay.sim.plivo.auth-id", secrets.get("plivo-auth-id"));
    sim.put("relay.sim.plivo.auth-token", secrets.get("plivo-auth-token"));
    // Auto-verify stays off until a run turns it on (PUT /sim/auto-verify); it then calls our own API.
    sim.put("relay.sim.auto-verify.api-url", apiUrl());
    sim.put("relay.sim.auto-verify.api-key", secrets.get(LocalSecrets.API_KEY));
    startService(new SimService(RelayConfig.of(SimConfig.SCHEMA, overridden(SimService.NAME, sim))));

    Map<String, String> dlr = new HashMap<>(providers);
    dlr.put("relay.kafka.bootstrap-servers", bootstrap);
    dlr.put("relay.http.port", Integer.toString(settings.dlrPort()));
    startService(new DlrIngestService(RelayConfig.of(DlrConfig.SCHEMA, overridden(DlrIngestService.NAME, dlr))));

    Map<String, String> dispatcher = new HashMap<>(providers);
    dispatcher.putAll(secretSettings(secrets));
    dispatcher.put("relay.kafka.bootstrap-servers", bootstrap);
    dispatcher.put("relay.http.port", Integer.toString(settings.dispatcherPort()));
    dispatcher.put("relay.streams.state-dir", settings.dataDir().resolve("streams").toString());
    // Every local caller is 127.0.0.1: the production per-IP limits (5 starts a minute) would stop
    // a demo, a scenario test or a benchmark at once. Per-number limits stay as in production.
    dispatcher.put("relay.limits.per-ip", "6000/1m");
    // The simulator's calls cost nothing: the demo shows the whole failover chain, SMS then voice,
    // which a deployment switches on country by country.
    dispatcher.put("relay.fallback.voice-countries", "*");
    // WhatsApp when a caller asks for it; as a fallback step it needs relay.fallback.channel-order.
    dispatcher.put("relay.routing.whatsapp", "*:twilio,vonage");
    dispatcher.put("relay.limits.per-network", "6000/1m");
    dispatcher.put("relay.limits.per-api-key", "60000/1m");
    // The status-read endpoint the API reads verifications from: internal, so any free port will do.
    dispatcher.put(DispatcherConfig.QUERY_TOKEN.name(), secrets.get(LocalSecrets.DISPATCHER_QUERY_TOKEN));
    dispatcher.put(DispatcherConfig.QUERY_PORT.name(), "0");
    dispatcher.put(DispatcherConfig.QUERY_HOST.name(), "localhost");
    DispatcherService dispatcherService =
        new DispatcherService(RelayConfig.of(DispatcherConfig.SCHEMA, overridden(DispatcherService.NAME, dispatcher)));
    startService(dispatcherService);

    // The sender calls the providers for the dispatcher's commands: the vendors' credentials and the
    // key that opens sealed codes, nothing of the dispatcher's own.
    Map<String, String> sender = new HashMap<>(providers);
    sender.put("relay.secrets.code-encryption-keys", secrets.get("code-encryption-keys"));
    sender.put("relay.kafka.bootstrap-servers", bootstrap);
    sender.put("relay.http.port", Integer.toString(settings.senderPort()));
    startService(new SenderService(RelayConfig.of(SenderConfig.SCHEMA, overridden(SenderService.NAME, sender))));

    startService(new ScoringService(RelayConfig.of(ScoringConfig.SCHEMA, overridden(ScoringService.NAME, Map.of(
        "relay.kafka.bootstrap-servers", bootstrap,
        "relay.http.port", Integer.toString(settings.scoringPort()),
        "relay.streams.state-dir", settings.dataDir().resolve("streams").toString(),
        // The console's verification look-up is forwarded to the API, with the operator's admin key.
        "relay.scoring.console.api-url", apiUrl())))));

    Map<String, String> api = new HashMap<>(secretSettings(secrets));
    // The API seals guesses only: it gets neither code key.
    api.remove("relay.secrets.code-hmac-keys");
    api.remove("relay.secrets.code-encryption-keys");
    api.put("relay.kafka.bootstrap-servers", bootstrap);
    api.put("relay.http.port", Integer.toString(settings.apiPort()));
    // Every local caller is 127.0.0.1, as for the dispatcher's limits above: a demo or a benchmark
    // checks far more codes from one address than a person would.
    api.put("relay.api.checks-per-ip", "6000/1m");
    api.put("relay.api.checks-per-api-key", "60000/1m");
    api.put(ApiConfig.CHANNELS.name(), "*:sms,whatsapp,voice");
    api.put(ApiConfig.DISPATCHER_QUERY_TOKEN.name(), secrets.get(LocalSecrets.DISPATCHER_QUERY_TOKEN));
    dispatcherService.queryPort().ifPresent(port ->
        api.put(ApiConfig.DISPATCHER_QUERY_URLS.name(), "http://localhost:" + port));
    // Even locally the API takes only a key: the same 401 a deployment gives, seen from the first curl.
    api.put("relay.api.keys", ApiKeys.settingEntry(LocalSecrets.API_KEY_NAME, secrets.get(LocalSecrets.API_KEY)));
    apiKey = secrets.get(LocalSecrets.API_KEY);
    // The embedded run's own admin key; a deployment configures its own or has no admin endpoints.
    api.put("relay.api.admin-keys", ApiKeys.settingEntry(LocalSecrets.ADMIN_KEY_NAME, secrets.get(LocalSecrets.ADMIN_KEY)));
    adminKey = secrets.get(LocalSecrets.ADMIN_KEY);
    startService(new VerificationApiService(RelayConfig.of(ApiConfig.SCHEMA, overridden(VerificationApiService.NAME, api))));
  }

  public boolean isReady() {
    return !services.isEmpty() && services.stream().allMatch(RelayService::isReady);
  }

  /** Stops the broker, keeping its data and port, with every service left running: a Kafka outage. */
  public synchronized void stopBroker() {
    kafka().stop();
  }

  /** Starts the broker again after {@link #stopBroker()}, on the same data and port. */
  public synchronized void startBroker() {
    kafka().start();
  }

  public List<RelayService> services() {
    return List.copyOf(services);
  }

  public String bootstrapServers() {
    return kafka().bootstrapServers();
  }

  /** The embedded broker, for failure tests and benchmarks that stop, start or measure it. */
  public EmbeddedKafkaCluster kafka() {
    return externalKafka != null ? externalKafka : kafka;
  }

  public String apiUrl() {
    return "http://localhost:" + settings.apiPort();
  }

  /** The local development API key, for {@code Authorization: Bearer ...}; null before {@link #start}. */
  public String apiKey() {
    return apiKey;
  }

  /** The local admin key, for the admin endpoints ({@code /v1/admin/...}); null before {@link #start}. */
  public String adminKey() {
    return adminKey;
  }

  public String simUrl() {
    return "http://localhost:" + settings.simPort();
  }

  public String dlrUrl() {
    return "http://localhost:" + settings.dlrPort();
  }

  public LocalStackSettings settings() {
    return settings;
  }

  /** Stops services in reverse start order, then the broker unless the caller owns it; the data directory stays. */
  @Override
  public synchronized void close() {
    for (int i = services.size() - 1; i >= 0; i--) {
      RelayService service = services.get(i);
      try {
        service.close();
      } catch (RuntimeException e) {
        LOG.warn("{} did not close cleanly", service.name(), e);
      }
    }
    services.clear();
    if (kafka != null) {
      kafka.close();
      kafka = null;
    }
    if (dataLock != null) {
      dataLock.close();
      dataLock = null;
    }
  }

  private void startService(RelayService service) {
    service.start();
    services.add(service);
  }

  private Map<String, String> overridden(String service, Map<String, String> base) {
    Map<String, String> values = new HashMap<>();
    // Every service that reads Kafka reads the topics' layout too; the simulator reads neither.
    if (base.containsKey(CommonKeys.BOOTSTRAP_SERVERS.name())) {
      values.putAll(topicSettings);
    }
    values.putAll(base);
    values.putAll(overrides.getOrDefault(service, Map.of()));
    return values;
  }

  private Map<String, String> providerSettings(LocalSecrets secrets) {
    Map<String, String> values = new HashMap<>();
    // Plivo is enabled but in no default route (*:twilio,vonage): a route or a pin sends to it.
    values.put("relay.providers.enabled", "twilio,vonage,plivo");
    values.put("relay.dlr.public-url", dlrUrl());
    // Everything runs on this machine, over loopback: the one place plain http is acceptable.
    values.put("relay.dlr.allow-plain-http", "true");
    values.put("relay.providers.twilio.base-url", simUrl());
    values.put("relay.providers.twilio.account-sid", secrets.get("twilio-account-sid"));
    values.put("relay.providers.twilio.auth-token", secrets.get("twilio-auth-token"));
    values.put("relay.providers.twilio.from", "+15005550006");
    values.put("relay.providers.twilio.voice-from", "+15005550006");
    // WhatsApp through Twilio's Messages API with an approved template; the simulator takes any
    // well-formed Content SID, so this one stands for the operator's template.
    values.put("relay.providers.twilio.whatsapp-from", "+15005550006");
    values.put("relay.providers.twilio.whatsapp-content-sid", SIMULATED_WHATSAPP_TEMPLATE);
    values.put("relay.providers.vonage.base-url", simUrl());
    values.put("relay.providers.vonage.api-key", secrets.get("vonage-api-key"));
    values.put("relay.providers.vonage.api-secret", secrets.get("vonage-api-secret"));
    values.put("relay.providers.vonage.signature-secret", secrets.get("vonage-signature-secret"));
    values.put("relay.providers.vonage.from", "Relay");
    // WhatsApp through Vonage's Messages API, its JWTs signed with the local application's key; the
    // simulator verifies them with the public half and takes any template name.
    values.put("relay.providers.vonage.messages-base-url", simUrl());
    values.put("relay.providers.vonage.application-id", secrets.get(LocalSecrets.VONAGE_APPLICATION_ID));
    values.put("relay.providers.vonage.private-key", secrets.get(LocalSecrets.VONAGE_PRIVATE_KEY));
    values.put("relay.providers.vonage.whatsapp-from", "+15005550007");
    values.put("relay.providers.vonage.whatsapp-template", "relay_verification");
    values.put("relay.providers.plivo.base-url", simUrl());
    values.put("relay.providers.plivo.auth-id", secrets.get("plivo-auth-id"));
    values.put("relay.providers.plivo.auth-token", secrets.get("plivo-auth-token"));
    values.put("relay.providers.plivo.from", "15005550006");
    return values;
  }

  private static Map<String, String> secretSettings(LocalSecrets secrets) {
    return Map.of(
        "relay.secrets.code-hmac-keys", secrets.get("code-hmac-keys"),
        "relay.secrets.code-encryption-keys", secrets.get("code-encryption-keys"),
        "relay.secrets.guess-encryption-keys", secrets.get("guess-encryption-keys"),
        "relay.secrets.id-keys", secrets.get("id-keys"));
  }

  /** Where the stack keeps its state, and the ports it listens on. */
  public record LocalStackSettings(Path dataDir, int kafkaPort, int apiPort, int dispatcherPort, int dlrPort,
      int scoringPort, int simPort, int senderPort) {

    /** The sender's health and metrics on a port the system picks: for runs that never look at it. */
    public LocalStackSettings(Path dataDir, int kafkaPort, int apiPort, int dispatcherPort, int dlrPort,
        int scoringPort, int simPort) {
      this(dataDir, kafkaPort, apiPort, dispatcherPort, dlrPort, scoringPort, simPort, 0);
    }

    public static LocalStackSettings defaults(Path dataDir) {
      return new LocalStackSettings(dataDir, 9092, 8080, 8081, 8082, 8083, 8090, 8084);
    }
  }
}
