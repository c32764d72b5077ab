package dev.relay.dispatcher.topology;

import dev.relay.dispatcher.config.DispatcherSettings;
import dev.relay.dispatcher.config.LimitSettings;
import dev.relay.dispatcher.config.PumpingSettings;
import dev.relay.dispatcher.facts.RouteFacts;
import dev.relay.dispatcher.routing.RouteStanding;
import dev.relay.dispatcher.routing.ScoredRouting;
import dev.relay.schemas.CodeCheckRequest;
import dev.relay.schemas.DeliveryOutcome;
import dev.relay.schemas.DeliveryReceipt;
import dev.relay.schemas.PrefixBlock;
import dev.relay.schemas.PrefixBlockState;
import dev.relay.schemas.RequestBlock;
import dev.relay.schemas.RoutingTableVersion;
import dev.relay.schemas.SendCommand;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.VerificationReply;
import dev.relay.schemas.VerificationRequest;
import dev.relay.schemas.state.VerificationState;
import dev.relay.schemas.topics.ProviderScoreKeys;
import dev.relay.schemas.topics.Topics;
import dev.relay.support.logging.LogContext;
import dev.relay.support.phone.PhoneNumbers;
import dev.relay.support.streams.WallClockWakes;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The single writer of every verification. Reads starts, checks, send results and receipts (all
 * keyed by number, so one number's events meet in one task), applies the {@link VerificationLifecycle}
 * to the stored state, keeps the deadline index in step with it, and handles what the index says is
 * due (closed delivery windows, expiries, purges, status polls of overdue receipts) without scanning
 * every verification. The index is derived from the verifications: rebuilt from them whenever the
 * task starts (never changelogged),
 * and a single wall-clock punctuator is scheduled for its earliest entry, so a task with nothing due
 * wakes, and commits, nothing.
 */
final class VerificationProcessor implements Processor<String, Object, String, SpecificRecord> {

  private static final Logger LOG = LoggerFactory.getLogger(VerificationProcessor.class);
  /** The MDC key of the verification id: the JSON logs' correlation field. */
  static final String LOG_VERIFICATION_ID = LogContext.VERIFICATION_ID;
  /** The shortest wake: a deadline already due is handled on the next pass of the stream thread. */
  private static final Duration MIN_WAKE = Duration.ofMillis(1);

  private final VerificationLifecycle rules;
  private final ScoredRouting routing;
  private final DispatcherSettings settings;

  private VerificationLifecycle lifecycle;

  private ProcessorContext<String, SpecificRecord> context;
  private KeyValueStore<String, VerificationState> verifications;
  private DeadlineIndex deadlines;
  private EarlyReceipts earlyReceipts;

  private final PumpingSettings pumping;
  private final LimitSettings limits;
  /** Where the deadline's punctuator is scheduled, so the thread's idle poll ends when it is due. */
  private final WallClockWakes wakes;

  /** The punctuator waiting for the earliest deadline, and when it fires; null when nothing is due ever. */
  private Cancellable wake;
  private Instant wakeAt;

  VerificationProcessor(VerificationLifecycle rules, ScoredRouting routing, DispatcherSettings settings,
      PumpingSettings pumping, LimitSettings limits, WallClockWakes wakes) {
    this.wakes = wakes;
    this.limits = limits;
    this.rules = rules;
    this.routing = routing;
    this.settings = settings;
    this.pumping = pumping;
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    KeyValueStore<String, RouteStanding> standings = context.getStateStore(DispatcherNames.ROUTE_STANDINGS_STORE);
    KeyValueStore<String, RoutingTableVersion> tables = context.getStateStore(DispatcherNames.ROUTING_TABLE_STORE);
    KeyValueStore<String, PrefixBlock> blocks = context.getStateStore(DispatcherNames.BLOCKED_PREFIXES_STORE);
    KeyValueStore<String, RequestBlock> requestBlocks = context.getStateStore(DispatcherNames.REQUEST_BLOCKS_STORE);
    this.lifecycle = rules.withRouting(routing.over(standings::get, () -> tables.get(Topics.ROUTING_TABLE_KEY)))
        .withBlocks((number, now) -> Optional.ofNullable(blocks.get(pumping.prefixOf(number)))
            .filter(block -> block.getState() == PrefixBlockState.BLOCKED && block.getBlockedUntil().isAfter(now))
            .map(PrefixBlock::getBlockedUntil))
        .withRequestBlocks((request, now) -> RequestLimiter.blockOf(request, limits, requestBlocks, now));
    this.verifications = context.getStateStore(DispatcherNames.VERIFICATIONS_STORE);
    this.deadlines = new DeadlineIndex(context.getStateStore(DispatcherNames.DEADLINES_STORE));
    this.earlyReceipts = new WindowedEarlyReceipts(context.getStateStore(DispatcherNames.EARLY_RECEIPTS_STORE),
        settings.ttl());
    LegacyNumberSends.moveInto(context.getStateStore(DispatcherNames.NUMBER_SENDS_STORE), verifications);
    rebuildDeadlines();
    wakeForEarliest(Instant.ofEpochMilli(context.currentSystemTimeMs()));
  }

  /**
   * The index from the verifications this task restored: init runs after restoration. The index has no
   * changelog, so whatever a previous run left in it locally is dropped first and it never disagrees
   * with the verifications.
   */
  private void rebuildDeadlines() {
    deadlines.clear();
    try (KeyValueIterator<String, VerificationState> all = verifications.all()) {
      while (all.hasNext()) {
        KeyValue<String, VerificationState> entry = all.next();
        rules.deadlineOf(entry.value)
            .ifPresent(at -> deadlines.put(new Deadline(at, entry.key), entry.value.getVerificationId()));
      }
    }
  }

  /** Schedules the punctuator for the earliest deadline in the index, or none when it is empty. */
  private void wakeForEarliest(Instant now) {
    Optional<Instant> earliest = deadlines.earliest();
    if (earliest.isEmpty()) {
      cancelWake();
    } else {
      wakeBy(earliest.get(), now);
    }
  }

  /**
   * Makes the punctuator fire no later than {@code due}. Wall-clock, not stream time: a window must close
   * even when no record arrives on the partition. A record only moves the wake earlier (no index read
   * per record); a wake left early by an entry removed meanwhile finds nothing due and schedules the next.
   */
  private void wakeBy(Instant due, Instant now) {
    if (wake != null && !wakeAt.isAfter(due)) {
      return;
    }
    cancelWake();
    Duration in = Duration.between(now, due);
    Duration interval = in.compareTo(MIN_WAKE) < 0 ? MIN_WAKE : in;
    wakeAt = now.plus(interval);
    wake = wakes.schedule(context, interval, this::fireDue);
  }

  private void cancelWake() {
    if (wake != null) {
      wake.cancel();
      wake = null;
      wakeAt = null;
    }
  }

  @Override
  public void process(Record<String, Object> record) {
    String number = record.key();
    Object value = record.value();
    if (number == null || value == null) {
      return;
    }
    Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
    VerificationState current = verifications.get(number);
    Optional<Instant> before = rules.deadlineOf(current);
    Effects effects;
    if (value instanceof VerificationRequest request) {
      effects = lifecycle.onRequest(number, current, request, now);
      if (request.getReplyInEvent()) {
        effects.letRepliesRideEvents();
      }
    } else if (value instanceof CodeCheckRequest check) {
      effects = lifecycle.onCheck(number, current, check, now);
      if (check.getReplyInEvent()) {
        effects.letRepliesRideEvents();
      }
    } else if (value instanceof SendResult result) {
      // Its try is a fact of its own route, told before any event the result causes (as it happened).
      tellFacts(RouteFacts.sendResult(number, result, record.timestamp(), RouteFacts.completesApproval(current, result)),
          DispatcherNames.SEND_RESULT_FACTS);
      effects = lifecycle.onSendResult(current, result, now, earlyReceipts);
    } else if (value instanceof DeliveryReceipt receipt) {
      effects = lifecycle.onReceipt(current, receipt, now, earlyReceipts);
    } else {
      throw new IllegalArgumentException("the lifecycle does not take " + value.getClass().getName());
    }
    apply(number, before, effects, now);
  }

  private void fireDue(long wallClockMillis) {
    Instant now = Instant.ofEpochMilli(wallClockMillis);
    // A wall-clock punctuator repeats; this one is replaced by the wake for the next deadline below.
    cancelWake();
    // Each one due is deleted or moved below: the lifecycle changes every state whose deadline has come.
    for (Deadline deadline : deadlines.dueBy(now)) {
      VerificationState current = verifications.get(deadline.number());
      Optional<Instant> expected = rules.deadlineOf(current);
      if (expected.isEmpty() || !expected.get().equals(deadline.at())) {
        // Left behind by a state that moved on without its index entry being replaced.
        deadlines.delete(deadline);
        continue;
      }
      apply(deadline.number(), expected, lifecycle.onDeadline(current, now), now);
    }
    wakeForEarliest(now);
  }

  private void apply(String number, Optional<Instant> deadlineBefore, Effects effects, Instant now) {
    // Every line logged for this verification carries its id (never the number or the code).
    VerificationState subject = effects.state();
    if (subject != null) {
      MDC.put(LOG_VERIFICATION_ID, subject.getVerificationId());
    }
    if (effects.stateChanged()) {
      VerificationState after = effects.state();
      if (after == null) {
        verifications.delete(number);
      } else {
        verifications.put(number, after);
      }
      Optional<Instant> deadlineAfter = rules.deadlineOf(after);
      if (!deadlineAfter.equals(deadlineBefore)) {
        deadlineBefore.ifPresent(at -> deadlines.delete(new Deadline(at, number)));
        deadlineAfter.ifPresent(at -> {
          deadlines.put(new Deadline(at, number), after.getVerificationId());
          wakeBy(at, now);
        });
      }
    }
    long timestamp = now.toEpochMilli();
    for (SendCommand command : effects.commands()) {
      LOG.debug("send attempt {} to {} by {} over {} route(s), reason {}", command.getAttempt(),
          PhoneNumbers.mask(number), command.getChannel(), command.getRoutes().size(), command.getReason());
      context.forward(new Record<String, SpecificRecord>(number, command, timestamp), DispatcherNames.SEND_COMMANDS_SINK);
    }
    Effects.Written written = effects.written();
    for (VerificationEvent event : written.events()) {
      LOG.debug("verification of {} now {} ({})", PhoneNumbers.mask(number), event.getStatus(), event.getReason());
      context.forward(new Record<String, SpecificRecord>(number, event, timestamp), DispatcherNames.VERIFICATION_EVENTS_SINK);
      tellFacts(new Record<>(number, event, timestamp), DispatcherNames.LIFECYCLE_FACTS);
    }
    for (DeliveryOutcome outcome : effects.outcomes()) {
      context.forward(new Record<String, SpecificRecord>(routeKey(outcome), outcome, timestamp),
          DispatcherNames.DELIVERY_OUTCOMES_SINK);
    }
    for (SendResult poll : effects.polls()) {
      context.forward(new Record<String, SpecificRecord>(number, poll, timestamp), DispatcherNames.RECEIPT_POLLS_SINK);
    }
    for (VerificationReply reply : written.replies()) {
      context.forward(new Record<String, SpecificRecord>(reply.getCorrelationId(), reply, timestamp),
          DispatcherNames.VERIFICATION_REPLIES_SINK);
    }
    MDC.remove(LOG_VERIFICATION_ID);
  }

  /**
   * Hands a send result or an event to the route-fact processor named. Scores are told from the lifecycle, never
   * in its way: a fact the rules cannot make is logged and skipped, where their exception would send the
   * lifecycle's input to the dead letters with its effects already applied. Kafka's own exceptions (a task
   * migrated, a fenced producer) are the thread's to handle and pass on.
   */
  private void tellFacts(Record<String, SpecificRecord> record, String factProcessor) {
    try {
      context.forward(record, factProcessor);
    } catch (KafkaException e) {
      throw e;
    } catch (RuntimeException e) {
      LOG.error("route facts not told for a {} ({}): {}", record.value().getClass().getSimpleName(), factProcessor,
          e.toString());
    }
  }

  /** The key scoring counts a route's facts under, that of provider-scores: {@code provider|COUNTRY|CHANNEL}. */
  static String routeKey(DeliveryOutcome outcome) {
    return ProviderScoreKeys.key(outcome.getProvider(), outcome.getCountry(), outcome.getChannel());
  }

  /** Early receipts in a window store, so the ones never matched age out on their own. */
  private static final class WindowedEarlyReceipts implements EarlyReceipts {

    private final WindowStore<String, DeliveryReceipt> store;
    private final Duration horizon;

    WindowedEarlyReceipts(WindowStore<String, DeliveryReceipt> store, Duration horizon) {
      this.store = store;
      this.horizon = horizon;
    }

    @Override
    public void hold(DeliveryReceipt receipt, Instant now) {
      store.put(key(receipt.getProvider(), receipt.getProviderMessageId()), receipt, now.toEpochMilli());
    }

    @Override
    public Optional<DeliveryReceipt> find(String provider, String providerMessageId, Instant now) {
      try (WindowStoreIterator<DeliveryReceipt> held = store.fetch(key(provider, providerMessageId), now.minus(horizon), now)) {
        while (held.hasNext()) {
          DeliveryReceipt receipt = held.next().value;
          if (receipt.getFinalStatus()) {
            return Optional.of(receipt);
          }
        }
      }
      return Optional.empty();
    }

    private static String key(String provider, String providerMessageId) {
      return provider + "|" + providerMessageId.toLowerCase(java.util.Locale.ROOT);
    }
  }
}
