package dev.relay.support.http;

import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.OptionalInt;

/**
 * {@code /metrics} and the health endpoints on a port of their own ({@code relay.management.port}), so
 * a deployment can publish a service's public port without its metrics, which name providers,
 * countries and volumes. When no port is configured there is no such server and the service's own
 * port serves both, as {@link RelayHttp#create} does by default.
 */
public final class ManagementServer implements AutoCloseable {

  private static final ManagementServer NONE = new ManagementServer(null);

  private final Javalin app;

  private ManagementServer(Javalin app) {
    this.app = app;
  }

  /** Starts the management server on {@code port} when there is one; otherwise a server that serves nothing. */
  public static ManagementServer start(OptionalInt port, String host, String service, Readiness readiness,
      PrometheusMeterRegistry metrics) {
    if (port.isEmpty()) {
      return NONE;
    }
    Javalin app = Javalin.create(config -> {
      config.showJavalinBanner = false;
      config.useVirtualThreads = false;
    });
    RelayHttp.healthRoutes(app, service, readiness);
    HttpServerMetrics.install(app, metrics);
    RelayHttp.metricsRoute(app, metrics);
    app.error(404, ctx -> RelayHttp.writeError(ctx, 404, "not_found", "no such resource"));
    app.start(host, port.getAsInt());
    return new ManagementServer(app);
  }

  /** Whether {@code /metrics} lives here rather than on the public port. */
  public boolean enabled() {
    return app != null;
  }

  /** The port it listens on (the one picked for port 0); empty without a management server. */
  public OptionalInt port() {
    return app == null ? OptionalInt.empty() : OptionalInt.of(app.port());
  }

  @Override
  public void close() {
    if (app != null) {
      app.stop();
    }
  }
}
