package dev.relay.dispatcher;

import dev.relay.support.kafka.acl.ServiceAcls;
import dev.relay.support.kafka.acl.AclCheck;
import dev.relay.support.kafka.KafkaAccess;
import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.dispatcher.config.DispatcherSettings;
import dev.relay.dispatcher.config.LimitSettings;
import dev.relay.dispatcher.config.PumpingSettings;
import dev.relay.dispatcher.routing.RoutingTable;
import dev.relay.support.routing.RoutingTableFile;
import dev.relay.dispatcher.routing.RoutingTablePublisher;
import dev.relay.dispatcher.routing.ScoredRouting;
import dev.relay.dispatcher.topology.DispatcherTopology;
import dev.relay.dispatcher.topology.VerificationSecrets;
import dev.relay.providers.ProviderClient;
import dev.relay.providers.ProviderClients;
import dev.relay.schemas.topics.Topics;
import dev.relay.support.config.CommonKeys;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.http.ManagementServer;
import dev.relay.support.http.RelayHttp;
import dev.relay.dispatcher.admin.RoutingTableAdmin;
import dev.relay.dispatcher.http.StreamsVerificationLocator;
import dev.relay.dispatcher.http.VerificationQueryRoutes;
import dev.relay.support.kafka.KafkaConnections;
import dev.relay.support.kafka.StartupBacklog;
import dev.relay.support.kafka.TopicProvisioner;
import dev.relay.support.runtime.RelayService;
import dev.relay.support.streams.IdlePollClients;
import dev.relay.support.streams.WallClockWakes;
import io.javalin.Javalin;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher as a running service: the Kafka Streams app that owns every verification, a small
 * HTTP server for health and metrics, and with a query token the internal endpoint the API reads
 * verifications from (its address is the Streams {@code application.server}, so every instance knows
 * which one owns a number). The send commands it emits are carried out by the {@code sender} service.
 * Ready when Streams is {@code RUNNING}. Everything the config can get wrong (limits, routing, keys,
 * providers named in routes) is refused when the service is built, before anything starts.
 */
public final class DispatcherService implements RelayService {

  public static final String NAME = "dispatcher";

  private static final Logger LOG = LoggerFactory.getLogger(DispatcherService.class);
  private static final Duration PROVISION_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
  /** Often enough that readiness follows the backlog's end within a fraction of the API's reply timeout. */
  private static final Duration BACKLOG_CHECK_INTERVAL = Duration.ofMillis(500);
  private static final Duration BACKLOG_CHECK_TIMEOUT = Duration.ofSeconds(5);

  private final KafkaAccess kafka;
  private final Topics topics;
  private final DispatcherSettings settings;
  private final LimitSettings limits;
  private final PumpingSettings pumping;
  private final RoutingTable routing;
  private final ScoredRouting scoredRouting;
  /** The operator's table file, published at start-up when no table is published yet; null without one. */
  private final Path tableFile;
  private final VerificationSecrets secrets;
  private final Map<String, ProviderClient> providers;
  private final String httpHost;
  private final java.util.OptionalInt managementPort;
  private final int httpPort;
  private final String adminToken;
  /** The status-read endpoint's token; empty: no such endpoint (VerificationQueryRoutes). */
  private final String queryToken;
  private final int queryPort;
  private final String queryHost;
  private final Duration queryForwardTimeout;
  private final Runnable onFatal;
  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicBoolean fatal = new AtomicBoolean();

  /** Volatile: the query endpoint's threads read it, and it serves before the streams exist. */
  private volatile KafkaStreams streams;
  /** Checks, until it is done, the input that waited for the dispatcher when it started. */
  private ScheduledExecutorService backlogWatch;
  private volatile boolean backlogDone;
  private KafkaStreamsMetrics streamsMetrics;
  private Javalin http;
  private ManagementServer management;
  private Javalin queries;

  /** With the vendors' clients as configured ({@link ProviderClients#fromConfig}); how the launcher builds it. */
  public DispatcherService(RelayConfig config) {
    this(config, ProviderClients.fromConfig(config));
  }

  /** A service that, on a fatal error, stops being ready and logs; the caller decides about the process. */
  public DispatcherService(RelayConfig config, Map<String, ProviderClient> providers) {
    this(config, providers, () -> { });
  }

