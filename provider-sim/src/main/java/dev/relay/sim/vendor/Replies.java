package dev.relay.sim.vendor;

import io.javalin.http.Context;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Answers a vendor request after the route's latency without holding a server thread: the answer is
 * decided at once and written when the delay is over.
 */
public final class Replies {

  private final ScheduledExecutorService scheduler;

  public Replies(ScheduledExecutorService scheduler) {
    this.scheduler = scheduler;
  }

  /** A vendor answer: status, JSON body, extra headers. */
  public record Reply(int status, Object jsonBody, Map<String, String> headers) {

    public static Reply json(int status, Object body) {
      return new Reply(status, body, Map.of());
    }

    public Reply withHeader(String name, String value) {
      Map<String, String> all = new LinkedHashMap<>(headers);
      all.put(name, value);
      return new Reply(status, jsonBody, all);
    }
  }

  public void send(Context ctx, Reply reply, Duration latency) {
    if (latency.isZero()) {
      write(ctx, reply);
      return;
    }
    CompletableFuture<Void> delayed = new CompletableFuture<>();
    ctx.future(() -> delayed.thenRun(() -> write(ctx, reply)));
    scheduler.schedule(() -> delayed.complete(null), latency.toNanos(), TimeUnit.NANOSECONDS);
  }

  private static void write(Context ctx, Reply reply) {
    reply.headers().forEach(ctx::header);
    ctx.status(reply.status()).json(reply.jsonBody());
  }
}
