package dev.relay.dlr.polling;

import dev.relay.dlr.config.DlrConfig;
import dev.relay.providers.ProviderKeys;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.RelayConfig;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * When an accepted send counts as missing its receipt, how often it is polled and how many times,
 * and which vendors are polled at all (those whose adapter has a status lookup).
 *
 * @param after time from the send's acceptance to the first poll, when no final receipt came
 * @param interval time between polls while the status is still intermediate
 * @param maxPolls polls per message before giving up
 * @param scanInterval how often the wall-clock punctuator looks for due polls
 */
public record PollSettings(boolean enabled, Duration after, Duration interval, int maxPolls, Set<String> providers,
    Duration scanInterval) {

  public PollSettings {
    providers = Set.copyOf(providers);
  }

  /**
   * @throws ConfigException naming the key when a value is out of range
   */
  public static PollSettings from(RelayConfig config) {
    Duration after = positive(config, DlrConfig.POLL_AFTER);
    Duration interval = positive(config, DlrConfig.POLL_INTERVAL);
    Duration scan = positive(config, DlrConfig.POLL_SCAN_INTERVAL);
    int maxPolls = config.getInt(DlrConfig.POLL_MAX_POLLS);
    if (maxPolls < 1 || maxPolls > 100) {
      throw new ConfigException(DlrConfig.POLL_MAX_POLLS.name() + " must be between 1 and 100, not " + maxPolls);
    }
    Set<String> providers = new LinkedHashSet<>();
    for (String name : config.getList(DlrConfig.POLL_PROVIDERS)) {
      String provider = name.trim().toLowerCase(Locale.ROOT);
      if (!ProviderKeys.KNOWN.contains(provider)) {
        throw new ConfigException(DlrConfig.POLL_PROVIDERS.name() + ": unknown provider '" + name + "'; known: " + ProviderKeys.KNOWN);
      }
      providers.add(provider);
    }
    return new PollSettings(config.getBoolean(DlrConfig.POLL_ENABLED), after, interval, maxPolls, providers, scan);
  }

  private static Duration positive(RelayConfig config, dev.relay.support.config.ConfigKey key) {
    Duration value = config.getDuration(key);
    if (value.isNegative() || value.isZero()) {
      throw new ConfigException(key.name() + " must be longer than zero, not " + value);
    }
    return value;
  }
}
