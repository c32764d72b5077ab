package dev.relay.dispatcher.topology;

import dev.relay.dispatcher.config.LimitSettings;
import dev.relay.schemas.RequestBlock;
import dev.relay.schemas.VerificationRequest;
import dev.relay.schemas.state.RequestTally;
import dev.relay.support.streams.WallClockWakes;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * The tallies wait in memory ({@link PendingTallies}), so an idle dispatcher schedules nothing and commits
 * nothing. What that costs: a block comes up to one interval later than it would with every request sent
 * on at once, and a task that closes between a commit and the next tally (a stop, a rebalance, a kill)
 * loses that interval's counts (the requests themselves are not lost, and limits are abuse brakes over
 * minutes and hours).
 */
final class RequestTallies implements Processor<String, VerificationRequest, String, RequestTally> {

  private final LimitSettings limits;
  /** Per limit group: the requests counted per counter of the group since the last tally. */
  private final PendingTallies<RequestTally> pending;
  private ProcessorContext<String, RequestTally> context;
  private KeyValueStore<String, RequestBlock> blocks;

  /** @param interval how long counts wait for their tally; zero sends each request's on at once */
  RequestTallies(LimitSettings limits, Duration interval, WallClockWakes wakes) {
    this.limits = limits;
    this.pending = new PendingTallies<>(interval, wakes);
  }

  @Override
  public void init(ProcessorContext<String, RequestTally> context) {
    this.context = context;
    this.blocks = context.getStateStore(DispatcherNames.REQUEST_BLOCKS_STORE);
    pending.init(context);
  }

  @Override
  public void process(Record<String, VerificationRequest> record) {
    VerificationRequest request = record.value();
    List<String> groups = RequestLimiter.groupsOf(request, limits);
    if (groups.isEmpty()) {
      return;
    }
    Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
    if (RequestLimiter.blockOf(request, limits, blocks, now).isPresent()) {
      return;
    }
    Set<String> counters = RequestLimiter.countersOf(request, limits).keySet();
    for (String group : groups) {
      Map<String, Integer> counts = pending.of(group, () -> new RequestTally(new HashMap<>())).getCounts();
      for (String counter : counters) {
        if (RequestLimiter.countedBy(group, counter)) {
          counts.merge(counter, 1, Integer::sum);
        }
      }
    }
    pending.due();
  }
}
