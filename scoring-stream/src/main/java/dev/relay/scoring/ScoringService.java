package dev.relay.scoring;

import dev.relay.support.config.CommonKeys;
import dev.relay.support.kafka.acl.ServiceAcls;
import dev.relay.support.kafka.acl.AclCheck;
import dev.relay.support.kafka.KafkaAccess;
import dev.relay.schemas.topics.Topic;
import dev.relay.schemas.topics.Topics;
import dev.relay.scoring.config.AlertSettings;
import dev.relay.scoring.config.ConsoleSettings;
import dev.relay.scoring.config.DemotionSettings;
import dev.relay.scoring.console.ConsoleFeed;
import dev.relay.scoring.console.ConsoleHistory;
import dev.relay.scoring.console.ConsoleRoutes;
import dev.relay.scoring.console.RoutingExplainer;
import dev.relay.scoring.console.VerificationLookup;
import dev.relay.scoring.config.ScoringConfig;
import dev.relay.scoring.config.ScoringSettings;
import dev.relay.scoring.model.RouteKey;
import dev.relay.scoring.model.RouteScore;
import dev.relay.scoring.topology.ScoringTopology;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.http.ApiError;
import dev.relay.support.http.ManagementServer;
import dev.relay.support.http.RelayHttp;
import dev.relay.support.kafka.TopicProvisioner;
import dev.relay.support.runtime.RelayService;
import dev.relay.support.streams.IdlePollClients;
import dev.relay.support.streams.StreamsShutdown;
import io.javalin.Javalin;
import io.javalin.http.Context;
import dev.relay.support.kafka.KafkaConnections;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.QueryableStoreType;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.apache.kafka.streams.kstream.Windowed;
import dev.relay.schemas.ProviderAlert;
import java.time.Instant;
import java.util.Comparator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the scoring topology: provisions its topics, starts Kafka Streams under exactly-once, and
 * serves health, metrics and the scores this instance holds over HTTP. Ready while the streams
 * client is {@code RUNNING} (state restored). A fatal stream error shuts the client down and is
 * handed to {@code onFatal}, which in a process exits non-zero.
 */
public final class ScoringService implements RelayService {

  public static final String NAME = "scoring-stream";
  private static final Logger LOG = LoggerFactory.getLogger(ScoringService.class);
  private static final Duration PROVISION_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
  /** An alert is stamped with the scoring instance's clock; another instance's may run a little ahead. */
  private static final Duration ALERT_CLOCK_SKEW = Duration.ofMinutes(1);

  private final RelayConfig config;
  private final Topics topics;
  private final ScoringSettings settings;
  private final AlertSettings alerts;
  private final DemotionSettings demotion;
  private final ConsoleSettings console;
  private final Consumer<Throwable> onFatal;
  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private KafkaStreams streams;
  private KafkaStreamsMetrics streamsMetrics;
  private Javalin http;
  private ManagementServer management;
  private ConsoleFeed consoleFeed;

  public ScoringService(RelayConfig config) {
    this(config, error -> { });
  }

  public ScoringService(RelayConfig config, Consumer<Throwable> onFatal) {
    this.config = config;
    this.topics = Topics.fromConfig(config.lookup());
    this.settings = ScoringSettings.from(config);
    this.alerts = AlertSettings.from(config);
    this.demotion = DemotionSettings.from(config);
    this.console = ConsoleSettings.from(config);
    this.onFatal = onFatal;
  }

  /** What scoring's Kafka principal must be allowed: its Streams app, the facts it reads, the scores and alerts it writes. */
  public static ServiceAcls kafkaAcls(Topics topics, String applicationId) {
    return ServiceAcls.builder(NAME)
        .describe(used(topics))
        .read(topics.routeFacts, topics.deliveryOutcomes, topics.providerScores,
            // The console reads its history, alerts and the routing table back (no consumer group).
            topics.providerScoreHistory, topics.providerAlerts, topics.routingTable)
        .write(topics.providerScores, topics.providerScoreHistory, topics.providerAlerts, topics.deadLetters)
        .streamsApp(applicationId)
        .build();
  }

