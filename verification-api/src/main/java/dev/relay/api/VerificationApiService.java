package dev.relay.api;

import dev.relay.api.admin.BlockedPrefixes;
import dev.relay.api.admin.KafkaBlockedPrefixes;
import dev.relay.api.config.ApiConfig;
import dev.relay.api.dispatch.DispatcherAdmission;
import dev.relay.api.dispatch.DispatcherLink;
import dev.relay.api.dispatch.HttpVerificationReader;
import dev.relay.api.dispatch.VerificationReader;
import dev.relay.api.dispatch.KafkaDispatcherLink;
import dev.relay.api.http.AdminRoutes;
import dev.relay.api.http.ServiceRoutes;
import dev.relay.api.services.KafkaServices;
import dev.relay.api.services.Services;
import dev.relay.api.http.CheckLimits;
import dev.relay.api.http.IdempotencyKeys;
import dev.relay.api.http.NumberPolicy;
import dev.relay.api.http.VerificationRoutes;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.http.ManagementServer;
import dev.relay.support.http.RelayHttp;
import dev.relay.support.runtime.RelayService;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * verification-api as a deployable service: connects its link to the dispatcher, then serves the
 * public HTTP API; ready while the link can produce and sees replies. Stateless, so any number of
 * instances can run side by side.
 */
public final class VerificationApiService implements RelayService {

  public static final String NAME = "verification-api";
  private static final Logger LOG = LoggerFactory.getLogger(VerificationApiService.class);

  private final ApiConfig config;
  private final Function<ApiConfig, DispatcherLink> links;
  private final Function<ApiConfig, BlockedPrefixes> blockedPrefixes;
  private final Function<ApiConfig, VerificationReader> readers;
  private final Function<ApiConfig, Services> services;
  private final Clock clock;
  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  private volatile DispatcherLink link;
  private volatile Javalin app;
  private volatile ManagementServer management;

  /** The production wiring: the dispatcher and the blocked prefixes reached through Kafka. */
  public VerificationApiService(RelayConfig config) {
    this(new ApiConfig(config), KafkaDispatcherLink::create, Clock.systemUTC());
  }

  /** @param links makes the link to the dispatcher at start (the route tests pass a fake) */
  public VerificationApiService(ApiConfig config, Function<ApiConfig, DispatcherLink> links, Clock clock) {
    this(config, links, KafkaBlockedPrefixes::create, clock);
  }

  /** @param blockedPrefixes makes the admin endpoints' view of the blocked prefixes at start */
  public VerificationApiService(ApiConfig config, Function<ApiConfig, DispatcherLink> links,
      Function<ApiConfig, BlockedPrefixes> blockedPrefixes, Clock clock) {
    this(config, links, blockedPrefixes, VerificationApiService::httpReader, clock);
  }

  /** @param readers makes the reader of the dispatcher's state (status reads, the admin lookup) at start */
  public VerificationApiService(ApiConfig config, Function<ApiConfig, DispatcherLink> links,
      Function<ApiConfig, BlockedPrefixes> blockedPrefixes, Function<ApiConfig, VerificationReader> readers, Clock clock) {
    this(config, links, blockedPrefixes, readers, KafkaServices::create, clock);
  }

  /** @param services makes the services (tenants) the admin endpoints manage and starts apply, at start */
  public VerificationApiService(ApiConfig config, Function<ApiConfig, DispatcherLink> links,
      Function<ApiConfig, BlockedPrefixes> blockedPrefixes, Function<ApiConfig, VerificationReader> readers,
      Function<ApiConfig, Services> services, Clock clock) {
    this.config = config;
    this.links = links;
    this.blockedPrefixes = blockedPrefixes;
    this.readers = readers;
    this.services = services;
    this.clock = clock;
  }

  /** The dispatchers' query endpoints, as configured. */
  public static VerificationReader httpReader(ApiConfig config) {
    return new HttpVerificationReader(config.dispatcherQueryUrls(), config.dispatcherQueryToken(),
        config.dispatcherQueryTimeout());
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public synchronized void start() {
    if (app != null) {
      throw new IllegalStateException(NAME + " is already started");
    }
    if (!config.apiKeys().required()) {
      // ApiConfig refuses this unless the development switch is on; say it where nobody can miss it.
      LOG.warn("*** {}=true and {} is empty: the API answers EVERY caller without an API key. Development only;"
          + " never expose this instance. ***", ApiConfig.ALLOW_UNAUTHENTICATED.name(), ApiConfig.API_KEYS.name());
    }
    link = links.apply(config);
    try {
      link.start();
      link.bindMetrics(metrics);
      management = ManagementServer.start(config.managementPort(), config.httpHost(), NAME, this::isReady, metrics);
      Javalin server = RelayHttp.create(NAME, this::isReady, metrics, !management.enabled());
      VerificationReader reader = readers.apply(config);
      Services tenants = services.apply(config);
      new VerificationRoutes(link, new DispatcherAdmission(config.overloadLimits(), clock, metrics), reader, config.ids(),
          config.guessSealer(), new NumberPolicy(config.enabledCountries(), config.requireMobile(), config.channels()),
          config.codeLength(), config.apiKeys(), config.clientAddresses(),
          new CheckLimits(config.checksPerIp(), config.checksPerApiKey(), clock),
          new IdempotencyKeys(config.idempotencyWindow(), clock), tenants, clock).register(server);
      new AdminRoutes(blockedPrefixes.apply(config), reader, config.ids(), config.adminKeys(), clock).register(server);
      new ServiceRoutes(tenants, clock).register(server);
      server.start(config.httpHost(), config.httpPort());
      app = server;
    } catch (RuntimeException e) {
      closeManagement();
      link.close();
      link = null;
      throw e;
    }
  }

  @Override
  public boolean isReady() {
    DispatcherLink current = link;
    return app != null && current != null && current.isReady();
  }

  @Override
  public String endpoint() {
    return app == null ? "" : "http://" + config.httpHost() + ":" + app.port();
  }

  /** The port the server listens on; with {@code relay.http.port=0}, the one it picked. */
  public int port() {
    if (app == null) {
      throw new IllegalStateException(NAME + " is not started");
    }
    return app.port();
  }

  /** The port of /metrics and health when {@code relay.management.port} is set. */
  public java.util.OptionalInt managementPort() {
    ManagementServer current = management;
    return current == null ? java.util.OptionalInt.empty() : current.port();
  }

  private void closeManagement() {
    if (management != null) {
      management.close();
      management = null;
    }
  }

  @Override
  public synchronized void close() {
    // The server first: no new request may reach a link that is closing.
    if (app != null) {
      app.stop();
      app = null;
    }
    closeManagement();
    if (link != null) {
      link.close();
      link = null;
    }
    metrics.close();
  }
}
