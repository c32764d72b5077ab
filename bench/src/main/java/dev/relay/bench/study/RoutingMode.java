package dev.relay.bench.study;

import dev.relay.dispatcher.config.DispatcherConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * The three ways of routing the study compares, each expressed purely as dispatcher settings.
 * Scores are switched off with {@code relay.routing.use-scores=false}: every route then keeps its
 * table place and none is ever demoted or explored, which is exactly routing by the table alone.
 */
enum RoutingMode {
  STATIC("a", "static priority list", "*:twilio,vonage", false),
  TABLE("b", "per-country table, no scores", RoutingMode.COUNTRY_TABLE, false),
  SCORED("c", "per-country table + scores, demotion, exploration", RoutingMode.COUNTRY_TABLE, true);

  /**
   * The operator's table: the provider that is cheaper in each country first (see {@link Scenario#PRICES}),
   * the same list for the countries not named.
   */
  static final String COUNTRY_TABLE = "DE:twilio,vonage;FR:twilio,vonage;GB:twilio,vonage;ES:vonage,twilio;*:twilio,vonage";

  final String letter;
  final String label;
  final String smsRoutes;
  final boolean scored;

  RoutingMode(String letter, String label, String smsRoutes, boolean scored) {
    this.letter = letter;
    this.label = label;
    this.smsRoutes = smsRoutes;
    this.scored = scored;
  }

  /** This mode's routing settings, on top of the study's time-scaled ones. */
  Map<String, String> dispatcherSettings() {
    Map<String, String> settings = new HashMap<>();
    settings.put(DispatcherConfig.SMS_ROUTES.name(), smsRoutes);
    // SMS only: a failover is the next SMS route, so failovers per verification count the same thing in every mode.
    settings.put(DispatcherConfig.VOICE_ROUTES.name(), "");
    if (!scored) {
      settings.put(DispatcherConfig.USE_SCORES.name(), "false");
    }
    return settings;
  }
}
