package dev.relay.support.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;

/**
 * Rate, latency and status of every request a service answers, as {@code http.server.requests}
 * (Prometheus: {@code http_server_requests_seconds_*}). The route tag is the matched path pattern
 * ({@code /v1/verifications/{id}/check}), never the raw path, so an id never becomes a tag value.
 */
final class HttpServerMetrics {

  private static final String STARTED = "relay.http.started-nanos";
  static final String NAME = "http.server.requests";

  private HttpServerMetrics() {}

  static void install(Javalin app, MeterRegistry registry) {
    app.before(ctx -> ctx.attribute(STARTED, System.nanoTime()));
    // Javalin runs after-handlers once error and exception mappers are done: the status is final.
    app.after(ctx -> record(ctx, registry));
  }

  private static void record(Context ctx, MeterRegistry registry) {
    Long started = ctx.attribute(STARTED);
    if (started == null) {
      return;
    }
    int status = ctx.statusCode();
    Timer.builder(NAME)
        .description("HTTP requests answered, by method, route pattern and status")
        .tag("method", ctx.method().name().toUpperCase(Locale.ROOT))
        .tag("route", route(ctx, status))
        .tag("status", Integer.toString(status))
        .tag("outcome", outcome(status))
        .publishPercentileHistogram()
        .register(registry)
        .record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  private static String route(Context ctx, int status) {
    if (status == 404) {
      // Unknown paths are unbounded: they all share one tag value.
      return "unmatched";
    }
    String path;
    try {
      // The endpoint's pattern; matchedPath() would be the after-handler's own "*" here.
      path = ctx.endpointHandlerPath();
    } catch (RuntimeException e) {
      path = null;
    }
    return path == null || path.isEmpty() || path.equals("*") ? "unmatched" : path;
  }

  private static String outcome(int status) {
    if (status >= 500) {
      return "server_error";
    }
    if (status >= 400) {
      return "client_error";
    }
    return status >= 300 ? "redirection" : "success";
  }
}