  /**
   * @param providers the provider clients by name: routes may name only these
   * @param onFatal run once when Streams stops for good (the launcher exits non-zero)
   */
  public DispatcherService(RelayConfig config, Map<String, ProviderClient> providers, Runnable onFatal) {
    this.kafka = KafkaAccess.from(config);
    this.topics = Topics.fromConfig(config.lookup());
    this.settings = DispatcherSettings.from(config);
    this.limits = LimitSettings.from(config);
    if (settings.retention().compareTo(limits.perNumberHorizon()) < 0) {
      // A finished verification carries its number's sends, which the per-number limits count for their window.
      LOG.warn("{} is {}, shorter than the longest per-number limit window: finished verifications are kept {}",
          DispatcherConfig.RETENTION.name(), settings.retention(), limits.perNumberHorizon());
    }
    this.pumping = PumpingSettings.from(config);
    this.routing = RoutingTable.fromConfig(config);
    this.routing.requireProviders(providers.keySet());
    this.scoredRouting = ScoredRouting.fromConfig(config, routing);
    this.tableFile = config.find(DispatcherConfig.TABLE_FILE).map(String::trim).filter(f -> !f.isEmpty())
        .map(Path::of).orElse(null);
    if (tableFile != null) {
      // A bad file stops the service here, before anything is published.
      RoutingTable.fromVersion(RoutingTableFile.read(tableFile, 0, java.time.Instant.EPOCH, null))
          .requireProviders(providers.keySet());
    }
    this.secrets = VerificationSecrets.fromConfig(config, settings.codeLength());
    this.providers = Map.copyOf(providers);
    this.httpHost = config.get(DispatcherConfig.HTTP_HOST);
    this.httpPort = config.getInt(DispatcherConfig.HTTP_PORT);
    this.managementPort = CommonKeys.managementPort(config);
    this.adminToken = config.get(DispatcherConfig.ADMIN_TOKEN).trim();
    this.queryToken = config.get(DispatcherConfig.QUERY_TOKEN).trim();
    this.queryPort = config.getInt(DispatcherConfig.QUERY_PORT);
    this.queryHost = config.find(DispatcherConfig.QUERY_HOST).map(String::trim).filter(host -> !host.isEmpty())
        .orElseGet(() -> queryToken.isEmpty() ? "" : localHostName());
    this.queryForwardTimeout = config.getDuration(DispatcherConfig.QUERY_FORWARD_TIMEOUT);
    this.onFatal = onFatal;
  }

