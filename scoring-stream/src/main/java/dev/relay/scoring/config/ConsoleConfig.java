package dev.relay.scoring.config;

import dev.relay.support.config.ConfigKey;
import dev.relay.support.routing.RoutingKeys;
import java.util.List;

/**
 * The settings of the operator's console on scoring's status page: how much score history it holds,
 * where it forwards verification look-ups, and the dispatcher's routing policy it explains the order
 * of routes by (the keys have the dispatcher's names, so one setting serves both).
 */
public final class ConsoleConfig {

  public static final ConfigKey API_URL = ConfigKey.optional(
      "relay.scoring.console.api-url", "",
      "Base URL of verification-api (http://host:port) the console forwards verification look-ups to, with the"
          + " operator's admin key; empty turns the look-up off");
  public static final ConfigKey HISTORY_RETENTION = ConfigKey.optional(
      "relay.scoring.console.history", "1d",
      "How far back the console holds the score history, demotions and alerts (a Duration)");
  public static final ConfigKey HISTORY_POINTS = ConfigKey.optional(
      "relay.scoring.console.history-points", "1500",
      "Most history points the console holds per route (the oldest go first): bounds its memory");
  public static final ConfigKey LOOKUP_TIMEOUT = ConfigKey.optional(
      "relay.scoring.console.lookup-timeout", "5s",
      "How long the console waits for verification-api to answer a look-up (a Duration)");
  // The console shows the order the dispatcher gives, so it reads the same policy.
  public static final ConfigKey MIN_SAMPLES = RoutingKeys.MIN_SAMPLES;
  public static final ConfigKey SCORE_MARGIN = RoutingKeys.SCORE_MARGIN;
  public static final ConfigKey EXPLORATION_SHARE = RoutingKeys.EXPLORATION_SHARE;

  public static final ConfigKey SMS_ROUTES = RoutingKeys.SMS_ROUTES;
  public static final ConfigKey VOICE_ROUTES = RoutingKeys.VOICE_ROUTES;

  public static final List<ConfigKey> KEYS = List.of(API_URL, HISTORY_RETENTION, HISTORY_POINTS, LOOKUP_TIMEOUT,
      MIN_SAMPLES, SCORE_MARGIN, EXPLORATION_SHARE, SMS_ROUTES, VOICE_ROUTES);

  private ConsoleConfig() {}
}
