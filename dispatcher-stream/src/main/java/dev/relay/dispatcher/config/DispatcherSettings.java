package dev.relay.dispatcher.config;

import dev.relay.support.config.ConfigException;
import dev.relay.support.config.ConfigKey;
import dev.relay.support.config.RelayConfig;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The dispatcher's settings, read and validated once: the Streams application, the verification
 * limits and the sender, built from config by {@link #from(RelayConfig)}.
 */
public record DispatcherSettings(
    String applicationId,
    Path stateDir,
    Duration commitInterval,
    Duration punctuateInterval,
    int codeLength,
    Duration ttl,
    Duration deliveryWindow,
    int maxWrongGuesses,
    int maxSends,
    Duration retention,
    String senderGroupId,
    String senderTransactionalId,
    int senderMaxBatch,
    Duration senderTryTimeout) {

  public DispatcherSettings {
    requireBetween(DispatcherConfig.CODE_LENGTH, codeLength, 4, 10);
    requireBetween(DispatcherConfig.MAX_WRONG_GUESSES, maxWrongGuesses, 1, 1000);
    requireBetween(DispatcherConfig.MAX_SENDS, maxSends, 1, 100);
    requireBetween(DispatcherConfig.SENDER_MAX_BATCH, senderMaxBatch, 1, 10_000);
    requirePositive(DispatcherConfig.COMMIT_INTERVAL, commitInterval);
    requirePositive(DispatcherConfig.PUNCTUATE_INTERVAL, punctuateInterval);
    requirePositive(DispatcherConfig.TTL, ttl);
    requirePositive(DispatcherConfig.DELIVERY_WINDOW, deliveryWindow);
    requirePositive(DispatcherConfig.RETENTION, retention);
    requirePositive(DispatcherConfig.SENDER_TRY_TIMEOUT, senderTryTimeout);
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
        config.getInt(DispatcherConfig.MAX_WRONG_GUESSES),
        config.getInt(DispatcherConfig.MAX_SENDS),
        config.getDuration(DispatcherConfig.RETENTION),
        config.get(DispatcherConfig.SENDER_GROUP_ID).trim(),
        config.find(DispatcherConfig.SENDER_TRANSACTIONAL_ID)
            .map(String::trim)
            .orElseGet(() -> applicationId + "-sender-" + hostName()),
        config.getInt(DispatcherConfig.SENDER_MAX_BATCH),
        config.getDuration(DispatcherConfig.SENDER_TRY_TIMEOUT));
  }

  private static String hostName() {
    String fromEnv = System.getenv("HOSTNAME");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv.trim();
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      throw new ConfigException("cannot tell this host's name to derive "
          + DispatcherConfig.SENDER_TRANSACTIONAL_ID.name() + ": set it explicitly");
    }
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