  private static List<Topic<?, ?>> used(Topics topics) {
    return List.of(topics.routeFacts, topics.deliveryOutcomes,
        topics.providerScores, topics.providerScoreHistory, topics.providerAlerts, topics.routingTable, topics.deadLetters);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public synchronized void start() {
    if (streams != null) {
      throw new IllegalStateException(NAME + " is already started");
    }
    KafkaAccess kafka = KafkaAccess.from(config);
    List<Topic<?, ?>> used = used(topics);
    TopicProvisioner.ensure(kafka, used, PROVISION_TIMEOUT);
    AclCheck.verify(kafka, kafkaAcls(topics, config.get(ScoringConfig.APPLICATION_ID)), PROVISION_TIMEOUT);

    Properties properties = ScoringTopology.streamsProperties(kafka, config.get(ScoringConfig.APPLICATION_ID),
        Path.of(config.get(ScoringConfig.STATE_DIR)), config.getDuration(ScoringConfig.COMMIT_INTERVAL), topics);
    // The idle poll is long (ScoringTopology.IDLE_POLL); these clients keep the start from waiting on it.
    streams = new KafkaStreams(ScoringTopology.build(topics, settings, alerts, demotion), properties,
        new IdlePollClients(config.getDuration(ScoringConfig.COMMIT_INTERVAL)));
    streams.setUncaughtExceptionHandler(error -> {
      LOG.error("{} stops on a fatal stream error", NAME, error);
      onFatal.accept(error);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(metrics);

    management = ManagementServer.start(CommonKeys.managementPort(config), config.get(ScoringConfig.HTTP_HOST), NAME,
        this::isReady, metrics);
    http = RelayHttp.create(NAME, this::isReady, metrics, !management.enabled());
    http.get("/scores", ctx -> ctx.json(localScores()));
    http.get("/scores/{provider}/{country}/{channel}", this::oneScore);
    http.get("/alerts", ctx -> ctx.json(recentAlerts()));
    ConsoleHistory history = new ConsoleHistory(Clock.systemUTC(), console.history(), console.historyPoints());
    consoleFeed = ConsoleFeed.start(kafka, topics, history, console.history(), Clock.systemUTC());
    new ConsoleRoutes(history, ConsoleRoutes.configuredTable(console.smsRoutes(), console.voiceRoutes()),
        new RoutingExplainer(console.routing()),
        new VerificationLookup(console.apiUrl(), console.lookupTimeout()), consoleFeed::running, Clock.systemUTC())
        .register(http);
    StatusPage.register(http);
    http.start(config.get(ScoringConfig.HTTP_HOST), config.getInt(ScoringConfig.HTTP_PORT));
    streams.start();
  }

  @Override
  public boolean isReady() {
    KafkaStreams current = streams;
    // RUNNING comes only after every task's state is restored; the connection check notices a broker
    // gone, which Streams itself rides out in RUNNING.
    return current != null && current.state() == KafkaStreams.State.RUNNING
        && KafkaConnections.ofStreams(current::metrics).connected();
  }

  @Override
  public String endpoint() {
    return http == null ? "" : "http://" + config.get(ScoringConfig.HTTP_HOST) + ":" + http.port();
  }

  /** The HTTP port actually bound (the configured one, or the one picked for port 0). */
  public int httpPort() {
    if (http == null) {
      throw new IllegalStateException(NAME + " is not started");
    }
    return http.port();
  }

  /** The port of /metrics and health when {@code relay.management.port} is set. */
  public java.util.OptionalInt managementPort() {
    return management == null ? java.util.OptionalInt.empty() : management.port();
  }

  @Override
  public synchronized void close() {
    if (http != null) {
      http.stop();
    }
    if (management != null) {
      management.close();
    }
    if (consoleFeed != null) {
      consoleFeed.close();
    }
    if (streams != null) {
      StreamsShutdown.closeLeavingGroup(streams, CLOSE_TIMEOUT);
    }
    if (streamsMetrics != null) {
      streamsMetrics.close();
    }
    metrics.close();
  }

  /** Scores of the routes whose partitions this instance owns; each instance serves its own. */
  private List<RouteScore> localScores() {
    List<RouteScore> scores = new ArrayList<>();
    try (KeyValueIterator<String, RouteScore> all = scoreStore().all()) {
      while (all.hasNext()) {
        KeyValue<String, RouteScore> entry = all.next();
        // A score an earlier release stored reads as absent until the route is published again.
        if (entry.value != null) {
          scores.add(entry.value);
        }
      }
    } catch (InvalidStateStoreException e) {
      throw ApiError.unavailable("scores are being restored or rebalanced");
    }
    return scores;
  }

  /**
   * The alerts this instance raised in the last {@link ScoringTopology#RECENT_ALERTS_RETENTION}, oldest
   * first, from the recent-alerts store (so they survive a restart); each instance serves the routes
   * it owns, as with {@code /scores}.
   */
  private List<AlertView> recentAlerts() {
    Instant now = Instant.now();
    List<AlertView> alerts = new ArrayList<>();
    ReadOnlyWindowStore<String, ProviderAlert> store = store(ScoringTopology.RECENT_ALERTS_STORE, QueryableStoreTypes.windowStore());
    try (KeyValueIterator<Windowed<String>, ProviderAlert> all =
        store.fetchAll(now.minus(ScoringTopology.RECENT_ALERTS_RETENTION), now.plus(ALERT_CLOCK_SKEW))) {
      while (all.hasNext()) {
        alerts.add(AlertView.of(all.next().value));
      }
    } catch (InvalidStateStoreException e) {
      throw ApiError.unavailable("alerts are being restored or rebalanced");
    }
    alerts.sort(Comparator.comparing(AlertView::raisedAt));
    return alerts;
  }

  /** One alert as {@code GET /alerts} serves it. */
  record AlertView(String alertId, String provider, String country, String channel, String kind, String metric,
      double baselineRate, double currentRate, double dropPoints, long baselineSamples, long currentSamples,
      Double score, Instant raisedAt) {

    static AlertView of(ProviderAlert alert) {
      return new AlertView(alert.getAlertId(), alert.getProvider(), alert.getCountry(), alert.getChannel().name(),
          alert.getKind().name(), alert.getMetric().name(), alert.getBaselineRate(), alert.getCurrentRate(),
          alert.getDropPoints(), alert.getBaselineSamples(), alert.getCurrentSamples(), alert.getScore(),
          alert.getRaisedAt());
    }
  }

  private void oneScore(Context ctx) {
    RouteKey route;
    try {
      route = RouteKey.parse(ctx.pathParam("provider") + "|" + ctx.pathParam("country") + "|" + ctx.pathParam("channel"));
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("bad_route", "a route is /scores/{provider}/{country}/{sms|voice}");
    }
    RouteScore score;
    try {
      score = scoreStore().get(route.value());
    } catch (InvalidStateStoreException e) {
      throw ApiError.unavailable("scores are being restored or rebalanced");
    }
    if (score == null) {
      throw ApiError.notFound("no recent score for " + route.value() + " on this instance");
    }
    ctx.json(score);
  }

  private ReadOnlyKeyValueStore<String, RouteScore> scoreStore() {
    return store(ScoringTopology.ROUTE_SCORES_STORE, QueryableStoreTypes.keyValueStore());
  }

  private <T> T store(String name, QueryableStoreType<T> type) {
    if (!isReady()) {
      throw ApiError.unavailable(NAME + " is not running");
    }
    try {
      return streams.store(StoreQueryParameters.fromNameAndType(name, type));
    } catch (InvalidStateStoreException e) {
      throw ApiError.unavailable("state is being restored or rebalanced");
    }
  }
}
