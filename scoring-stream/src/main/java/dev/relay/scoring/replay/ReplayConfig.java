package dev.relay.scoring.replay;

import dev.relay.scoring.config.ConsoleConfig;
import dev.relay.support.config.CommonKeys;
import dev.relay.support.config.ConfigKey;
import dev.relay.support.config.ConfigSchema;
import dev.relay.support.kafka.KafkaAccess;
import dev.relay.support.routing.RoutingKeys;
import java.util.List;
import java.util.Map;

/**
 * The what-if replay's settings. Each has a short flag ({@link #FLAGS}: {@code --from=7d} is
 * {@code --relay.replay.from=7d}); the routing policy keys are the dispatcher's own names, so one
 * settings file serves both.
 */
public final class ReplayConfig {

  public static final ConfigKey FROM = ConfigKey.required(
      "relay.replay.from", "Start of the range: an ISO instant (2026-11-26T00:00:00Z) or a duration ago (7d, PT36H)");
  public static final ConfigKey TO = ConfigKey.optional(
      "relay.replay.to", "0s", "End of the range (exclusive), as --from; default now");
  public static final ConfigKey TABLE = ConfigKey.required(
      "relay.replay.table", "The routing table to replay: a JSON file in the format RoutingTablePublisher publishes");
  public static final ConfigKey SCORES = ConfigKey.optional(
      "relay.replay.scores", "on",
      "on: order the table's routes by the scores recorded at the time, as the dispatcher does; off: the table's order");
  public static final ConfigKey WINDOW = ConfigKey.optional(
      "relay.replay.window", "30s", "The failover window: how long a send waits for a delivered receipt");
  public static final ConfigKey EXPIRY = ConfigKey.optional(
      "relay.replay.expiry", "10m", "A verification's life (relay.verification.ttl): nothing is sent or checked after it");
  public static final ConfigKey MAX_SENDS = ConfigKey.optional(
      "relay.replay.max-sends", "5", "Sends per verification (relay.verification.max-sends)");
  public static final ConfigKey CHANNEL_ORDER = ConfigKey.optional(
      "relay.replay.channel-order", "*:sms,voice",
      "The channel fallback order where the table gives none (relay.fallback.channel-order's form)");
  public static final ConfigKey MIN_HOUR_SAMPLES = ConfigKey.optional(
      "relay.replay.min-samples", "20",
      "Tries a route needs in an hour of day (else in the whole range, else the prior) for its own figures to be used");
  public static final ConfigKey SEED = ConfigKey.optional(
      "relay.replay.seed", "1", "Seed of the replay's draws: the same seed, range and table give the same output");
  public static final ConfigKey SCORE_LOOKBACK = ConfigKey.optional(
      "relay.replay.score-lookback", "1h", "How far before --from the recorded scores are read, for the order at the start");
  public static final ConfigKey EXPLORATION_CAP = RoutingKeys.EXPLORATION_CAP;
  public static final ConfigKey EXPLORATION_FLOOR = RoutingKeys.EXPLORATION_FLOOR;

  /** Short flags and the keys they stand for. */
  public static final Map<String, ConfigKey> FLAGS = Map.ofEntries(
      Map.entry("from", FROM), Map.entry("to", TO), Map.entry("table", TABLE), Map.entry("scores", SCORES),
      Map.entry("window", WINDOW), Map.entry("expiry", EXPIRY), Map.entry("max-sends", MAX_SENDS),
      Map.entry("channel-order", CHANNEL_ORDER), Map.entry("min-hour-samples", MIN_HOUR_SAMPLES),
      Map.entry("seed", SEED), Map.entry("score-lookback", SCORE_LOOKBACK),
      Map.entry("bootstrap-servers", CommonKeys.BOOTSTRAP_SERVERS));

  public static final ConfigSchema SCHEMA = ConfigSchema.combine(
      List.of(CommonKeys.BOOTSTRAP_SERVERS, CommonKeys.KAFKA_CLIENT_PROPERTIES_FILE, FROM, TO, TABLE, SCORES, WINDOW,
          EXPIRY, MAX_SENDS, CHANNEL_ORDER, MIN_HOUR_SAMPLES, SEED, SCORE_LOOKBACK, ConsoleConfig.MIN_SAMPLES,
          ConsoleConfig.SCORE_MARGIN, ConsoleConfig.EXPLORATION_SHARE, EXPLORATION_CAP, EXPLORATION_FLOOR),
      CommonKeys.topicKeys()).withPrefix(KafkaAccess.CLIENT_KEYS);

  private ReplayConfig() {}
}
