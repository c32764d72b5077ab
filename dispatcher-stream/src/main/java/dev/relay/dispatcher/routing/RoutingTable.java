package dev.relay.dispatcher.routing;

import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.schemas.Channel;
import dev.relay.schemas.Route;
import dev.relay.schemas.RoutingTableVersion;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.ConfigKey;
import dev.relay.support.config.RelayConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import dev.relay.support.routing.TableRoutes;
import java.util.Set;
import java.util.TreeSet;

/**
 * The operator's ordered routes per destination country and channel, read from
 * {@code relay.routing.sms}, {@code relay.routing.voice} and {@code relay.routing.whatsapp}
 * ({@code DE:twilio,vonage;*:twilio}).
 * A country without its own entry takes the {@code *} entry. Validated once at start-up; every
 * problem names the key and the entry. A published {@link RoutingTableVersion} (with prices) replaces
 * it at run time: {@link #fromVersion}, and may carry the channel order per country as well.
 */
public final class RoutingTable implements RouteChooser {

  public static final String DEFAULT_COUNTRY = TableRoutes.DEFAULT_COUNTRY;
  /** Why a route stands where it does while routes come from the table alone (no scores yet). */
  public static final String TABLE_REASON = TableRoutes.TABLE_REASON;

  private final TableRoutes routes;

  private RoutingTable(TableRoutes routes) {
    this.routes = routes;
  }

  public static RoutingTable fromConfig(RelayConfig config) {
    return parse(config.find(DispatcherConfig.SMS_ROUTES).orElse(""),
        config.find(DispatcherConfig.VOICE_ROUTES).orElse(""),
        config.find(DispatcherConfig.WHATSAPP_ROUTES).orElse(""));
  }

  /** The SMS and voice tables, no WhatsApp routes. */
  public static RoutingTable parse(String smsTable, String voiceTable) {
    return parse(smsTable, voiceTable, "");
  }

  /**
   * Reads the three tables. The SMS table must have a {@code *} entry, so every country has a first
   * route; the voice and WhatsApp tables may be empty (no such channel) or cover only some countries.
   *
   * @throws ConfigException naming the key and the entry at fault
   */
  public static RoutingTable parse(String smsTable, String voiceTable, String whatsappTable) {
    Map<String, List<String>> sms = parseTable(DispatcherConfig.SMS_ROUTES, smsTable);
    if (!sms.containsKey(DEFAULT_COUNTRY)) {
      throw new ConfigException(DispatcherConfig.SMS_ROUTES.name()
          + " needs a default entry for the other countries, for example '*:twilio,vonage' (it is '" + smsTable + "')");
    }
    return new RoutingTable(new TableRoutes(sms, parseTable(DispatcherConfig.VOICE_ROUTES, voiceTable),
        parseTable(DispatcherConfig.WHATSAPP_ROUTES, whatsappTable)));
  }

  /** The routes for a country and channel, in the operator's order; empty when there is none. */
  @Override
  public List<Route> routes(String country, Channel channel) {
    return routes.routes(country, SendChannels.of(channel));
  }

  /** The channel order a published version gives this country (its own entry, else its default's), if any. */
  @Override
  public Optional<List<Channel>> channelOrder(String country) {
    return routes.channelOrder(country);
  }

  /**
   * A published table version, checked by the same rules as the config's: country codes, provider
   * names, no provider twice in one list, a default with at least one SMS route, no negative price.
   *
   * @throws ConfigException naming the country and route at fault
   */
  public static RoutingTable fromVersion(RoutingTableVersion table) {
    return new RoutingTable(TableRoutes.of(table));
  }

  /** The published version this table came from; 0 for the table from config. */
  public long version() {
    return routes.version();
  }

  /** Every provider the table names, on any channel. */
  public Set<String> providers() {
    return routes.providers();
  }

  /**
   * Checks that every provider the table names is configured.
   *
   * @throws ConfigException listing the unknown providers and the configured ones
   */
  public void requireProviders(Collection<String> configured) {
    Set<String> unknown = new TreeSet<>(providers());
    unknown.removeAll(configured);
    if (!unknown.isEmpty()) {
      throw new ConfigException(DispatcherConfig.SMS_ROUTES.name() + " / " + DispatcherConfig.VOICE_ROUTES.name()
          + " / " + DispatcherConfig.WHATSAPP_ROUTES.name()
          + " name providers that are not configured: " + unknown + " (configured: " + new TreeSet<>(configured) + ")");
    }
  }

  private static Map<String, List<String>> parseTable(ConfigKey key, String table) {
    Map<String, List<String>> routes = new LinkedHashMap<>();
    if (table == null || table.isBlank()) {
      return routes;
    }
    for (String entry : table.split(";")) {
      if (entry.isBlank()) {
        continue;
      }
      int colon = entry.indexOf(':');
      if (colon < 0) {
        throw new ConfigException(key.name() + ": entry '" + entry.trim()
            + "' must be written COUNTRY:provider[,provider...], for example DE:twilio,vonage");
      }
      String country = entry.substring(0, colon).trim().toUpperCase(Locale.ROOT);
      if (!country.equals(DEFAULT_COUNTRY) && !TableRoutes.COUNTRY.matcher(country).matches()) {
        throw new ConfigException(key.name() + ": '" + country
            + "' is not an ISO 3166 two-letter country code or *");
      }
      List<String> providers = new ArrayList<>();
      for (String name : entry.substring(colon + 1).split(",")) {
        String provider = name.trim().toLowerCase(Locale.ROOT);
        if (provider.isEmpty()) {
          continue;
        }
        if (!TableRoutes.PROVIDER.matcher(provider).matches()) {
          throw new ConfigException(key.name() + ": '" + name.trim() + "' in the entry for " + country
              + " is not a provider name (letters, digits, - and _)");
        }
        if (providers.contains(provider)) {
          throw new ConfigException(key.name() + ": " + provider + " appears twice in the entry for " + country);
        }
        providers.add(provider);
      }
      if (providers.isEmpty()) {
        throw new ConfigException(key.name() + ": the entry for " + country + " names no provider");
      }
      if (routes.put(country, List.copyOf(providers)) != null) {
        throw new ConfigException(key.name() + ": " + country + " has two entries");
      }
    }
    return routes;
  }
}
