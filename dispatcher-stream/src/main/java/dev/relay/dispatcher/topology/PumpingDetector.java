package dev.relay.dispatcher.topology;

import dev.relay.dispatcher.config.PumpingSettings;
import dev.relay.dispatcher.limits.PrefixActivity;
import dev.relay.schemas.PrefixBlock;
import dev.relay.schemas.PrefixBlockState;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.VerificationStatus;
import dev.relay.schemas.state.PrefixEvent;
import dev.relay.schemas.state.PrefixTally;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Anti-pumping, run where a prefix's counts have a single writer: reads the lifecycle's own sends and
 * approvals per destination prefix, as {@link PrefixTallies} collected them from verification-events,
 * replays each tally's events in order, counts sends (every one, whatever caused it: a start, a resend,
 * a failover, the voice fallback) and approvals per prefix, and emits a {@code BLOCKED}
 * {@link PrefixBlock} when {@link PrefixActivity#judge} finds the pumping pattern.
 * An operator's release reaches it through the global {@code blocked-prefixes} store, which the
 * release overwrote: the next tally of the prefix applies it (empty window, grace period).
 */
final class PumpingDetector implements Processor<String, PrefixTally, String, PrefixBlock> {

  private static final Logger LOG = LoggerFactory.getLogger(PumpingDetector.class);
  /** How often prefixes with nothing left to remember are dropped from the store. */
  static final Duration PURGE_INTERVAL = Duration.ofMinutes(10);

  private final PumpingSettings settings;
  private final MeterRegistry metrics;
  private ProcessorContext<String, PrefixBlock> context;
  private KeyValueStore<String, PrefixActivity> activities;
  private KeyValueStore<String, PrefixBlock> blocks;

  PumpingDetector(PumpingSettings settings, MeterRegistry metrics) {
    this.settings = settings;
    this.metrics = metrics;
  }

  /** Whether the detector needs this event at all: a send or an approval. */
  static boolean counts(VerificationEvent event) {
    return event != null && (announcesSend(event) || event.getStatus() == VerificationStatus.APPROVED);
  }

  /**
   * The lifecycle emits an event still {@code PENDING} exactly when it dispatched a send: the creation
   * with its first send, a failover, the voice fallback, a resend or repeated start. A creation that
   * found no route sent nothing and carries no attempt.
   */
  static boolean announcesSend(VerificationEvent event) {
    return event.getStatus() == VerificationStatus.PENDING && !event.getAttempts().isEmpty();
  }

  @Override
  public void init(ProcessorContext<String, PrefixBlock> context) {
    this.context = context;
    this.activities = context.getStateStore(DispatcherNames.PREFIX_ACTIVITY_STORE);
    this.blocks = context.getStateStore(DispatcherNames.BLOCKED_PREFIXES_STORE);
    context.schedule(PURGE_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::purge);
  }

  @Override
  public void process(Record<String, PrefixTally> record) {
    String prefix = record.key();
    PrefixTally tally = record.value();
    if (prefix == null || tally == null || tally.getEvents().isEmpty()) {
      return;
    }
    PrefixActivity activity = Optional.ofNullable(activities.get(prefix)).orElseGet(PrefixActivity::empty);
    PrefixBlock held = blocks.get(prefix);
    if (held != null && held.getState() == PrefixBlockState.RELEASED && held.getReleasedAt() != null) {
      activity = activity.released(held.getReleasedAt(), settings);
    }
    for (PrefixEvent event : tally.getEvents()) {
      Instant at = event.getAt();
      if (event.getApproved()) {
        activity = activity.approved(at, settings);
        continue;
      }
      activity = activity.started(at, settings);
      Optional<PrefixActivity.Verdict> verdict = activity.judge(at, settings);
      if (verdict.isPresent()) {
        activity = activity.blocked(at, settings);
        block(prefix, tally.getCountry(), verdict.get(), at);
      }
    }
    activities.put(prefix, activity);
  }

  private void block(String prefix, String country, PrefixActivity.Verdict verdict, Instant at) {
    String reason = verdict.reason(settings);
    Instant until = at.plus(settings.blockFor());
    // A prefix is a carrier's block of numbers, not a subscriber: safe to log as it is.
    LOG.warn("destination prefix {} ({}) blocked until {}: {}", prefix, country, until, reason);
    metrics.counter("relay.pumping.blocks", "country", country == null ? "ZZ" : country).increment();
    PrefixBlock block = PrefixBlock.newBuilder()
        .setPrefix(prefix)
        .setCountry(country == null || country.isBlank() ? "ZZ" : country)
        .setState(PrefixBlockState.BLOCKED)
        .setReason(reason)
        .setStartedInWindow(verdict.started())
        .setApprovedInWindow(verdict.approved())
        .setCompletionRate(verdict.completion())
        .setBaselinePerWindow(verdict.baselinePerWindow())
        .setWindowStart(verdict.windowStart())
        .setBlockedAt(at)
        .setBlockedUntil(until)
        .build();
    context.forward(new Record<>(prefix, block, at.toEpochMilli()));
  }

  private void purge(long wallClockMillis) {
    Instant now = Instant.ofEpochMilli(wallClockMillis);
    List<String> idle = new ArrayList<>();
    try (KeyValueIterator<String, PrefixActivity> entries = activities.all()) {
      while (entries.hasNext()) {
        KeyValue<String, PrefixActivity> entry = entries.next();
        if (entry.value == null || entry.value.isIdle(now, settings)) {
          idle.add(entry.key);
        }
      }
    }
    idle.forEach(activities::delete);
  }
}
