package dev.relay.bench.study;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.support.http.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
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
    if (smsRoutes.equals(COUNTRY_TABLE)) {
      // The operator who keeps a table per country knows the contract prices too (relay.routing.table-file):
      // the price a route falls back to while its vendor has reported none, e.g. a route never tried yet.
      settings.put(DispatcherConfig.TABLE_FILE.name(), pricedTableFile().toString());
    }
    // SMS only: a failover is the next SMS route, so failovers per verification count the same thing in every mode.
    settings.put(DispatcherConfig.VOICE_ROUTES.name(), "");
    if (!scored) {
      settings.put(DispatcherConfig.USE_SCORES.name(), "false");
    }
    return settings;
  }

  /**
   * {@link #COUNTRY_TABLE} as a routing-table file ({@code RoutingTableFile}'s format) with each route's
   * price before any change ({@link Scenario#PRICES}), in millionths per message.
   */
  static String pricedTable() {
    ObjectNode countries = Json.MAPPER.createObjectNode();
    for (String entry : COUNTRY_TABLE.split(";")) {
      String country = entry.substring(0, entry.indexOf(':'));
      Map<String, BigDecimal> prices = Scenario.PRICES.getOrDefault(country, Map.of());
      ArrayNode sms = countries.putObject(country).putArray("sms");
      for (String provider : entry.substring(entry.indexOf(':') + 1).split(",")) {
        ObjectNode route = sms.addObject().put("provider", provider);
        if (prices.containsKey(provider)) {
          route.put("priceMicros", prices.get(provider).movePointRight(6).longValueExact());
        }
      }
    }
    ObjectNode table = Json.MAPPER.createObjectNode();
    table.set("countries", countries);
    return table.toString();
  }

  /** Written once per study: every run of a table mode reads the same file. */
  private static Path pricedTableFile() {
    synchronized (RoutingMode.class) {
      if (pricedTableFile == null) {
        try {
          Path file = Files.createTempFile("relay-study-table", ".json");
          file.toFile().deleteOnExit();
          pricedTableFile = Files.writeString(file, pricedTable());
        } catch (IOException e) {
          throw new UncheckedIOException("cannot write the study's routing table", e);
        }
      }
      return pricedTableFile;
    }
  }

  private static Path pricedTableFile;
}
