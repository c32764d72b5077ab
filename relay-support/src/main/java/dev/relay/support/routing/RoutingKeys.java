package dev.relay.support.routing;

import dev.relay.support.config.ConfigKey;

/**
 * The routing policy's settings, declared once: the dispatcher routes by them, scoring's console
 * explains the order they give and the what-if replay replays it, so one settings file serves all three.
 */
public final class RoutingKeys {

  public static final ConfigKey SMS_ROUTES = ConfigKey.optional(
      "relay.routing.sms", "*:twilio,vonage",
      "Ordered SMS providers per country: CC:provider,provider;*:provider (the * entry is required)");
  public static final ConfigKey VOICE_ROUTES = ConfigKey.optional(
      "relay.routing.voice", "*:twilio",
      "Ordered voice providers per country, same form (voice fallback also needs voice in relay.fallback.channel-order)");
  public static final ConfigKey MIN_SAMPLES = ConfigKey.optional(
      "relay.routing.min-samples", "20",
      "Tries in the long window before a route's score reorders it; with fewer it keeps its table place (demotion is scoring-stream's, relay.scoring.demote-below)");
  public static final ConfigKey SCORE_MARGIN = ConfigKey.optional(
      "relay.routing.score-margin", "0.05",
      "A route goes ahead of one the table puts before it only when its score is higher by more than this (0 to 1):"
          + " closer scores are noise, and the table's order stands");
  public static final ConfigKey EXPLORATION_CAP = ConfigKey.optional(
      "relay.routing.exploration-cap", "0.4",
      "Beyond exploration-share, a held-back route goes first when a draw from its recent first sends' completion"
          + " posterior (Thompson sampling) beats the leader's, at most this share of sends (0 to 1; 0 turns it off)");
  public static final ConfigKey EXPLORATION_FLOOR = ConfigKey.optional(
      "relay.routing.exploration-floor", "30",
      "First sends a demoted route, or a cheaper one not yet tried enough to be scored, should get per scoring short"
          + " window: where exploration-share of the country's first sends is fewer, the share is raised to this, up to"
          + " exploration-cap, so a recovered route is tried enough to be promoted (0 turns it off)");
  public static final ConfigKey EXPLORATION_SHARE = ConfigKey.optional(
      "relay.routing.exploration-share", "0.05",
      "Share of sends that still go first to a route the scores hold back (demoted, or passed by a route the table"
          + " puts after it), so its recovery is observed (0 to 1)");

  private RoutingKeys() {}
}
