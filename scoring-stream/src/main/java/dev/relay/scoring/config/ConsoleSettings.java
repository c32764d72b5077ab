package dev.relay.scoring.config;

import dev.relay.support.config.ConfigException;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.routing.RouteOrder;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** The console's settings, validated once at start-up (see {@link ConsoleConfig}). */
public record ConsoleSettings(Optional<URI> apiUrl, Duration history, int historyPoints, Duration lookupTimeout,
    RouteOrder.Policy routing, String smsRoutes, String voiceRoutes) {

  public ConsoleSettings {
    if (history.isNegative() || history.isZero()) {
      throw new ConfigException(ConsoleConfig.HISTORY_RETENTION.name() + " must be positive, not " + history);
    }
    if (historyPoints < 2) {
      throw new ConfigException(ConsoleConfig.HISTORY_POINTS.name() + " must be at least 2, not " + historyPoints);
    }
    if (lookupTimeout.isNegative() || lookupTimeout.isZero()) {
      throw new ConfigException(ConsoleConfig.LOOKUP_TIMEOUT.name() + " must be positive, not " + lookupTimeout);
    }
    if (routing.minSamples() < 0) {
      throw new ConfigException(ConsoleConfig.MIN_SAMPLES.name() + " must not be negative, not " + routing.minSamples());
    }
  }

  public static ConsoleSettings from(RelayConfig config) {
    return new ConsoleSettings(apiUrl(config.get(ConsoleConfig.API_URL)),
        config.getDuration(ConsoleConfig.HISTORY_RETENTION),
        config.getInt(ConsoleConfig.HISTORY_POINTS),
        config.getDuration(ConsoleConfig.LOOKUP_TIMEOUT),
        new RouteOrder.Policy(config.getInt(ConsoleConfig.MIN_SAMPLES),
            config.getFraction(ConsoleConfig.EXPLORATION_SHARE), config.getFraction(ConsoleConfig.SCORE_MARGIN)),
        config.get(ConsoleConfig.SMS_ROUTES), config.get(ConsoleConfig.VOICE_ROUTES));
  }

  static Optional<URI> apiUrl(String value) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    String trimmed = value.trim();
    URI uri;
    try {
      uri = URI.create(trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(ConsoleConfig.API_URL.name() + " is not a URL: '" + value + "'");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
        || uri.getQuery() != null || uri.getFragment() != null) {
      throw new ConfigException(ConsoleConfig.API_URL.name() + " must be http(s)://host[:port][/path], not '" + value + "'");
    }
    return Optional.of(uri);
  }
}
