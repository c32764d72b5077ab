package dev.relay.sender.config;

import dev.relay.support.config.ConfigException;
import dev.relay.support.config.RelayConfig;
import java.time.Duration;

/** The sender's settings, read and validated once by {@link #from(RelayConfig)}. */
public record SenderSettings(String groupId, String transactionalId, int maxBatch, int maxInFlight, Duration tryTimeout) {

  public SenderSettings {
    if (groupId == null || groupId.isBlank()) {
      throw new ConfigException(SenderConfig.GROUP_ID.name() + " must not be empty");
    }
    if (transactionalId == null || transactionalId.isBlank()) {
      throw new ConfigException(SenderConfig.TRANSACTIONAL_ID.name() + " must not be empty");
    }
    if (maxBatch < 1 || maxBatch > 10_000) {
      throw new ConfigException(SenderConfig.MAX_BATCH.name() + " must be between 1 and 10000, not " + maxBatch);
    }
    if (maxInFlight < 1 || maxInFlight > 100_000) {
      throw new ConfigException(SenderConfig.MAX_IN_FLIGHT.name() + " must be between 1 and 100000, not " + maxInFlight);
    }
    if (tryTimeout == null || tryTimeout.isZero() || tryTimeout.isNegative()) {
      throw new ConfigException(SenderConfig.TRY_TIMEOUT.name() + " must be a positive duration, not " + tryTimeout);
    }
  }

  public static SenderSettings from(RelayConfig config) {
    return new SenderSettings(
        config.get(SenderConfig.GROUP_ID).trim(),
        config.find(SenderConfig.TRANSACTIONAL_ID)
            .map(String::trim)
            .filter(id -> !id.isEmpty())
            .orElseGet(() -> SenderConfig.DEFAULT_TRANSACTIONAL_ID_PREFIX + "-" + hostName()),
        config.getInt(SenderConfig.MAX_BATCH),
        config.getInt(SenderConfig.MAX_IN_FLIGHT),
        config.getDuration(SenderConfig.TRY_TIMEOUT));
  }

  /** The client id and the dead letters' application name: the group names the sender fleet. */
  public String applicationName() {
    return groupId;
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
          + SenderConfig.TRANSACTIONAL_ID.name() + ": set it explicitly");
    }
  }
}
