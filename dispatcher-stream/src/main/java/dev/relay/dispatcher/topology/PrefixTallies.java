package dev.relay.dispatcher.topology;

import dev.relay.dispatcher.config.PumpingSettings;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.VerificationStatus;
import dev.relay.schemas.state.PrefixEvent;
import dev.relay.schemas.state.PrefixTally;
import dev.relay.support.streams.WallClockWakes;
import java.time.Duration;
import java.util.ArrayList;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Anti-pumping on the number's side of its repartition: collects the sends and approvals this task
 * reads from verification-events per destination prefix, in order, and forwards one {@link PrefixTally}
 * per prefix and {@link #INTERVAL} to the {@link PumpingDetector}, instead of one repartition record per
 * event. The detector replays each tally's events in order, so it decides as it would on the events
 * one by one, up to one interval later: pumping is judged over minutes.
 *
 * <p>Events wait in memory ({@link PendingTallies}): an idle dispatcher schedules nothing and commits
 * nothing. A task that closes between a commit and the next tally (a stop, a rebalance, a kill) loses
 * that interval's events to the detector's counts (a pumping attack lasts minutes: it is judged on the
 * events after).
 */
final class PrefixTallies implements Processor<String, VerificationEvent, String, PrefixTally> {

  /** How long events wait for their tally. */
  static final Duration INTERVAL = Duration.ofSeconds(1);

  private final PumpingSettings settings;
  private final PendingTallies<PrefixTally> pending;

  PrefixTallies(PumpingSettings settings, WallClockWakes wakes) {
    this.settings = settings;
    this.pending = new PendingTallies<>(INTERVAL, wakes);
  }

  @Override
  public void init(ProcessorContext<String, PrefixTally> context) {
    pending.init(context);
  }

  @Override
  public void process(Record<String, VerificationEvent> record) {
    VerificationEvent event = record.value();
    // Switched off, nothing is counted; everything else about a verification is of no interest here.
    if (record.key() == null || !settings.enabled() || !PumpingDetector.counts(event)) {
      return;
    }
    PrefixTally tally = pending.of(settings.prefixOf(record.key()), () -> new PrefixTally(countryOf(event), new ArrayList<>()));
    tally.getEvents().add(new PrefixEvent(event.getStatus() == VerificationStatus.APPROVED, event.getOccurredAt()));
    pending.due();
  }

  private static String countryOf(VerificationEvent event) {
    return event.getCountry() == null || event.getCountry().isBlank() ? "ZZ" : event.getCountry();
  }
}
