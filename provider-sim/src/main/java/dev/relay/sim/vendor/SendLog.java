package dev.relay.sim.vendor;

import dev.relay.sim.route.Provider;
import dev.relay.sim.route.SimChannel;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every send request a vendor endpoint decided on, per number, oldest first: which provider, accepted
 * or refused, when the request arrived and when its answer was written (the clock's resolution,
 * microseconds on Linux). It lets a benchmark see from the provider's side how long Relay takes to
 * try the next route after a refusal, or to resend after a delivery window. Bounded like the inboxes.
 *
 * <p>The server stamps every request's arrival ({@link #stampArrival}) and, after the answer,
 * records it ({@link #recordAnswered}) when the vendor endpoint called {@link #decided} for it.
 */
public final class SendLog {

  private static final String ARRIVED = "sim.send-log.arrived";
  private static final String DECISION = "sim.send-log.decision";

  /** One send as the vendor saw it. */
  public record Entry(String provider, String channel, boolean accepted, Instant receivedAt, Instant answeredAt) {}

  private record Decision(String number, Provider provider, SimChannel channel, boolean accepted) {}

  private final Clock clock;
  private final int perNumber;
  private final Map<String, Deque<Entry>> sends;

  public SendLog(Clock clock, int perNumber, int maxNumbers) {
    this.clock = clock;
    this.perNumber = perNumber;
    this.sends = new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Deque<Entry>> eldest) {
        return size() > maxNumbers;
      }
    };
  }

  /** Called by a vendor endpoint once it knows whether it accepts the send to {@code number} (E.164). */
  public static void decided(Context ctx, String number, Provider provider, SimChannel channel, boolean accepted) {
    ctx.attribute(DECISION, new Decision(number, provider, channel, accepted));
  }

  /** A before-handler: when the request arrived. */
  public void stampArrival(Context ctx) {
    ctx.attribute(ARRIVED, clock.instant());
  }

  /** An after-handler (it runs once the answer, delayed or not, is written): records a decided send. */
  public void recordAnswered(Context ctx) {
    Decision decision = ctx.attribute(DECISION);
    Instant arrived = ctx.attribute(ARRIVED);
    if (decision == null || arrived == null) {
      return;
    }
    Entry entry = new Entry(decision.provider().wireName(), decision.channel().wireName(), decision.accepted(),
        arrived, clock.instant());
    synchronized (this) {
      Deque<Entry> log = sends.computeIfAbsent(decision.number(), number -> new ArrayDeque<>());
      log.addLast(entry);
      while (log.size() > perNumber) {
        log.removeFirst();
      }
    }
  }

  /** Oldest first; empty for a number nothing was sent to. */
  public synchronized List<Entry> of(String number) {
    Deque<Entry> log = sends.get(number);
    return log == null ? List.of() : List.copyOf(log);
  }

  public synchronized void clearAll() {
    sends.clear();
  }
}
