package dev.relay.scoring.config;

import dev.relay.support.config.ConfigKey;
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
  // The dispatcher's own keys: the console shows the order the dispatcher gives, so it reads the same policy.
  public static final ConfigKey MIN_SAMPLES = ConfigKey.optional(
      "relay.routing.min-samples", "20",
      "As in the dispatcher: tries in the long window before a route's score reorders it");
  public static final ConfigKey SCORE_MARGIN = ConfigKey.optional(
      "relay.routing.score-margin", "0.05",
      "As in the dispatcher: a route passes one the table puts before it only when its score is higher by more than this");
  public static final ConfigKey EXPLORATION_SHARE = ConfigKey.optional(
      "relay.routing.exploration-share", "0.05",
      "As in the dispatcher: share of sends that still go first to a route the scores hold back");

  public static final ConfigKey SMS_ROUTES = ConfigKey.optional(
      "relay.routing.sms", "*:twilio,vonage",
      "As in the dispatcher: its SMS table while no routing table is published on routing-table");
  public static final ConfigKey VOICE_ROUTES = ConfigKey.optional(
      "relay.routing.voice", "*:twilio",
      "As in the dispatcher: its voice table while no routing table is published on routing-table");

  public static final List<ConfigKey> KEYS = List.of(API_URL, HISTORY_RETENTION, HISTORY_POINTS, LOOKUP_TIMEOUT,
      MIN_SAMPLES, SCORE_MARGIN, EXPLORATION_SHARE, SMS_ROUTES, VOICE_ROUTES);

  private ConsoleConfig() {}
}
