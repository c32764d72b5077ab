package dev.relay.scoring.replay;

import dev.relay.scoring.config.ConsoleConfig;
import dev.relay.schemas.topics.Durations;
import dev.relay.schemas.topics.Topics;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.ConfigKey;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.kafka.KafkaAccess;
import dev.relay.support.routing.CountryChannels;
import dev.relay.support.routing.RouteOrder;
import dev.relay.support.routing.RoutingTableFile;
import dev.relay.support.routing.TableRoutes;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The what-if replay's command line: reads the recorded range from Kafka, replays it under the given
 * table and scoring setting, prints the report.
 * {@code routing-replay.sh --from=7d [--to=...] --table=routes.json [--scores=on|off] [--window=30s] [--seed=1]
 * [--bootstrap-servers=...]}. Exits 0 with the report, 2 on bad input (the message says what), 1 when
 * Kafka cannot be read.
 */
public final class ReplayMain {

  /** Where the recording comes from: Kafka in production, a prepared recording in tests. */
  @FunctionalInterface
  public interface RecordingSource {
    Recording read(RelayConfig config, Instant from, Instant to, Duration settle, Duration scoreLookback);
  }

  private ReplayMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), ReplayMain::fromKafka, System.out, System.err, Clock.systemUTC()));
  }

  /** Runs the replay; answers the exit code, the report on {@code out}, a one-line reason on {@code err}. */
  public static int run(String[] args, Map<String, String> env, RecordingSource source, PrintStream out,
      PrintStream err, Clock clock) {
    try {
      RelayConfig config = RelayConfig.load(ReplayConfig.SCHEMA, env, expandFlags(args));
      Instant now = clock.instant();
      Instant from = instant(config, ReplayConfig.FROM, now);
      Instant to = instant(config, ReplayConfig.TO, now);
      if (!from.isBefore(to)) {
        throw new ConfigException("--from (" + from + ") must be before --to (" + to + ")");
      }
      Path tableFile = Path.of(config.get(ReplayConfig.TABLE).trim());
      TableRoutes table = TableRoutes.of(RoutingTableFile.read(tableFile, 0, now, "routing-replay"));
      ReplaySettings settings = settings(config);
      Recording recording = source.read(config, from, to, settings.expiry().plus(settings.failoverWindow()),
          config.getDuration(ReplayConfig.SCORE_LOOKBACK));
      WhatIfReplay.Result result = new WhatIfReplay(settings).run(recording, table);
      out.print(ReplayReport.format(result, tableFile.getFileName().toString()));
      return 0;
    } catch (ConfigException e) {
      err.println("routing replay: " + e.getMessage());
      return 2;
    } catch (RuntimeException e) {
      err.println("routing replay failed: " + e.getMessage());
      return 1;
    }
  }

  static ReplaySettings settings(RelayConfig config) {
    String scores = config.get(ReplayConfig.SCORES).trim().toLowerCase(Locale.ROOT);
    if (!scores.equals("on") && !scores.equals("off")) {
      throw new ConfigException(ReplayConfig.SCORES.name() + " (--scores) is on or off, not '" + scores + "'");
    }
    Duration window = config.getDuration(ReplayConfig.WINDOW);
    if (window.isZero() || window.isNegative()) {
      throw new ConfigException(ReplayConfig.WINDOW.name() + " (--window) must be positive");
    }
    int maxSends = config.getInt(ReplayConfig.MAX_SENDS);
    int minSamples = config.getInt(ReplayConfig.MIN_HOUR_SAMPLES);
    if (maxSends < 1 || minSamples < 1) {
      throw new ConfigException("--max-sends and --min-hour-samples must be at least 1");
    }
    RouteOrder.Policy policy = new RouteOrder.Policy(config.getInt(ConsoleConfig.MIN_SAMPLES),
        config.getFraction(ConsoleConfig.EXPLORATION_SHARE), config.getFraction(ConsoleConfig.SCORE_MARGIN),
        config.getFraction(ReplayConfig.EXPLORATION_CAP), config.getInt(ReplayConfig.EXPLORATION_FLOOR));
    long seed;
    try {
      seed = Long.parseLong(config.get(ReplayConfig.SEED).trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(ReplayConfig.SEED.name() + " (--seed) must be a whole number");
    }
    return new ReplaySettings(scores.equals("on"), window, config.getDuration(ReplayConfig.EXPIRY), maxSends,
        CountryChannels.parse(ReplayConfig.CHANNEL_ORDER.name(), config.get(ReplayConfig.CHANNEL_ORDER)), policy,
        minSamples, seed, Priors.DEFAULT);
  }

  /** An ISO instant, or a duration before now ({@code 7d}, {@code PT36H}). */
  static Instant instant(RelayConfig config, ConfigKey key, Instant now) {
    String text = config.get(key).trim();
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException notAnInstant) {
      try {
        return now.minus(Durations.parse(text));
      } catch (RuntimeException notADuration) {
        throw new ConfigException(key.name() + ": '" + text
            + "' is neither an ISO instant (2026-11-26T00:00:00Z) nor a duration ago (7d, PT36H)");
      }
    }
  }

  /** {@code --from=7d} to {@code --relay.replay.from=7d}; every other argument as it is. */
  static String[] expandFlags(String[] args) {
    List<String> expanded = new ArrayList<>(args.length);
    for (String arg : args) {
      String flag = arg.startsWith("--") ? arg.substring(2) : "";
      int equals = flag.indexOf('=');
      ConfigKey key = equals < 0 ? null : ReplayConfig.FLAGS.get(flag.substring(0, equals));
      expanded.add(key == null ? arg : "--" + key.name() + flag.substring(equals));
    }
    return expanded.toArray(String[]::new);
  }

  static Recording fromKafka(RelayConfig config, Instant from, Instant to, Duration settle, Duration lookback) {
    RecordingReader reader = new RecordingReader(KafkaAccess.from(config), Topics.fromConfig(config.lookup()));
    Recording recording = reader.read(from, to, settle, lookback);
    if (reader.undecodable() > 0) {
      System.err.println("routing replay: " + reader.undecodable() + " records could not be decoded and were left out");
    }
    return recording;
  }
}
