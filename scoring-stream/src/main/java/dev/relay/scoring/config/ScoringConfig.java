package dev.relay.scoring.config;

import dev.relay.support.config.CommonKeys;
import dev.relay.support.config.ConfigKey;
import dev.relay.support.config.ConfigSchema;
import dev.relay.support.facts.RouteFactKeys;
import dev.relay.support.kafka.KafkaAccess;
import java.util.ArrayList;
import java.util.List;

/** Every setting scoring-stream reads, with its default: the one place its configuration is declared. */
public final class ScoringConfig {

  public static final ConfigKey APPLICATION_ID = ConfigKey.optional(
      "relay.streams.application-id", "relay-scoring",
      "Kafka Streams application id: consumer group and prefix of the internal topics");
  public static final ConfigKey STATE_DIR = ConfigKey.optional(
      "relay.streams.state-dir", "data/streams",
      "Directory of the local state stores (RocksDB); the application id is a folder below it");
  // Nobody waits on a score: a longer commit interval costs nothing and saves transactions.
  public static final ConfigKey COMMIT_INTERVAL = ConfigKey.optional(
      "relay.streams.commit-interval", "1s", "How often Kafka Streams commits (a Duration)");

  public static final ConfigKey WINDOW = ConfigKey.optional(
      "relay.scoring.window", "1h", "Length of the rolling window behind each score (a Duration)");
  public static final ConfigKey WINDOW_ADVANCE = ConfigKey.optional(
      "relay.scoring.window-advance", "1m",
      "How far the rolling windows hop; both windows must be whole multiples of it (a Duration)");
  public static final ConfigKey SHORT_WINDOW = ConfigKey.optional(
      "relay.scoring.short-window", "5m",
      "Length of the short window that lets a score react fast (a Duration, at most the window)");
  public static final ConfigKey EMIT_INTERVAL = ConfigKey.optional(
      "relay.scoring.emit-interval", "10s",
      "How often changed scores are published to provider-scores (a Duration of wall-clock time)");
  public static final ConfigKey PRIOR_SAMPLES = ConfigKey.optional(
      "relay.scoring.prior-samples", "20",
      "Weight of the prior in samples: a route needs about this many sends before its own figures outweigh the prior");

  public static final ConfigKey COMPLETION_SETTLE = ConfigKey.optional(
      "relay.scoring.completion-settle", "30s",
      "How long a first send has to get its code entered before its completion is judged: the delivery and the"
          + " person's typing. Routes are judged on first sends at least this old, so a route whose traffic jumps is not"
          + " judged on people still typing (a Duration shorter than the short window; 0 judges each send at once)");

  public static final ConfigKey ALERT_DROP_POINTS = ConfigKey.optional(
      "relay.scoring.alert-drop-points", "30",
      "A route's delivery or completion rate this many percentage points below its baseline (the window"
          + " without the short window) over the short window raises a DROP on provider-alerts; a completion-rate"
          + " drop also demotes the route while it lasts");
  public static final ConfigKey ALERT_RECOVERY_POINTS = ConfigKey.optional(
      "relay.scoring.alert-recovery-points", "10",
      "A dropped rate back within this many points of the baseline it dropped from ends the episode with a RECOVERY");
  public static final ConfigKey ALERT_MIN_SAMPLES = ConfigKey.optional(
      "relay.scoring.alert-min-samples", "20",
      "Sends needed both in the baseline and in the short window before a rate can raise or end an alert");

  public static final ConfigKey DEMOTE_BELOW = ConfigKey.optional(
      "relay.scoring.demote-below", "0.55",
      "A route whose score (0 to 1) falls below this is published demoted: routing puts it last. Not when the"
          + " fall is shared by its country's other routes, or by routes across countries: that is a demand-side or"
          + " Relay-side drop, raised as its own alert, and demotes nothing");
  public static final ConfigKey PROMOTE_ABOVE = ConfigKey.optional(
      "relay.scoring.promote-above", "0.65",
      "A demoted route is promoted back only at this score or more; the gap to demote-below keeps routing from flapping");
  public static final ConfigKey DEMOTION_MIN_SAMPLES = ConfigKey.optional(
      "relay.scoring.demotion-min-samples", "20",
      "Tries in the long window before a route's score can demote or promote it; with fewer it keeps its standing");

  public static final ConfigKey PROMOTION_CONFIDENCE = ConfigKey.optional(
      "relay.scoring.promotion-confidence", "0.95",
      "A demoted route comes back when the lower bound, at this confidence, of its recent first sends' completion"
          + " (Beta posterior) reaches its best healthy peer's rate less alert-recovery-points");

  public static final ConfigKey HTTP_PORT = CommonKeys.httpPort(8083);
  public static final ConfigKey HTTP_HOST = CommonKeys.httpHost();

  public static final ConfigSchema SCHEMA = schema();

  private ScoringConfig() {}

  private static ConfigSchema schema() {
    List<ConfigKey> keys = new ArrayList<>();
    keys.add(CommonKeys.BOOTSTRAP_SERVERS);
    keys.add(CommonKeys.KAFKA_CLIENT_PROPERTIES_FILE);
    keys.addAll(CommonKeys.topicKeys());
    keys.addAll(List.of(APPLICATION_ID, STATE_DIR, COMMIT_INTERVAL,
        WINDOW, WINDOW_ADVANCE, SHORT_WINDOW, EMIT_INTERVAL, PRIOR_SAMPLES, COMPLETION_SETTLE,
        ALERT_DROP_POINTS, ALERT_RECOVERY_POINTS, ALERT_MIN_SAMPLES,
        DEMOTE_BELOW, PROMOTE_ABOVE, DEMOTION_MIN_SAMPLES, PROMOTION_CONFIDENCE,
        HTTP_PORT, HTTP_HOST, CommonKeys.MANAGEMENT_PORT));
    keys.addAll(ConsoleConfig.KEYS);
    // Read by the dispatcher now, which tells the route facts; accepted here so existing configs load.
    keys.addAll(RouteFactKeys.ALL);
    return ConfigSchema.of(keys).withPrefix(KafkaAccess.CLIENT_KEYS);
  }
}
