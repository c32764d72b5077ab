package dev.relay.dispatcher.topology;

import dev.relay.dispatcher.config.LimitSettings;
import dev.relay.dispatcher.limits.BucketedRates;
import dev.relay.dispatcher.limits.Networks;
import dev.relay.schemas.RequestAction;
import dev.relay.schemas.RequestBlock;
import dev.relay.schemas.VerificationRequest;
import dev.relay.schemas.state.RateCounts;
import dev.relay.schemas.state.RequestTally;
import dev.relay.support.limits.Rates;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The request limits per client IP, client network and API key, decided beside the hot path: it reads
 * the tallies of starts and resends keyed by limit group ({@link #groupsOf}: the client network, whose
 * task also counts its IPs, and the API key), which {@link RequestTallies} sends from each lifecycle
 * task once per commit interval, counts them per time bucket ({@link BucketedRates}), and when a limit
 * is full publishes a {@link RequestBlock} to {@code request-blocks}, which every lifecycle reads as a
 * global store and refuses by. A request is not counted while a block it is subject to is in force:
 * the lifecycle refused it.
 *
 * <p>Eventually consistent, with a bound: the block reaches the lifecycles one tally interval, one
 * exactly-once commit of this branch and the global store's poll after the request that filled the
 * limit. Requests arriving in that gap are admitted, so a flood overshoots a limit by its rate times
 * that lag (at the 20 ms commit interval, some tens of milliseconds: a burst of 1,000/s from one IP gets
 * some tens of requests past a full limit). Limits are abuse brakes measured in minutes and hours; the
 * per-number limits, which protect a person's phone, stay exact in the number's own state.
 */
final class RequestLimiter implements Processor<String, RequestTally, String, RequestBlock> {

  static final String ERROR_IP = "rate_limited_ip";
  static final String ERROR_NETWORK = "rate_limited_network";
  static final String ERROR_API_KEY = "rate_limited_api_key";

  /** How often, at most, counters with nothing left in any window are dropped (checked on a record: idle costs nothing). */
  private static final Duration PURGE_INTERVAL = Duration.ofMinutes(1);

  private static final String IP = "ip|";
  private static final String NETWORK = "net|";
  private static final String API_KEY = "key|";

  private final LimitSettings limits;
  private ProcessorContext<String, RequestBlock> context;
  private KeyValueStore<String, RateCounts> counters;
  private Instant nextPurge = Instant.MIN;

  RequestLimiter(LimitSettings limits) {
    this.limits = limits;
  }

  /**
   * The limit groups a request is counted in, each the key of the task that counts it: its client
   * network (with the IP's own counter: an IP is in one network) and its API key. None for status and
   * cancel, which are never limited, nor for a limit switched off.
   */
  static List<String> groupsOf(VerificationRequest request, LimitSettings limits) {
    if (request == null || !(request.getAction() == null || request.getAction() == RequestAction.START
        || request.getAction() == RequestAction.RESEND)) {
      return List.of();
    }
    List<String> groups = new ArrayList<>(2);
    Optional<String> network = Networks.of(request.getClientIp());
    if (network.isPresent() && !(limits.perIp().isEmpty() && limits.perNetwork().isEmpty())) {
      groups.add(NETWORK + network.get());
    }
    if (request.getApiKeyName() != null && !limits.perApiKey().isEmpty()) {
      groups.add(API_KEY + request.getApiKeyName());
    }
    return groups;
  }

  /** The counters a request is subject to, with their limits: what the lifecycle looks blocks up by. */
  static Map<String, Rates> countersOf(VerificationRequest request, LimitSettings limits) {
    Map<String, Rates> counters = new LinkedHashMap<>();
    Optional<String> network = Networks.of(request.getClientIp());
    if (network.isPresent()) {
      put(counters, IP + request.getClientIp(), limits.perIp());
      put(counters, NETWORK + network.get(), limits.perNetwork());
    }
    if (request.getApiKeyName() != null) {
      put(counters, API_KEY + request.getApiKeyName(), limits.perApiKey());
    }
    return counters;
  }

  private static void put(Map<String, Rates> counters, String key, Rates rates) {
    if (!rates.isEmpty()) {
      counters.put(key, rates);
    }
  }

  /** Whether the group's task counts this counter: the network's task its IPs and itself, the key's task the key. */
  static boolean countedBy(String group, String counter) {
    return counter.startsWith(API_KEY) ? group.equals(counter) : group.startsWith(NETWORK);
  }

  private Rates ratesOf(String counter) {
    return counter.startsWith(IP) ? limits.perIp() : counter.startsWith(NETWORK) ? limits.perNetwork() : limits.perApiKey();
  }

  static String errorOf(String counter) {
    return counter.startsWith(IP) ? ERROR_IP : counter.startsWith(NETWORK) ? ERROR_NETWORK : ERROR_API_KEY;
  }

  /** The block in force that lasts longest among the request's counters, read from the global store. */
  static Optional<RequestBlocks.Block> blockOf(VerificationRequest request, LimitSettings limits,
      KeyValueStore<String, RequestBlock> blocks, Instant now) {
    RequestBlocks.Block longest = null;
    for (String counter : countersOf(request, limits).keySet()) {
      RequestBlock block = blocks.get(counter);
      if (block != null && block.getBlockedUntil().isAfter(now)
          && (longest == null || block.getBlockedUntil().isAfter(longest.until()))) {
        longest = new RequestBlocks.Block(block.getLimit(), block.getBlockedUntil());
      }
    }
    return Optional.ofNullable(longest);
  }

  @Override
  public void init(ProcessorContext<String, RequestBlock> context) {
    this.context = context;
    this.counters = context.getStateStore(DispatcherNames.REQUEST_COUNTERS_STORE);
  }

  @Override
  public void process(Record<String, RequestTally> record) {
    String group = record.key();
    RequestTally tally = record.value();
    if (group == null || tally == null) {
      return;
    }
    Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
    maybePurge(now);
    for (Map.Entry<String, Integer> tallied : tally.getCounts().entrySet()) {
      String key = tallied.getKey();
      Rates rates = ratesOf(key);
      if (!countedBy(group, key) || rates.isEmpty() || tallied.getValue() <= 0) {
        continue;
      }
      RateCounts counts = Optional.ofNullable(counters.get(key)).orElseGet(BucketedRates::empty);
      if (counts.getBlockedUntil() > now.toEpochMilli()) {
        // Blocked here, and the lifecycle will refuse it once the block reaches it: not counted.
        continue;
      }
      RateCounts counted = BucketedRates.add(counts, rates, now, tallied.getValue());
      Optional<Instant> until = BucketedRates.blockedUntil(counted, rates, now);
      if (until.isPresent()) {
        counted.setBlockedUntil(until.get().toEpochMilli());
        RequestBlock block = RequestBlock.newBuilder()
            .setLimit(errorOf(key))
            .setBlockedAt(now)
            .setBlockedUntil(until.get())
            .build();
        context.forward(new Record<>(key, block, now.toEpochMilli()));
      }
      counters.put(key, counted);
    }
  }

  private void maybePurge(Instant now) {
    if (now.isBefore(nextPurge)) {
      return;
    }
    nextPurge = now.plus(PURGE_INTERVAL);
    List<String> spent = new ArrayList<>();
    try (KeyValueIterator<String, RateCounts> entries = counters.all()) {
      while (entries.hasNext()) {
        KeyValue<String, RateCounts> entry = entries.next();
        if (entry.value == null || BucketedRates.isSpent(entry.value, now)) {
          spent.add(entry.key);
        }
      }
    }
    spent.forEach(counters::delete);
  }
}
