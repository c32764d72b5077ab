package dev.relay.dispatcher.topology;

import dev.relay.dispatcher.config.LimitSettings;
import dev.relay.dispatcher.limits.Networks;
import dev.relay.support.limits.Rates;
import dev.relay.schemas.ReplyKind;
import dev.relay.schemas.RequestAction;
import dev.relay.schemas.VerificationReply;
import dev.relay.schemas.VerificationRequest;
import dev.relay.schemas.VerificationStatus;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One stage of the request limits, run where its counters have a single writer: the network stage
 * reads requests keyed by the client's network (so an IP and its /24 or /48 are counted in one
 * task), the API-key stage reads them keyed by key name. Starts and resends are counted; a request
 * over a limit is answered REFUSED with the time the window lets one through again and goes no
 * further; every other request is passed on, keyed for the next stage.
 */
final class RequestLimiter implements Processor<String, VerificationRequest, String, SpecificRecord> {

  static final String ERROR_IP = "rate_limited_ip";
  static final String ERROR_NETWORK = "rate_limited_network";
  static final String ERROR_API_KEY = "rate_limited_api_key";

  /** How often counters whose every entry left the longest window are dropped. */
  private static final Duration PURGE_INTERVAL = Duration.ofMinutes(1);

  /** Which counters a stage keeps, and how it keys what it passes on. */
  enum Stage {
    NETWORK {
      @Override
      Map<String, Rates> counters(VerificationRequest request, LimitSettings limits) {
        Map<String, Rates> counters = new LinkedHashMap<>();
        Optional<String> network = Networks.of(request.getClientIp());
        if (network.isPresent()) {
          counters.put("ip|" + request.getClientIp(), limits.perIp());
          counters.put("net|" + network.get(), limits.perNetwork());
        }
        return counters;
      }

      @Override
      String error(String counter) {
        return counter.startsWith("ip|") ? ERROR_IP : ERROR_NETWORK;
      }

      @Override
      String nextKey(VerificationRequest request) {
        return API_KEY.key(request);
      }

      @Override
      String key(VerificationRequest request) {
        // Without an address (an upstream service on Kafka) the number spreads the load instead.
        return Networks.of(request.getClientIp()).orElse(request.getTo());
      }
    },
    API_KEY {
      @Override
      Map<String, Rates> counters(VerificationRequest request, LimitSettings limits) {
        return request.getApiKeyName() == null ? Map.of() : Map.of("key|" + request.getApiKeyName(), limits.perApiKey());
      }

      @Override
      String error(String counter) {
        return ERROR_API_KEY;
      }

      @Override
      String nextKey(VerificationRequest request) {
        return request.getTo();
      }

      @Override
      String key(VerificationRequest request) {
        return request.getApiKeyName() == null ? request.getTo() : "key|" + request.getApiKeyName();
      }
    };

    abstract Map<String, Rates> counters(VerificationRequest request, LimitSettings limits);

    abstract String error(String counter);

    /** The key for the stage after this one. */
    abstract String nextKey(VerificationRequest request);

    /** The key this stage's input must have. */
    abstract String key(VerificationRequest request);
  }

  private final Stage stage;
  private final String storeName;
  private final LimitSettings limits;
  private final MeterRegistry metrics;
  private ProcessorContext<String, SpecificRecord> context;
  private KeyValueStore<String, List<Long>> store;

  RequestLimiter(Stage stage, String storeName, LimitSettings limits, MeterRegistry metrics) {
    this.stage = stage;
    this.storeName = storeName;
    this.limits = limits;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
    context.schedule(PURGE_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::purge);
  }

  @Override
  public void process(Record<String, VerificationRequest> record) {
    VerificationRequest request = record.value();
    if (request == null) {
      return;
    }
    Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
    if (counts(request)) {
      Map<String, Rates> counters = stage.counters(request, limits);
      Map<String, List<Instant>> histories = new LinkedHashMap<>();
      Instant blockedUntil = null;
      String blockedBy = null;
      for (Map.Entry<String, Rates> counter : counters.entrySet()) {
        List<Instant> history = history(counter.getKey());
        histories.put(counter.getKey(), history);
        Optional<Instant> until = counter.getValue().blockedUntil(history, now);
        if (until.isPresent() && (blockedUntil == null || until.get().isAfter(blockedUntil))) {
          blockedUntil = until.get();
          blockedBy = counter.getKey();
        }
      }
      if (blockedUntil != null) {
        refuse(request, stage.error(blockedBy), blockedUntil, now);
        return;
      }
      for (Map.Entry<String, List<Instant>> entry : histories.entrySet()) {
        List<Instant> updated = new ArrayList<>(counters.get(entry.getKey()).prune(entry.getValue(), now));
        updated.add(now);
        store.put(entry.getKey(), updated.stream().map(Instant::toEpochMilli).toList());
      }
    }
    context.forward(new Record<String, SpecificRecord>(stage.nextKey(request), request, record.timestamp(), record.headers()));
  }

  /** Starts and resends cost a send; status and cancel are free and never limited here. */
  private static boolean counts(VerificationRequest request) {
    return request.getAction() == RequestAction.START || request.getAction() == RequestAction.RESEND;
  }

  private void refuse(VerificationRequest request, String error, Instant until, Instant now) {
    metrics.counter("relay.requests.limited", "limit", error).increment();
    if (request.getReplyTo() == null) {
      return;
    }
    VerificationReply reply = VerificationReply.newBuilder()
        .setCorrelationId(request.getReplyTo())
        .setKind(ReplyKind.REFUSED)
        .setVerificationId(null)
        .setTo(request.getTo())
        .setStatus(VerificationStatus.UNKNOWN_STATUS)
        .setError(error)
        .setRetryAfter(until)
        .setRepliedAt(now)
        .build();
    context.forward(new Record<String, SpecificRecord>(reply.getCorrelationId(), reply, now.toEpochMilli()));
  }

  private List<Instant> history(String counter) {
    List<Long> stored = store.get(counter);
    List<Instant> history = new ArrayList<>();
    if (stored != null) {
      stored.forEach(millis -> history.add(Instant.ofEpochMilli(millis)));
    }
    return history;
  }

  private void purge(long wallClockMillis) {
    Duration horizon = limits.perIp().horizon();
    for (Rates rates : List.of(limits.perNetwork(), limits.perApiKey())) {
      if (rates.horizon().compareTo(horizon) > 0) {
        horizon = rates.horizon();
      }
    }
    long oldest = wallClockMillis - horizon.toMillis();
    List<String> stale = new ArrayList<>();
    try (KeyValueIterator<String, List<Long>> entries = store.all()) {
      while (entries.hasNext()) {
        KeyValue<String, List<Long>> entry = entries.next();
        if (entry.value == null || entry.value.stream().allMatch(millis -> millis <= oldest)) {
          stale.add(entry.key);
        }
      }
    }
    stale.forEach(store::delete);
  }
}