  /**
   * What the dispatcher's Kafka principal must be allowed: its Streams app (the lifecycle), the
   * routing table it publishes, and a look at every topic, which it checks exist at start-up. It
   * writes send commands and reads their results (carrying them out is the sender's), tells scoring
   * each send's delivery outcome and every other fact of a route, and asks dlr-ingest's poller for the status of sends whose receipt is overdue.
   */
  public static ServiceAcls kafkaAcls(Topics topics, String applicationId) {
    return ServiceAcls.builder(NAME)
        .describe(topics.all())
        .read(topics.verificationRequests, topics.codeChecks, topics.sendResults, topics.deliveryReceipts,
            topics.verificationEvents, topics.providerScores, topics.routingTable, topics.blockedPrefixes,
            topics.requestBlocks)
        .write(topics.sendCommands, topics.verificationReplies, topics.verificationEvents, topics.deliveryOutcomes, topics.routeFacts,
            topics.receiptPolls, topics.deadLetters, topics.blockedPrefixes, topics.routingTable, topics.requestBlocks)
        .streamsApp(applicationId)
        .build();
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public synchronized void start() {
    if (streams != null) {
      throw new IllegalStateException("the dispatcher was started already");
    }
    TopicProvisioner.ensure(kafka, topics.all(), PROVISION_TIMEOUT);
    AclCheck.verify(kafka, kafkaAcls(topics, settings.applicationId()), PROVISION_TIMEOUT);
    if (tableFile != null && new RoutingTablePublisher(kafka, topics, Clock.systemUTC())
        .publishIfNoneYet(tableFile, "dispatcher:" + settings.applicationId())) {
      LOG.info("routing table from {} published", tableFile);
    }

    Properties streamsProperties = DispatcherTopology.streamsProperties(kafka, settings, topics);
    if (!queryToken.isEmpty()) {
      // Bound first, so a picked port (0) is what the other instances learn as this one's address.
      queries = startQueries();
      streamsProperties.put(StreamsConfig.APPLICATION_SERVER_CONFIG, queryHost + ":" + queries.port());
    }
    watchStartupBacklog();
    // A person waits on the dispatcher's answers and timeouts: neither its commits nor its deadlines may wait
    // for an idle poll.
    WallClockWakes wakes = new WallClockWakes();
    streams = new KafkaStreams(
        DispatcherTopology.build(topics, settings, limits, pumping, scoredRouting, secrets, metrics, wakes),
        streamsProperties, new IdlePollClients(settings.commitInterval(), wakes));
    streams.setUncaughtExceptionHandler(error -> {
      LOG.error("the dispatcher's stream thread failed", error);
      fatal("stream thread failed");
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    streams.setStateListener((next, previous) -> {
      LOG.info("dispatcher streams {} -> {}", previous, next);
      if (next == KafkaStreams.State.ERROR) {
        fatal("streams in ERROR");
      }
    });
    streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(metrics);
    streams.start();

    management = ManagementServer.start(managementPort, httpHost, NAME, this::isReady, metrics);
    http = RelayHttp.create(NAME, this::isReady, metrics, !management.enabled());
    if (!adminToken.isEmpty()) {
      RoutingTablePublisher publisher = new RoutingTablePublisher(kafka, topics, Clock.systemUTC());
      new RoutingTableAdmin(adminToken, providers.keySet(), publisher::publish, Clock.systemUTC()).register(http);
    }
    http.start(httpHost, httpPort);
    LOG.info("dispatcher routes {} providers {}, health on {}", routing.providers(), providers.keySet(), endpoint());
    if (settings.receiptPolls().enabled()) {
      LOG.info("status polls of overdue receipts: {}", settings.receiptPolls().describe());
    }
  }

  private Javalin startQueries() {
    Javalin server = RelayHttp.create(NAME + "-queries", this::isReady, metrics, false);
    // The address is known once bound; the locator reads it then, before any request can arrive.
    java.util.concurrent.atomic.AtomicReference<HostInfo> self = new java.util.concurrent.atomic.AtomicReference<>();
    new VerificationQueryRoutes(new StreamsVerificationLocator(() -> streams, self::get), queryToken, queryForwardTimeout,
        Clock.systemUTC()).register(server);
    server.start(httpHost, queryPort);
    self.set(new HostInfo(queryHost, server.port()));
    return server;
  }

  private static String localHostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      throw new dev.relay.support.config.ConfigException("this machine has no host name; set "
          + DispatcherConfig.QUERY_HOST.name());
    }
  }

  @Override
  public boolean isReady() {
    KafkaStreams running = streams;
    // RUNNING comes only after every task's state is restored; the backlog, once the requests written
    // while it was down are answered (before that, a request now waits behind them and its caller's
    // wait for the reply ends first); the connection check notices a broker gone, which Streams itself
    // rides out in RUNNING.
    return !fatal.get() && running != null && running.state() == KafkaStreams.State.RUNNING && backlogDone
        && KafkaConnections.ofStreams(running::metrics).connected();
  }

  @Override
  public String endpoint() {
    return http == null ? "" : "http://" + httpHost + ":" + http.port();
  }

  /** The port the health and metrics server listens on (the configured one, or the one picked for 0). */
  public int httpPort() {
    return http == null ? httpPort : http.port();
  }

  /** The port of the status-read endpoint, when {@code relay.dispatcher.query-token} is set and it is started. */
  public java.util.OptionalInt queryPort() {
    Javalin server = queries;
    return server == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(server.port());
  }

  /** The port of /metrics and health when {@code relay.management.port} is set. */
  public java.util.OptionalInt managementPort() {
    return management == null ? java.util.OptionalInt.empty() : management.port();
  }

  public PrometheusMeterRegistry metrics() {
    return metrics;
  }

  @Override
  public synchronized void close() {
    if (http != null) {
      http.stop();
      http = null;
    }
    if (management != null) {
      management.close();
      management = null;
    }
    if (queries != null) {
      queries.stop();
      queries = null;
    }
    if (streams != null) {
      // Leave the group: otherwise this instance's partitions, and the timeouts in them, wait a whole
      // session timeout before another instance (or this one, restarted) takes them over.
      streams.close(CloseOptions.timeout(CLOSE_TIMEOUT)
          .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    }
    if (streamsMetrics != null) {
      streamsMetrics.close();
    }
    if (backlogWatch != null) {
      backlogWatch.shutdownNow();
    }
  }

  /**
   * Notes what waits in the dispatcher's input now, before its consumers start, and checks the group's
   * progress through it while Streams runs, until it is done (see {@link StartupBacklog}).
   */
  private void watchStartupBacklog() {
    StartupBacklog backlog;
    try {
      backlog = StartupBacklog.snapshot(kafka, settings.applicationId(), PROVISION_TIMEOUT);
    } catch (IllegalStateException e) {
      // The broker answered the provisioning a moment ago; without the offsets, readiness is RUNNING alone.
      LOG.warn("cannot tell what input waits for the dispatcher; ready without working it off first", e);
      backlog = StartupBacklog.none();
    }
    if (backlog.waiting().isEmpty()) {
      backlogDone = true;
      return;
    }
    StartupBacklog waiting = backlog;
    backlogWatch = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "dispatcher-startup-backlog");
      thread.setDaemon(true);
      return thread;
    });
    backlogWatch.scheduleWithFixedDelay(() -> {
      KafkaStreams running = streams;
      if (running != null && running.state() == KafkaStreams.State.RUNNING && waiting.check(BACKLOG_CHECK_TIMEOUT)) {
        LOG.info("dispatcher worked off the input that waited for it at start");
        backlogDone = true;
        backlogWatch.shutdown();
      }
    }, BACKLOG_CHECK_INTERVAL.toMillis(), BACKLOG_CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void fatal(String why) {
    if (fatal.compareAndSet(false, true)) {
      LOG.error("the dispatcher cannot go on: {}", why);
      onFatal.run();
    }
  }
}
