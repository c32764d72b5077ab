package dev.relay.sim;

import dev.relay.sim.admin.AdminApi;
import dev.relay.sim.callback.CallbackPoster;
import dev.relay.sim.config.SimConfig;
import dev.relay.sim.handset.Handsets;
import dev.relay.sim.handset.WhatsAppUsers;
import dev.relay.sim.plivo.PlivoMessageApi;
import dev.relay.sim.route.RouteBehaviourJson;
import dev.relay.sim.route.RouteBook;
import dev.relay.sim.twilio.TwilioApi;
import dev.relay.sim.user.AutoVerifier;
import dev.relay.sim.vendor.SendLog;
import dev.relay.sim.vonage.VonageMessagesApi;
import dev.relay.sim.vonage.VonageSmsApi;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.http.HttpClients;
import dev.relay.support.http.RelayHttp;
import dev.relay.support.runtime.RelayService;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * The provider simulator as a service: one HTTP server speaking Twilio's, Vonage's (the SMS API, and
 * the Messages API for WhatsApp when an application is configured) and (when configured) Plivo's APIs, the handsets' inboxes and the admin API, plus the scheduler that delivers messages and posts receipts.
 * A test and demo tool: it cannot be built from a config that does not enable it.
 */
public final class SimService implements RelayService {

  public static final String NAME = "provider-sim";

  private final SimConfig config;
  private final Clock clock;
  private final RouteBook routes;
  private final Handsets handsets;
  private final SendLog sends;
  private final WhatsAppUsers whatsAppUsers = new WhatsAppUsers();
  private final RandomGenerator random;
  private ScheduledExecutorService scheduler;
  private Javalin server;
  private volatile boolean running;

  /**
   * @throws ConfigException when a setting is wrong or the simulator is not enabled
   */
  public SimService(RelayConfig config) {
    this(SimConfig.from(config), Clock.systemUTC());
  }

  public SimService(SimConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.routes = new RouteBook(config.receiptDelay());
    this.handsets = new Handsets(config.inboxSize(), config.maxHandsets());
    this.sends = new SendLog(clock, config.inboxSize(), config.maxHandsets());
    // java.util.Random is safe to share between the server's threads; a seed makes a scenario repeatable.
    this.random = config.randomSeed().isPresent() ? new Random(config.randomSeed().getAsLong()) : new Random();
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public synchronized void start() {
    if (server != null) {
      throw new IllegalStateException(NAME + " is started once");
    }
    AtomicInteger threads = new AtomicInteger();
    scheduler = Executors.newScheduledThreadPool(2, task -> {
      Thread thread = new Thread(task, "sim-delivery-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    // HTTP/1.1 as vendors' webhooks use; the JDK would otherwise try an h2c upgrade on every receipt.
    HttpClient http = HttpClients.build(NAME, HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(config.callbackTimeout()));
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    CallbackPoster callbacks = new CallbackPoster(http, scheduler, config.callbackTimeout(),
        config.callbackAttempts(), config.callbackBackoff(), metrics);

    Javalin app = RelayHttp.create(NAME, this::isReady, metrics);
    app.before(sends::stampArrival);
    app.after(sends::recordAnswered);
    new TwilioApi(config, routes, handsets, callbacks, scheduler, random, clock, metrics, http, whatsAppUsers).register(app);
    new VonageSmsApi(config, routes, handsets, callbacks, scheduler, random, clock, metrics).register(app);
    config.vonageApplication().ifPresent(application -> new VonageMessagesApi(config, application, routes, handsets,
        whatsAppUsers, callbacks, scheduler, random, clock, metrics).register(app));
    config.plivo().ifPresent(account -> new PlivoMessageApi(config, account, routes, handsets, callbacks, scheduler,
        random, clock, metrics).register(app));
    AutoVerifier users = new AutoVerifier(config.autoVerifyApiUrl(), config.autoVerifyApiKey(),
        new AutoVerifier.Settings(config.autoVerify(), config.autoVerifyMinDelay(), config.autoVerifyMaxDelay()),
        http, scheduler, random, metrics);
    handsets.onReceive(users::onReceived);
    new AdminApi(routes, handsets, new RouteBehaviourJson(new VendorCatalog()), users).sendLog(sends)
        .whatsAppUsers(whatsAppUsers).register(app);
    try {
      app.start(config.httpHost(), config.httpPort());
    } catch (RuntimeException e) {
      scheduler.shutdownNow();
      throw e;
    }
    server = app;
    running = true;
  }

  @Override
  public boolean isReady() {
    return running;
  }

  @Override
  public String endpoint() {
    return server == null ? "" : "http://localhost:" + server.port();
  }

  /** The port it listens on, once started (useful when configured with port 0). */
  public int port() {
    if (server == null) {
      throw new IllegalStateException(NAME + " is not started");
    }
    return server.port();
  }

  /** The behaviour table the admin API changes; tests and scenario runs may change it directly. */
  public RouteBook routes() {
    return routes;
  }

  public Handsets handsets() {
    return handsets;
  }

  /** Which handsets have no WhatsApp, as {@code PUT /sim/handsets/{number}/whatsapp} sets them. */
  public WhatsAppUsers whatsAppUsers() {
    return whatsAppUsers;
  }

  /** The vendor sends per number, as {@code GET /sim/handsets/{number}/sends} shows them. */
  public SendLog sends() {
    return sends;
  }

  @Override
  public synchronized void close() {
    running = false;
    if (server != null) {
      server.stop();
    }
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }
}
