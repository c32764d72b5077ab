package dev.relay.scoring.topology;

import dev.relay.schemas.AlertKind;
import dev.relay.schemas.AlertMetric;
import dev.relay.schemas.ProviderAlert;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.WindowStats;
import dev.relay.scoring.config.AlertSettings;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches each published score for a sharp drop of the route's delivery or completion rate (over
 * its first sends) against its own baseline: the long window without the short one, so the two
 * never share a send. A completion drop its peers share is raised as DEMAND_SIDE_DROP or
 * RELAY_SIDE_DROP with the scope that fell (see {@link SharedDrops}).
 *
 * <pre>
 *   baseline = (x_long - x_short) / (accepted_long - accepted_short)     x: delivered or completed
 *   current  = x_short / accepted_short
 *   DROP     when no episode is open, both have min-samples accepted sends, and
 *            (baseline - current) * 100 >= drop-points
 *   RECOVERY when an episode is open, the short window has min-samples, and
 *            current >= (baseline at the drop) - recovery-points / 100
 * </pre>
 *
 * The open episode is its DROP alert, kept per route and metric in a store (with a changelog), so one
 * episode raises one DROP and one RECOVERY, across restarts; the baseline of the drop is the
 * yardstick of recovery, since the window's own baseline sinks as the drop ages into it. Every
 * alert raised is also kept by route and time in the recent-alerts store, which {@code GET /alerts}
 * serves.
 */
final class RouteAlerts implements Processor<String, ProviderScore, String, ProviderAlert> {

  private static final Logger LOG = LoggerFactory.getLogger(RouteAlerts.class);
  private static final List<AlertMetric> METRICS = List.of(AlertMetric.DELIVERY_RATE, AlertMetric.COMPLETION_RATE);

  private final AlertSettings settings;
  private ProcessorContext<String, ProviderAlert> context;
  private KeyValueStore<String, ProviderAlert> episodes;
  private WindowStore<String, ProviderAlert> raised;

  RouteAlerts(AlertSettings settings) {
    this.settings = settings;
  }

  @Override
  public void init(ProcessorContext<String, ProviderAlert> context) {
    this.context = context;
    this.episodes = context.getStateStore(ScoringTopology.ROUTE_ALERTS_STORE);
    this.raised = context.getStateStore(ScoringTopology.RECENT_ALERTS_STORE);
  }

  @Override
  public void process(Record<String, ProviderScore> record) {
    ProviderScore score = record.value();
    if (record.key() == null || score == null || score.getShortWindow() == null) {
      return;
    }
    for (AlertMetric metric : METRICS) {
      check(record, score, metric);
    }
  }

  private void check(Record<String, ProviderScore> record, ProviderScore score, AlertMetric metric) {
    WindowStats recent = score.getShortWindow();
    boolean delivery = metric == AlertMetric.DELIVERY_RATE;
    // Completion over first sends only: a failover starts late through no fault of its route.
    long baselineSamples = delivery ? score.getAccepted() - recent.getAccepted() : score.getFirstSends() - recent.getFirstSends();
    long currentSamples = delivery ? recent.getAccepted() : recent.getFirstSends();
    if (currentSamples < settings.minSamples()) {
      return;
    }
    long recentHits = delivery ? recent.getDelivered() : Math.min(recent.getFirstCompleted(), currentSamples);
    long allHits = delivery ? score.getDelivered() : recentHits + Math.min(score.getFirstCompleted() - recent.getFirstCompleted(),
        Math.max(0, baselineSamples));
    double current = (double) recentHits / currentSamples;
    double baseline = baselineSamples > 0 ? (double) (allHits - recentHits) / baselineSamples : Double.NaN;
    String episodeKey = record.key() + "|" + metric.name();
    ProviderAlert open = episodes.get(episodeKey);

    if (open == null) {
      if (!settings.isSharpDrop(allHits - recentHits, baselineSamples, recentHits, currentSamples)) {
        return;
      }
      ProviderAlert drop = alert(record.key(), score, metric, dropKind(score, metric), null, baseline, current,
          baselineSamples, currentSamples);
      episodes.put(episodeKey, drop);
      raised.put(record.key(), drop, drop.getRaisedAt().toEpochMilli());
      LOG.warn("route {} {} dropped from {} to {} over the short window", record.key(), metric, baseline, current);
      context.forward(record.withValue(drop));
    } else if (current >= open.getBaselineRate() - settings.recoveryPoints() / 100) {
      ProviderAlert recovery = alert(record.key(), score, metric, AlertKind.RECOVERY, open.getAlertId(),
          open.getBaselineRate(), current, baselineSamples, currentSamples);
      episodes.delete(episodeKey);
      raised.put(record.key(), recovery, recovery.getRaisedAt().toEpochMilli());
      LOG.info("route {} {} recovered to {} (it was {} before the drop)", record.key(), metric, current,
          open.getBaselineRate());
      context.forward(record.withValue(recovery));
    }
  }

  private ProviderAlert alert(String route, ProviderScore score, AlertMetric metric, AlertKind kind, String dropId,
      double baseline, double current, long baselineSamples, long currentSamples) {
    Instant at = score.getUpdatedAt();
    WindowStats recent = score.getShortWindow();
    return ProviderAlert.newBuilder()
        .setAlertId(dropId != null ? dropId : route + "|" + metric.name() + "|" + at)
        .setProvider(score.getProvider())
        .setCountry(score.getCountry())
        .setChannel(score.getChannel())
        .setKind(kind)
        .setMetric(metric)
        .setBaselineRate(baseline)
        .setCurrentRate(current)
        .setDropPoints((baseline - current) * 100)
        .setThresholdPoints(kind == AlertKind.DROP ? settings.dropPoints() : settings.recoveryPoints())
        .setBaselineSamples(Math.max(0, baselineSamples))
        .setCurrentSamples(currentSamples)
        .setWindowStart(score.getWindowStart() != null ? score.getWindowStart() : recent.getStart())
        .setShortWindowStart(recent.getStart())
        .setWindowEnd(score.getWindowEnd() != null ? score.getWindowEnd() : recent.getEnd())
        .setScore(score.getScore())
        .setRaisedAt(at)
        .setScope(kind == AlertKind.DEMAND_SIDE_DROP ? "country " + score.getCountry() + ", " + score.getChannel()
            : kind == AlertKind.RELAY_SIDE_DROP ? "all countries, " + score.getChannel() : null)
        .build();
  }

  /**
   * A completion drop the route's peers share (scoring-stream's {@code sharedDrop}) is not the
   * provider's: it is raised as demand-side (the whole country) or Relay-side (every country).
   */
  private static AlertKind dropKind(ProviderScore score, AlertMetric metric) {
    if (metric != AlertMetric.COMPLETION_RATE || score.getSharedDrop() == null) {
      return AlertKind.DROP;
    }
    return SharedDrops.COUNTRY.equals(score.getSharedDrop()) ? AlertKind.DEMAND_SIDE_DROP : AlertKind.RELAY_SIDE_DROP;
  }
}
