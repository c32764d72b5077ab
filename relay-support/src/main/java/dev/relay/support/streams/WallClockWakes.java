package dev.relay.support.streams;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * The wall-clock punctuations an app's processors schedule through it, told to the app's main consumers
 * ({@link IdlePollClients}) so that a thread's poll ends when the next one is due.
 *
 * <p>Kafka Streams runs a wall-clock punctuator in its thread's loop, after a poll: one that comes due while
 * the thread waits in an idle poll fires only when the poll ends, up to {@code poll.ms} late; and what it
 * writes within the commit interval after the thread's last commit is committed only after the next poll.
 * Here the poll waits no longer than the next punctuation due, and the poll after a punctuation no longer than
 * the commit interval; so an app can wake its idle threads seldom and still time out a delivery window on time.
 *
 * <p>Shared by every thread of one app: a thread may end a poll for another thread's punctuation, which costs
 * it one wake and nothing else. A due time that passed is forgotten by the next poll, whether or not its
 * punctuator ran (its task may have closed), and told again when the punctuator repeats.
 */
public final class WallClockWakes {

  private final ConcurrentSkipListSet<Due> pending = new ConcurrentSkipListSet<>();
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicBoolean punctuated = new AtomicBoolean();
  private final LongSupplier clock;

  public WallClockWakes() {
    this(System::currentTimeMillis);
  }

  /** @param clock the wall clock Kafka Streams punctuates by, in epoch milliseconds */
  WallClockWakes(LongSupplier clock) {
    this.clock = clock;
  }

  /**
   * {@code context.schedule(interval, WALL_CLOCK_TIME, punctuator)}, with the punctuation's due times told to
   * the app's main consumers until it is cancelled.
   */
  public Cancellable schedule(ProcessorContext<?, ?> context, Duration interval, Punctuator punctuator) {
    Wake wake = new Wake(interval.toMillis(), punctuator);
    wake.scheduled(context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, wake::punctuate));
    return wake;
  }

  /**
   * How long a poll starting now may wait before a punctuation comes due; forgets the due times that passed.
   * Empty when none is pending.
   */
  Optional<Duration> untilNext(long nowMillis) {
    while (!pending.isEmpty()) {
      Due first = pending.first();
      if (first.at > nowMillis) {
        return Optional.of(Duration.ofMillis(first.at - nowMillis));
      }
      pending.remove(first);
    }
    return Optional.empty();
  }

  /** Whether a punctuator ran since the last call: what it wrote waits for a commit. */
  boolean takePunctuated() {
    return punctuated.getAndSet(false);
  }

  /** One due time; the sequence tells apart two punctuations due in the same millisecond. */
  private record Due(long at, long sequence) implements Comparable<Due> {
    @Override
    public int compareTo(Due other) {
      int byTime = Long.compare(at, other.at);
      return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
    }
  }

  /** A scheduled punctuator: tells its next due time, and runs the processor's punctuator when Streams fires. */
  private final class Wake implements Cancellable {

    private final long intervalMillis;
    private final Punctuator punctuator;
    private Cancellable scheduled;
    private Due due;
    private boolean cancelled;

    Wake(long intervalMillis, Punctuator punctuator) {
      this.intervalMillis = intervalMillis;
      this.punctuator = punctuator;
    }

    /**
     * Kafka Streams took its due time from the same clock before returning, so this one is no earlier: a poll
     * that ends at it finds the punctuation due.
     */
    void scheduled(Cancellable scheduled) {
      this.scheduled = scheduled;
      tell(clock.getAsLong() + intervalMillis);
    }

    void punctuate(long timestamp) {
      pending.remove(due);
      punctuated.set(true);
      punctuator.punctuate(timestamp);
      if (!cancelled) {
        tell(next(due.at, timestamp));
      }
    }

    /** Kafka Streams' next due time after a firing at {@code firedAt}: the next step of the schedule past it. */
    private long next(long dueAt, long firedAt) {
      long next = dueAt + intervalMillis;
      if (firedAt >= next) {
        next = dueAt + ((firedAt - dueAt) / intervalMillis + 1) * intervalMillis;
      }
      return next;
    }

    private void tell(long at) {
      due = new Due(at, sequence.incrementAndGet());
      pending.add(due);
    }

    @Override
    public void cancel() {
      cancelled = true;
      pending.remove(due);
      scheduled.cancel();
    }
  }
}
