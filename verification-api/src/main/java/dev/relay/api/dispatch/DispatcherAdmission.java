package dev.relay.api.dispatch;

import dev.relay.api.config.ApiConfig.OverloadLimits;
import dev.relay.schemas.VerificationReply;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Admission control in front of the dispatcher: a request is handed over only when it can be
 * expected to be answered well within the reply timeout; otherwise it is refused at once, before
 * anything is produced, with the time its path needs to drain. Without it, a burst above what the
 * dispatcher can serve is queued in Kafka and every request behind it ends in a 504 after the full
 * reply timeout.
 *
 * <p>The expected wait of a path is its requests in flight divided by its recent reply rate (Little's
 * law, {@link Backlog}), compared with a share of the reply timeout. This bounds exactly what the
 * caller is promised (an answer before the timeout), needs no latency baseline, and yields the drain
 * time a {@code Retry-After} needs; concurrency limits adapted from latency gradients (Vegas,
 * Gradient2, as in Netflix's concurrency-limits) would chase the dispatcher's latency, which swings
 * with its transaction commits, and give no drain time. Below {@link OverloadLimits#minReplyRate()}
 * the rate is taken as that, so an idle or just-started instance admits a burst's first requests.
 *
 * <p>Starts and everything else (checks, resends, cancels: a person who already has a code) have
 * separate thresholds, starts the lower one: under overload new starts are refused first and the
 * capacity left serves the people already waiting for their code. Starts, resends and cancels share
 * the request topic, checks have their own; the dispatcher's one processing thread serves both, so a
 * start is also refused when the checks' path is congested.
 */
public final class DispatcherAdmission {

  /** What a request asks of the dispatcher; the metric's {@code endpoint} tag. */
  public enum Endpoint {
    START(Path.REQUESTS), RESEND(Path.REQUESTS), CANCEL(Path.REQUESTS), CHECK(Path.CHECKS);

    private final Path path;

    Endpoint(Path path) {
      this.path = path;
    }

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A topic to the dispatcher and the replies to what was sent on it. */
  enum Path {
    REQUESTS, CHECKS;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static final String REFUSALS = "relay.api.overload.refusals";
  public static final String IN_FLIGHT = "relay.api.dispatcher.backlog";
  public static final String EXPECTED_WAIT = "relay.api.dispatcher.expected.wait";

  private final OverloadLimits limits;
  private final Map<Path, Backlog> backlogs = new EnumMap<>(Path.class);
  private final Map<Endpoint, Counter> refusals = new EnumMap<>(Endpoint.class);

  public DispatcherAdmission(OverloadLimits limits, Clock clock, MeterRegistry registry) {
    this.limits = limits;
    for (Path path : Path.values()) {
      backlogs.put(path, new Backlog(clock));
      Gauge.builder(IN_FLIGHT, this, admission -> admission.inFlight(path))
          .description("requests handed to the dispatcher and not yet answered, by path")
          .tag("path", path.tag())
          .register(registry);
      Gauge.builder(EXPECTED_WAIT, this, admission -> admission.expectedWait(path).toNanos() / 1e9)
          .description("how long a request handed over now is expected to wait for its reply (in flight / reply rate)")
          .tag("path", path.tag())
          .baseUnit("seconds")
          .register(registry);
    }
    for (Endpoint endpoint : Endpoint.values()) {
      refusals.put(endpoint, Counter.builder(REFUSALS)
          .description("requests refused with 503 before they reached Kafka, because the dispatcher could not answer them in time")
          .tag("endpoint", endpoint.tag())
          .register(registry));
    }
  }

  /**
   * Takes a place in the endpoint's path, or refuses the request.
   *
   * @throws OverloadedException when the request could not be expected to be answered in time
   */
  public synchronized Ticket admit(Endpoint endpoint) {
    Duration threshold = endpoint == Endpoint.START ? limits.startWait() : limits.followUpWait();
    // A start weighs on both paths (the dispatcher's one thread serves both); the others on their own.
    List<Path> paths = endpoint == Endpoint.START ? List.of(Path.values()) : List.of(endpoint.path);
    Duration retryAfter = Duration.ZERO;
    for (Path path : paths) {
      Duration drain = drainTime(backlogs.get(path), threshold);
      if (drain.compareTo(retryAfter) > 0) {
        retryAfter = drain;
      }
    }
    if (!retryAfter.isZero()) {
      refusals.get(endpoint).increment();
      throw new OverloadedException("the dispatcher cannot answer more " + endpoint.tag() + " requests in time now",
          retryAfterHeader(retryAfter));
    }
    Backlog own = backlogs.get(endpoint.path);
    own.handedOver();
    return new Ticket(own);
  }

  /** Requests of this path in flight now. */
  synchronized int inFlight(Path path) {
    return backlogs.get(path).inFlight();
  }

  /** How long a request of this path handed over now is expected to wait. */
  synchronized Duration expectedWait(Path path) {
    Backlog backlog = backlogs.get(path);
    return seconds(backlog.inFlight() / replyRate(backlog));
  }

  /**
   * Zero when one more request would be answered within {@code threshold}; otherwise how long until
   * enough replies have come back that it would be: the excess over what the path may hold, at the
   * rate replies come back.
   */
  private Duration drainTime(Backlog backlog, Duration threshold) {
    double rate = replyRate(backlog);
    double mayHold = rate * threshold.toNanos() / 1e9;
    double excess = backlog.inFlight() + 1 - mayHold;
    return excess <= 0 ? Duration.ZERO : seconds(excess / rate);
  }

  private double replyRate(Backlog backlog) {
    return Math.max(backlog.replyRate(), limits.minReplyRate());
  }

  /**
   * Whole seconds, as the header carries them, rounded up, so a client that waits as told finds the
   * backlog drained; at most the reply timeout, since by then every request in flight now has been
   * answered or given up, whatever the rate estimate said.
   */
  private Duration retryAfterHeader(Duration drain) {
    long seconds = Math.max(1, (drain.toMillis() + 999) / 1000);
    long cap = Math.max(1, limits.replyTimeout().toSeconds());
    return Duration.ofSeconds(Math.min(seconds, cap));
  }

  private static Duration seconds(double seconds) {
    return Duration.ofNanos((long) Math.min(seconds * 1e9, Long.MAX_VALUE));
  }

  private synchronized void release(Backlog backlog, boolean replied) {
    backlog.answered(replied);
  }

  /** One admitted request's place in its path, given back when it is answered or given up. */
  public final class Ticket {

    private final Backlog backlog;
    private final AtomicBoolean released = new AtomicBoolean();

    private Ticket(Backlog backlog) {
      this.backlog = backlog;
    }

    /**
     * Hands the request over and holds the place until its answer completes. A dispatcher reply
     * counts toward the path's reply rate; a timeout or a send Kafka refused does not, so a stalled
     * dispatcher shows as a rate that falls.
     */
    public CompletableFuture<VerificationReply> handOver(Supplier<CompletableFuture<VerificationReply>> send) {
      CompletableFuture<VerificationReply> answer;
      try {
        answer = send.get();
      } catch (RuntimeException e) {
        cancel();
        throw e;
      }
      return answer.whenComplete((reply, error) -> release(error == null && reply != null));
    }

    /** Gives the place back unused: the request was refused for another reason before it was sent. */
    public void cancel() {
      release(false);
    }

    private void release(boolean replied) {
      if (released.compareAndSet(false, true)) {
        DispatcherAdmission.this.release(backlog, replied);
      }
    }
  }
}
