package dev.relay.dispatcher.config;

import dev.relay.dispatcher.facts.RouteFactSettings;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.ConfigKey;
import dev.relay.support.config.RelayConfig;
import java.nio.file.Path;
import dev.relay.schemas.topics.Durations;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import dev.relay.schemas.Channel;
import dev.relay.support.routing.CountryChannels;
import java.util.Set;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The dispatcher's settings, read and validated once: the Streams application, the verification
 * limits, the status polls of overdue receipts and the route facts, built from config by {@link #from(RelayConfig)}.
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
    CountryChannels channelOrder,
    ReceiptPollSchedule receiptPolls,
    RouteFactSettings routeFacts) {

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
        channelOrder(config),
        ReceiptPollSchedule.from(config),
        RouteFactSettings.from(config));
  }

  /** The delivery window for a number of this country: its own where configured, else the default. */
  public Duration deliveryWindowFor(String country) {
    return deliveryWindowByCountry.getOrDefault(country, deliveryWindow);
  }

  /**
   * The channels a verification to this country goes through, in order, as each one's routes are used up
   * (the configured order; a published routing table may carry its own).
   */
  public List<Channel> channelOrderFor(String country) {
    return channelOrder.of(country);
  }

  /**
   * {@code relay.fallback.channel-order}, or where it is empty the order the deprecated
   * {@code relay.fallback.voice-countries} implies: SMS then voice in the countries it lists, SMS alone
   * elsewhere. Both at once would leave the reader guessing which one wins, so that is refused.
   */
  private static CountryChannels channelOrder(RelayConfig config) {
    String order = config.find(DispatcherConfig.CHANNEL_ORDER).orElse("");
    Set<String> voiceCountries = voiceFallbackCountries(config);
    if (!order.isBlank()) {
      if (!voiceCountries.isEmpty()) {
        throw new ConfigException(DispatcherConfig.VOICE_FALLBACK_COUNTRIES.name() + " and "
            + DispatcherConfig.CHANNEL_ORDER.name() + " are both set; write the voice fallback into the channel order"
            + " (for example DE:sms,voice;*:sms) and remove " + DispatcherConfig.VOICE_FALLBACK_COUNTRIES.name());
      }
      CountryChannels parsed = CountryChannels.parse(DispatcherConfig.CHANNEL_ORDER.name(), order);
      if (parsed.own(CountryChannels.DEFAULT_COUNTRY).isEmpty()) {
        throw new ConfigException(DispatcherConfig.CHANNEL_ORDER.name()
            + " needs a default entry for the other countries, for example '*:sms,voice' (it is '" + order + "')");
      }
      return parsed;
    }
    Map<String, List<Channel>> implied = new HashMap<>();
    implied.put(ALL_COUNTRIES, List.of(Channel.SMS));
    voiceCountries.forEach(country -> implied.put(country, List.of(Channel.SMS, Channel.VOICE)));
    return CountryChannels.of(DispatcherConfig.VOICE_FALLBACK_COUNTRIES.name(), implied);
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

  static void requirePositive(ConfigKey key, Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new ConfigException(key.name() + " must be a positive duration, not " + value);
    }
  }
}
