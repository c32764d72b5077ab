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
 * Watches each published score for a sharp drop of the route's delivery or completion rate against
 * its own baseline: the long window without the short one, so the two never share a send.
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
    long baselineSamples = score.getAccepted() - recent.getAccepted();
    long currentSamples = recent.getAccepted();
    if (currentSamples < settings.minSamples()) {
      return;
    }
    long recentHits = metric == AlertMetric.DELIVERY_RATE ? recent.getDelivered() : recent.getCompleted();
    long allHits = metric == AlertMetric.DELIVERY_RATE ? score.getDelivered() : score.getCompleted();
    double current = (double) recentHits / currentSamples;
    double baseline = baselineSamples > 0 ? (double) (allHits - recentHits) / baselineSamples : Double.NaN;
    String episodeKey = record.key() + "|" + metric.name();
    ProviderAlert open = episodes.get(episodeKey);

    if (open == null) {
      if (!settings.isSharpDrop(allHits - recentHits, baselineSamples, recentHits, currentSamples)) {
        return;
      }
      ProviderAlert drop = alert(record.key(), score, metric, AlertKind.DROP, null, baseline, current,
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
        .build();
  }
}
