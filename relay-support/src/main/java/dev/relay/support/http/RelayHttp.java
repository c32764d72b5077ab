package dev.relay.support.http;

import com.fasterxml.jackson.core.JacksonException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.javalin.util.ConcurrencyUtil;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP shell every Relay service shares: JSON errors with a stable code for every failure (a
 * malformed body is a 400, an unknown route a 404, never a stack trace), health endpoints that
 * follow the service's readiness, and Prometheus metrics.
 */
public final class RelayHttp {

  private static final Logger LOG = LoggerFactory.getLogger(RelayHttp.class);
  /** Verification requests are a few hundred bytes; anything near this is not one. */
  public static final long MAX_REQUEST_BYTES = 16 * 1024;
  /**
   * Room in each connection's cache of parsed header fields (Host, User-Agent, Authorization: the ones
   * a client repeats on every request of a connection), in characters of the fields. Jetty's 1,024 take
   * 96 KB per connection for a few fields of under 200 characters; a caller that opens hundreds of
   * connections in a burst (a load step, a webhook storm) then fills the old generation with them.
   */
  static final int HEADER_CACHE_CHARS = 256;
  /** Names every server thread: {@code http-<service>-<n>}. */
  public static final String THREAD_PREFIX = "http-";

  private RelayHttp() {}

  public static Javalin create(String service, Readiness readiness, PrometheusMeterRegistry metrics) {
    return create(service, readiness, metrics, true);
  }

  /**
   * @param metricsHere whether {@code /metrics} is served here; false when a {@link ManagementServer}
   *     serves it on its own port (requests are still counted into {@code metrics})
   */
  public static Javalin create(String service, Readiness readiness, PrometheusMeterRegistry metrics, boolean metricsHere) {
    Javalin app = Javalin.create(config -> {
      config.showJavalinBanner = false;
      config.jsonMapper(new JavalinJackson(Json.MAPPER, false));
      config.http.maxRequestSize = MAX_REQUEST_BYTES;
      config.http.prefer405over404 = true;
      config.useVirtualThreads = false;
      // Javalin's own pool (8 to 250 threads), named after the service: a profile or a thread dump of a
      // process running several services (the embedded run) then tells whose requests cost what.
      config.jetty.threadPool = ConcurrencyUtil.jettyThreadPool(THREAD_PREFIX + service, 8, 250, false);
      config.jetty.modifyHttpConfiguration(http -> http.setHeaderCacheSize(HEADER_CACHE_CHARS));
    });
    JsonBadMessages.install(app);
    healthRoutes(app, service, readiness);
    if (metrics != null) {
      HttpServerMetrics.install(app, metrics);
      if (metricsHere) {
        metricsRoute(app, metrics);
      }
    }
    app.exception(ApiError.class, (error, ctx) -> {
      if (error.retryAfter() != null) {
        ctx.header("Retry-After", Long.toString(Math.max(1, error.retryAfter().toSeconds())));
      }
      writeError(ctx, error.status(), error.code(), error.getMessage());
    });
    app.exception(HttpResponseException.class, (error, ctx) ->
        writeError(ctx, error.getStatus(), codeFor(error.getStatus()), error.getMessage()));
    app.exception(Exception.class, (error, ctx) -> {
      JacksonException json = jsonCause(error);
      if (json != null) {
        writeError(ctx, 400, "malformed_body", "the body is not the JSON this endpoint takes: " + json.getOriginalMessage());
        return;
      }
      LOG.error("unhandled error on {} {}", ctx.method(), ctx.matchedPath(), error);
      writeError(ctx, 500, "internal", "internal error");
    });
    app.error(404, ctx -> {
      if (ctx.result() == null) {
        writeError(ctx, 404, "not_found", "no such resource");
      }
    });
    app.error(405, ctx -> writeError(ctx, 405, "method_not_allowed", "method not allowed on this resource"));
    app.error(413, ctx -> writeError(ctx, 413, "body_too_large", "the body is larger than " + MAX_REQUEST_BYTES + " bytes"));
    return app;
  }

  /**
   * The request body, at most {@link #MAX_REQUEST_BYTES} of it. Javalin enforces its size limit
   * against Content-Length only; a chunked body declares none and would be read whole into memory,
   * so the limit is applied here, while reading: no more than one byte past the bound is ever read.
   *
   * @throws ApiError 413 {@code body_too_large} past the bound, 400 {@code malformed_body} when the
   *     body cannot be read
   */
  public static byte[] boundedBody(Context ctx) {
    if (ctx.req().getContentLengthLong() > MAX_REQUEST_BYTES) {
      throw tooLarge();
    }
    try {
      byte[] bytes = ctx.req().getInputStream().readNBytes((int) MAX_REQUEST_BYTES + 1);
      if (bytes.length > MAX_REQUEST_BYTES) {
        throw tooLarge();
      }
      return bytes;
    } catch (IOException e) {
      throw ApiError.badRequest("malformed_body", "the body could not be read");
    }
  }

  private static ApiError tooLarge() {
    return new ApiError(413, "body_too_large", "the body is larger than " + MAX_REQUEST_BYTES + " bytes");
  }

  static void healthRoutes(Javalin app, String service, Readiness readiness) {
    app.get("/health", ctx -> health(ctx, service, readiness));
    app.get("/health/ready", ctx -> health(ctx, service, readiness));
    app.get("/health/live", ctx -> ctx.json(Map.of("service", service, "status", "UP")));
  }

  static void metricsRoute(Javalin app, PrometheusMeterRegistry metrics) {
    app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
  }

  public static void writeError(Context ctx, int status, String code, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", code);
    body.put("message", message);
    ctx.status(status).json(body);
  }

  private static void health(Context ctx, String service, Readiness readiness) {
    boolean ready = readiness.isReady();
    ctx.status(ready ? 200 : 503).json(Map.of("service", service, "status", ready ? "UP" : "DOWN"));
  }

  private static String codeFor(int status) {
    return switch (status) {
      case 400 -> "bad_request";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 413 -> "body_too_large";
      default -> status >= 500 ? "internal" : "request_refused";
    };
  }

  private static JacksonException jsonCause(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof JacksonException json) {
        return json;
      }
    }
    return null;
  }
}
