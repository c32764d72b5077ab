package dev.relay.dispatcher.config;

import dev.relay.support.config.ConfigException;
import dev.relay.support.config.ConfigKey;
import dev.relay.support.config.RelayConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The anti-pumping detector's settings. A destination prefix (the first {@code prefixDigits} digits
 * of E.164 without '+', country code included) is blocked when, over the recent {@code window}, at
 * least {@code minStarts} verifications were started to it, that is at least {@code spikeFactor}
 * times its baseline (an exponentially weighted average of the starts per window length before the
 * window, with time constant {@code baseline}), and fewer than {@code maxCompletion} of the starts
 * older than {@code completionDelay} were approved: many codes sent, nobody typing them in, the
 * signature of SMS pumping. A block lapses after {@code blockFor}; an operator's release keeps the
 * detector from blocking the prefix again for {@code releaseGrace}.
 */
public record PumpingSettings(
    boolean enabled,
    int prefixDigits,
    Duration window,
    Duration bucket,
    Duration baseline,
    int minStarts,
    double spikeFactor,
    double maxCompletion,
    Duration completionDelay,
    Duration blockFor,
    Duration releaseGrace) {

  public static final ConfigKey ENABLED = ConfigKey.optional("relay.pumping.enabled", "true",
      "Block destination prefixes whose starts spike while almost none complete (SMS pumping)");
  public static final ConfigKey PREFIX_DIGITS = ConfigKey.optional("relay.pumping.prefix-digits", "5",
      "Digits of the E.164 number without '+' that make a prefix, country code included (49151...), 2 to 12");
  public static final ConfigKey WINDOW = ConfigKey.optional("relay.pumping.window", "15m",
      "The recent window whose starts and completion are judged");
  public static final ConfigKey BUCKET = ConfigKey.optional("relay.pumping.bucket", "1m",
      "Granularity of the recent window's counts; the window's edges are exact to this");
  public static final ConfigKey BASELINE = ConfigKey.optional("relay.pumping.baseline", "24h",
      "Time constant of the prefix's baseline (an exponentially weighted average of its starts before the window)");
  public static final ConfigKey MIN_STARTS = ConfigKey.optional("relay.pumping.min-starts", "20",
      "Absolute floor: fewer starts than this in the window (or old enough to judge completion) never block");
  public static final ConfigKey SPIKE_FACTOR = ConfigKey.optional("relay.pumping.spike-factor", "5",
      "The window's starts must be at least this many times the baseline's starts per window length");
  public static final ConfigKey MAX_COMPLETION = ConfigKey.optional("relay.pumping.max-completion", "0.2",
      "Blocked only while the share of starts approved is below this (0 to 1)");
  public static final ConfigKey COMPLETION_DELAY = ConfigKey.optional("relay.pumping.completion-delay", "2m",
      "Starts younger than this are not yet expected to be approved and do not count in the completion rate");
  public static final ConfigKey BLOCK_FOR = ConfigKey.optional("relay.pumping.block-for", "1h",
      "How long a block holds unless an operator releases it; callers get it as Retry-After");
  public static final ConfigKey RELEASE_GRACE = ConfigKey.optional("relay.pumping.release-grace", "1h",
      "After an operator's release the detector does not block the prefix again for this long");

  public static final List<ConfigKey> KEYS = List.of(ENABLED, PREFIX_DIGITS, WINDOW, BUCKET, BASELINE, MIN_STARTS,
      SPIKE_FACTOR, MAX_COMPLETION, COMPLETION_DELAY, BLOCK_FOR, RELEASE_GRACE);

  public PumpingSettings {
    if (prefixDigits < 2 || prefixDigits > 12) {
      throw new ConfigException(PREFIX_DIGITS.name() + " must be between 2 and 12, not " + prefixDigits);
    }
    positive(WINDOW, window);
    positive(BUCKET, bucket);
    positive(BASELINE, baseline);
    positive(BLOCK_FOR, blockFor);
    if (bucket.compareTo(window) > 0) {
      throw new ConfigException(BUCKET.name() + " (" + bucket + ") must not be longer than " + WINDOW.name() + " (" + window + ")");
    }
    if (completionDelay == null || completionDelay.isNegative() || completionDelay.compareTo(window) >= 0) {
      throw new ConfigException(COMPLETION_DELAY.name() + " must be zero or more and shorter than " + WINDOW.name()
          + ", not " + completionDelay);
    }
    if (releaseGrace == null || releaseGrace.isNegative()) {
      throw new ConfigException(RELEASE_GRACE.name() + " must be zero or more, not " + releaseGrace);
    }
    if (minStarts < 1) {
      throw new ConfigException(MIN_STARTS.name() + " must be at least 1, not " + minStarts);
    }
    if (!(spikeFactor >= 1)) {
      throw new ConfigException(SPIKE_FACTOR.name() + " must be at least 1, not " + spikeFactor);
    }
    if (!(maxCompletion > 0 && maxCompletion <= 1)) {
      throw new ConfigException(MAX_COMPLETION.name() + " must be above 0 and at most 1, not " + maxCompletion);
    }
  }

  public static PumpingSettings from(RelayConfig config) {
    return read(key -> config.get(key));
  }

  /** The defaults above, for code that is given no config. */
  public static PumpingSettings defaults() {
    return read(ConfigKey::defaultValue);
  }

  /** The defaults with some keys replaced, as tests write them. */
  public static PumpingSettings defaultsWith(Map<ConfigKey, String> values) {
    return read(key -> values.getOrDefault(key, key.defaultValue()));
  }

  /** The prefix a number belongs to: its first digits without '+' (all of them when it is shorter). */
  public String prefixOf(String e164) {
    String digits = e164.startsWith("+") ? e164.substring(1) : e164;
    return digits.length() <= prefixDigits ? digits : digits.substring(0, prefixDigits);
  }

  private static PumpingSettings read(Function<ConfigKey, String> values) {
    return new PumpingSettings(
        bool(ENABLED, values.apply(ENABLED)),
        integer(PREFIX_DIGITS, values.apply(PREFIX_DIGITS)),
        duration(WINDOW, values.apply(WINDOW)),
        duration(BUCKET, values.apply(BUCKET)),
        duration(BASELINE, values.apply(BASELINE)),
        integer(MIN_STARTS, values.apply(MIN_STARTS)),
        number(SPIKE_FACTOR, values.apply(SPIKE_FACTOR)),
        number(MAX_COMPLETION, values.apply(MAX_COMPLETION)),
        duration(COMPLETION_DELAY, values.apply(COMPLETION_DELAY)),
        duration(BLOCK_FOR, values.apply(BLOCK_FOR)),
        duration(RELEASE_GRACE, values.apply(RELEASE_GRACE)));
  }

  private static boolean bool(ConfigKey key, String value) {
    String trimmed = value.trim();
    if (!trimmed.equalsIgnoreCase("true") && !trimmed.equalsIgnoreCase("false")) {
      throw new ConfigException(key.name() + " must be true or false, not '" + value + "'");
    }
    return Boolean.parseBoolean(trimmed);
  }

  private static int integer(ConfigKey key, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key.name() + " must be a whole number, not '" + value + "'");
    }
  }

  private static double number(ConfigKey key, String value) {
    try {
      return Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key.name() + " must be a number, not '" + value + "'");
    }
  }

  private static Duration duration(ConfigKey key, String value) {
    try {
      return dev.relay.schemas.topics.Durations.parse(value.trim());
    } catch (RuntimeException e) {
      throw new ConfigException(key.name() + " must be a duration (15m, PT15M), not '" + value + "'");
    }
  }

  private static void positive(ConfigKey key, Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new ConfigException(key.name() + " must be a positive duration, not " + value);
    }
  }
}
