package dev.relay.dispatcher.topology;

import dev.relay.dispatcher.config.LimitSettings;
import dev.relay.schemas.RequestBlock;
import dev.relay.schemas.VerificationRequest;
import dev.relay.schemas.state.RequestTally;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The request limits' side branch on the lifecycle's side of its repartition: counts the starts and
 * resends of this task per limit group ({@link RequestLimiter#groupsOf}) and forwards one
 * {@link RequestTally} per group once per {@code interval}, instead of one repartition record per
 * request and group. At the dispatcher's commit interval (20 ms) a network or API key busy with
 * hundreds of starts a second costs fifty records a second, not hundreds.
 *
 * <p>A request the global request-blocks store already blocks is not counted: the lifecycle refused it.
 * The tallies wait in memory only while a tally is due, and a wall-clock punctuation is scheduled only
 * then, so an idle dispatcher schedules nothing and commits nothing. What that costs: a block comes up
 * to one interval later than it would with every request sent on at once, and a task that closes between
 * a commit and the next tally (a stop, a rebalance, a kill) loses that interval's counts (the requests
 * themselves are not lost, and limits are abuse brakes over minutes and hours).
 */
final class RequestTallies implements Processor<String, VerificationRequest, String, RequestTally> {

  private final LimitSettings limits;
  private final Duration interval;
  /** Per limit group, per counter of the group: the requests counted since the last tally. */
  private final Map<String, Map<String, Integer>> pending = new LinkedHashMap<>();
  private ProcessorContext<String, RequestTally> context;
  private KeyValueStore<String, RequestBlock> blocks;
  private Cancellable due;

  /** @param interval how long counts wait for their tally; zero sends each request's on at once */
  RequestTallies(LimitSettings limits, Duration interval) {
    this.limits = limits;
    this.interval = interval;
  }

  @Override
  public void init(ProcessorContext<String, RequestTally> context) {
    this.context = context;
    this.blocks = context.getStateStore(DispatcherNames.REQUEST_BLOCKS_STORE);
  }

  @Override
  public void process(Record<String, VerificationRequest> record) {
    VerificationRequest request = record.value();
    var groups = RequestLimiter.groupsOf(request, limits);
    if (groups.isEmpty()) {
      return;
    }
    Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
    if (RequestLimiter.blockOf(request, limits, blocks, now).isPresent()) {
      return;
    }
    for (String group : groups) {
      Map<String, Integer> counts = pending.computeIfAbsent(group, ignored -> new HashMap<>());
      for (String counter : RequestLimiter.countersOf(request, limits).keySet()) {
        if (RequestLimiter.countedBy(group, counter)) {
          counts.merge(counter, 1, Integer::sum);
        }
      }
    }
    if (interval.isZero()) {
      tally(now.toEpochMilli());
    } else if (due == null) {
      due = context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, this::tally);
    }
  }

  private void tally(long wallClockMillis) {
    pending.forEach((group, counts) ->
        context.forward(new Record<>(group, new RequestTally(new HashMap<>(counts)), wallClockMillis)));
    pending.clear();
    if (due != null) {
      due.cancel();
      due = null;
    }
  }
}
