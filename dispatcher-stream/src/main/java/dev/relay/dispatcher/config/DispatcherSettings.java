package dev.relay.dispatcher.config;

import dev.relay.support.config.ConfigException;
import dev.relay.support.config.ConfigKey;
import dev.relay.support.config.RelayConfig;
import java.nio.file.Path;
import dev.relay.schemas.topics.Durations;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The dispatcher's settings, read and validated once: the Streams application and the verification
 * limits, built from config by {@link #from(RelayConfig)}.
 */
public record DispatcherSettings(
    String applicationId,
    Path stateDir,
    Duration commitInterval,
    Duration punctuateInterval,
    int codeLength,
    Duration ttl,
    Duration deliveryWindow,
    Map<String, Duration> deliveryWindowByCountry,
    int maxWrongGuesses,
    int maxSends,
    Duration retention,
    Set<String> voiceFallbackCountries) {

  private static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}");
  private static final String ALL_COUNTRIES = "*";

  public DispatcherSettings {
    requireBetween(DispatcherConfig.CODE_LENGTH, codeLength, 4, 10);
    requireBetween(DispatcherConfig.MAX_WRONG_GUESSES, maxWrongGuesses, 1, 1000);
    requireBetween(DispatcherConfig.MAX_SENDS, maxSends, 1, 100);
    requirePositive(DispatcherConfig.COMMIT_INTERVAL, commitInterval);
    requirePositive(DispatcherConfig.PUNCTUATE_INTERVAL, punctuateInterval);
    requirePositive(DispatcherConfig.TTL, ttl);
    requirePositive(DispatcherConfig.DELIVERY_WINDOW, deliveryWindow);
    deliveryWindowByCountry = Map.copyOf(deliveryWindowByCountry);
    deliveryWindowByCountry.values().forEach(window -> requirePositive(DispatcherConfig.DELIVERY_WINDOW_BY_COUNTRY, window));
    requirePositive(DispatcherConfig.RETENTION, retention);
    voiceFallbackCountries = Set.copyOf(voiceFallbackCountries);
    if (applicationId == null || applicationId.isBlank()) {
      throw new ConfigException(DispatcherConfig.APPLICATION_ID.name() + " must not be empty");
    }
  }

  public static DispatcherSettings from(RelayConfig config) {
    String applicationId = config.get(DispatcherConfig.APPLICATION_ID).trim();
    return new DispatcherSettings(
        applicationId,
        Path.of(config.get(DispatcherConfig.STATE_DIR)),
        config.getDuration(DispatcherConfig.COMMIT_INTERVAL),
        config.getDuration(DispatcherConfig.PUNCTUATE_INTERVAL),
        config.getInt(DispatcherConfig.CODE_LENGTH),
        config.getDuration(DispatcherConfig.TTL),
        config.getDuration(DispatcherConfig.DELIVERY_WINDOW),
        windowsByCountry(config),
        config.getInt(DispatcherConfig.MAX_WRONG_GUESSES),
        config.getInt(DispatcherConfig.MAX_SENDS),
        config.getDuration(DispatcherConfig.RETENTION),
        voiceFallbackCountries(config));
  }

  /** The delivery window for a number of this country: its own where configured, else the default. */
  public Duration deliveryWindowFor(String country) {
    return deliveryWindowByCountry.getOrDefault(country, deliveryWindow);
  }

  /** Whether an SMS verification to this country may go on as a voice call once its SMS routes are used up. */
  public boolean voiceFallbackIn(String country) {
    return voiceFallbackCountries.contains(ALL_COUNTRIES) || voiceFallbackCountries.contains(country);
  }

  private static Set<String> voiceFallbackCountries(RelayConfig config) {
    Set<String> countries = new HashSet<>();
    for (String entry : config.getList(DispatcherConfig.VOICE_FALLBACK_COUNTRIES)) {
      String country = entry.trim().toUpperCase(Locale.ROOT);
      if (!country.equals(ALL_COUNTRIES) && !COUNTRY.matcher(country).matches()) {
        throw new ConfigException(DispatcherConfig.VOICE_FALLBACK_COUNTRIES.name()
            + ": list ISO countries (DE,FR) or *, not '" + entry + "'");
      }
      countries.add(country);
    }
    return countries;
  }

  /** Reads {@code IN:60s,NG:45s}: some routes take longer to deliver, and waiting less there only fails over early. */
  private static Map<String, Duration> windowsByCountry(RelayConfig config) {
    Map<String, Duration> windows = new HashMap<>();
    for (String entry : config.getList(DispatcherConfig.DELIVERY_WINDOW_BY_COUNTRY)) {
      int colon = entry.indexOf(':');
      String country = colon < 0 ? "" : entry.substring(0, colon).trim().toUpperCase(Locale.ROOT);
      if (!COUNTRY.matcher(country).matches()) {
        throw new ConfigException(DispatcherConfig.DELIVERY_WINDOW_BY_COUNTRY.name()
            + ": write each entry as CC:duration (DE:45s), not '" + entry + "'");
      }
      try {
        windows.put(country, Durations.parse(entry.substring(colon + 1)));
      } catch (RuntimeException e) {
        throw new ConfigException(DispatcherConfig.DELIVERY_WINDOW_BY_COUNTRY.name() + ": " + country + ": " + e.getMessage());
      }
    }
    return windows;
  }

  private static void requireBetween(ConfigKey key, int value, int min, int max) {
    if (value < min || value > max) {
      throw new ConfigException(key.name() + " must be between " + min + " and " + max + ", not " + value);
    }
  }

  private static void requirePositive(ConfigKey key, Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new ConfigException(key.name() + " must be a positive duration, not " + value);
    }
  }
}
