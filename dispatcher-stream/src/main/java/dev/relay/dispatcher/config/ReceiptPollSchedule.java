package dev.relay.dispatcher.config;

import dev.relay.providers.ProviderKeys;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.polling.ReceiptPollKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * When an accepted send counts as missing its final receipt, how often its status is polled and how many
 * times, and which vendors are polled at all (those whose adapter has a status lookup).
 *
 * @param after time from the send's acceptance to the first poll, when no final receipt came
 * @param interval time between polls while the status is still intermediate
 * @param maxPolls polls per send before giving up
 */
public record ReceiptPollSchedule(boolean enabled, Duration after, Duration interval, int maxPolls, Set<String> providers) {

  public ReceiptPollSchedule {
    DispatcherSettings.requirePositive(ReceiptPollKeys.AFTER, after);
    DispatcherSettings.requirePositive(ReceiptPollKeys.INTERVAL, interval);
    if (maxPolls < 1 || maxPolls > 100) {
      throw new ConfigException(ReceiptPollKeys.MAX_POLLS.name() + " must be between 1 and 100, not " + maxPolls);
    }
    providers = Set.copyOf(providers);
  }

  /**
   * @throws ConfigException naming the key when a value is out of range or a vendor unknown
   */
  public static ReceiptPollSchedule from(RelayConfig config) {
    Set<String> providers = new LinkedHashSet<>();
    for (String name : config.getList(ReceiptPollKeys.PROVIDERS)) {
      String provider = name.trim().toLowerCase(Locale.ROOT);
      if (!ProviderKeys.KNOWN.contains(provider)) {
        throw new ConfigException(ReceiptPollKeys.PROVIDERS.name() + ": unknown provider '" + name + "'; known: " + ProviderKeys.KNOWN);
      }
      providers.add(provider);
    }
    return new ReceiptPollSchedule(config.getBoolean(ReceiptPollKeys.ENABLED), config.getDuration(ReceiptPollKeys.AFTER),
        config.getDuration(ReceiptPollKeys.INTERVAL), config.getInt(ReceiptPollKeys.MAX_POLLS), providers);
  }

  /** Whether sends accepted by this vendor are polled when their receipt is overdue. */
  public boolean polls(String provider) {
    return enabled && provider != null && providers.contains(provider.toLowerCase(Locale.ROOT));
  }

  /** The first poll of a send accepted at {@code acceptedAt}. */
  public Instant firstPollOf(Instant acceptedAt) {
    return acceptedAt.plus(after);
  }

  /** The poll after one made at {@code polledAt}. */
  public Instant nextPollAfter(Instant polledAt) {
    return polledAt.plus(interval);
  }

  /** For log lines: the schedule in words. */
  public String describe() {
    Duration last = after.plus(interval.multipliedBy(maxPolls - 1L));
    return "first poll " + after + " after acceptance, then every " + interval + ", last at " + last + " for " + providers;
  }
}
