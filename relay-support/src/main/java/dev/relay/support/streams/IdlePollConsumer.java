package dev.relay.support.streams;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A Streams thread's main consumer that waits the whole {@code poll.ms} only when its thread is idle, so an
 * app can set a long one to wake an idle thread seldom without paying for it in latency or start time.
 *
 * <p>Kafka Streams' thread polls, processes, and commits only once {@code commit.interval.ms} has passed
 * since its last commit; otherwise it polls again for up to {@code poll.ms}, and under exactly-once what it
 * just wrote reaches its readers only at that commit. So a request that came within the commit interval
 * after another waited for the next record or the whole {@code poll.ms} (docs/performance.md: the second
 * of two starts 5 ms apart, 71 ms at the default 100 ms). Here a poll right after one that returned records
 * waits at most the commit interval. And the thread polls with {@code poll.ms} at each step of its start
 * (joining the group, then once more while its tasks restore, their partitions paused), as does the state
 * updater's restore consumer once a changelog has nothing more to give: at most {@link #SETTLING_POLL} here,
 * while nothing is assigned or a partition is paused, and always for a restore consumer. A wall-clock
 * punctuation scheduled through the app's {@link WallClockWakes} ends the poll when it comes due, and the poll
 * after it (what it wrote owes a commit) waits at most the commit interval.
 */
final class IdlePollConsumer extends KafkaConsumer<byte[], byte[]> {

  /** Kafka Streams' default {@code poll.ms}: how long the thread's polls wait while it starts or restores. */
  static final Duration SETTLING_POLL = Duration.ofMillis(100);

  private final Duration commitInterval;
  private final WallClockWakes wakes;
  /** A restore consumer: its polls are a start's or a rebalance's, never an idle thread's. */
  private final boolean restores;
  /** Whether the last poll returned records, whose processing may owe a commit; only the Streams thread polls. */
  private boolean commitOwed;

  private IdlePollConsumer(Map<String, Object> config, Duration commitInterval, WallClockWakes wakes, boolean restores) {
    super(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.commitInterval = commitInterval;
    this.wakes = wakes;
    this.restores = restores;
  }

  /** A stream thread's main consumer, whose thread runs the punctuations scheduled through {@code wakes}. */
  static IdlePollConsumer main(Map<String, Object> config, Duration commitInterval, WallClockWakes wakes) {
    return new IdlePollConsumer(config, commitInterval, wakes, false);
  }

  /** A restore consumer, which commits nothing and punctuates nothing. */
  static IdlePollConsumer restore(Map<String, Object> config) {
    return new IdlePollConsumer(config, SETTLING_POLL, new WallClockWakes(), true);
  }

  @Override
  public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
    boolean settling = restores || assignment().isEmpty() || !paused().isEmpty();
    boolean owed = commitOwed || wakes.takePunctuated();
    Optional<Duration> untilPunctuation = wakes.untilNext(System.currentTimeMillis());
    ConsumerRecords<byte[], byte[]> records =
        super.poll(boundedPoll(timeout, owed, settling, commitInterval, untilPunctuation));
    commitOwed = !records.isEmpty();
    return records;
  }

  /**
   * How long a poll may wait: what Streams asked, no longer than the commit interval while a commit is owed,
   * no longer than {@link #SETTLING_POLL} while the thread starts or restores, and no longer than until the
   * next punctuation is due.
   */
  static Duration boundedPoll(Duration asked, boolean commitOwed, boolean settling, Duration commitInterval,
      Optional<Duration> untilPunctuation) {
    Duration bounded = untilPunctuation.isPresent() ? shorter(asked, untilPunctuation.get()) : asked;
    if (commitOwed) {
      bounded = shorter(bounded, commitInterval);
    }
    if (settling) {
      bounded = shorter(bounded, SETTLING_POLL);
    }
    return bounded;
  }

  private static Duration shorter(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
