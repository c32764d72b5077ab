package dev.relay.dispatcher.routing;

import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.support.routing.RouteOrder;
import dev.relay.schemas.Channel;
import dev.relay.schemas.CountryRoutes;
import dev.relay.schemas.PricedRoute;
import dev.relay.schemas.Route;
import dev.relay.schemas.RoutingTableVersion;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.ConfigKey;
import dev.relay.support.config.RelayConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import dev.relay.support.routing.CountryChannels;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The operator's ordered routes per destination country and channel, read from
 * {@code relay.routing.sms}, {@code relay.routing.voice} and {@code relay.routing.whatsapp}
 * ({@code DE:twilio,vonage;*:twilio}).
 * A country without its own entry takes the {@code *} entry. Validated once at start-up; every
 * problem names the key and the entry. A published {@link RoutingTableVersion} (with prices) replaces
 * it at run time: {@link #fromVersion}, and may carry the channel order per country as well.
 */
public final class RoutingTable implements RouteChooser {

  public static final String DEFAULT_COUNTRY = "*";
  /** Why a route stands where it does while routes come from the table alone (no scores yet). */
  public static final String TABLE_REASON = RouteOrder.TABLE;

  private static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}");
  private static final Pattern PROVIDER = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");

  private final Map<String, List<String>> sms;
  private final Map<String, List<String>> voice;
  private final Map<String, List<String>> whatsapp;
  /** The fallback order of channels per country a published version carries; empty: the configured order. */
  private final Map<String, List<Channel>> channelOrders;
  /** Price per message by {@code COUNTRY/CHANNEL/provider}; absent when the operator gave none. */
  private final Map<String, Long> prices;
  /** The published version this table came from; 0 for the table from config. */
  private final long version;

  private RoutingTable(Map<String, List<String>> sms, Map<String, List<String>> voice,
      Map<String, List<String>> whatsapp) {
    this(sms, voice, whatsapp, Map.of(), Map.of(), 0);
  }

  private RoutingTable(Map<String, List<String>> sms, Map<String, List<String>> voice,
      Map<String, List<String>> whatsapp, Map<String, List<Channel>> channelOrders, Map<String, Long> prices,
      long version) {
    this.sms = sms;
    this.voice = voice;
    this.whatsapp = whatsapp;
    this.channelOrders = channelOrders;
    this.prices = prices;
    this.version = version;
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
    return new RoutingTable(sms, parseTable(DispatcherConfig.VOICE_ROUTES, voiceTable),
        parseTable(DispatcherConfig.WHATSAPP_ROUTES, whatsappTable));
  }

  /** The routes for a country and channel, in the operator's order; empty when there is none. */
  @Override
  public List<Route> routes(String country, Channel channel) {
    Channel routeChannel = SendChannels.of(channel);
    Map<String, List<String>> table = switch (routeChannel) {
      case VOICE -> voice;
      case WHATSAPP -> whatsapp;
      default -> sms;
    };
    String region = country == null ? DEFAULT_COUNTRY : country.toUpperCase(Locale.ROOT);
    List<String> providers = table.getOrDefault(region, table.getOrDefault(DEFAULT_COUNTRY, List.of()));
    String priced = table.containsKey(region) ? region : DEFAULT_COUNTRY;
    List<Route> routes = new ArrayList<>(providers.size());
    for (String provider : providers) {
      routes.add(new Route(provider, routeChannel, prices.get(priceKey(priced, routeChannel, provider)), TABLE_REASON));
    }
    return routes;
  }

  /** The channel order a published version gives this country (its own entry, else its default's), if any. */
  @Override
  public Optional<List<Channel>> channelOrder(String country) {
    String region = country == null ? DEFAULT_COUNTRY : country.toUpperCase(Locale.ROOT);
    return Optional.ofNullable(channelOrders.getOrDefault(region, channelOrders.get(DEFAULT_COUNTRY)));
  }

  /**
   * A published table version, checked by the same rules as the config's: country codes, provider
   * names, no provider twice in one list, a default with at least one SMS route, no negative price.
   *
   * @throws ConfigException naming the country and route at fault
   */
  public static RoutingTable fromVersion(RoutingTableVersion table) {
    Map<String, List<String>> sms = new LinkedHashMap<>();
    Map<String, List<String>> voice = new LinkedHashMap<>();
    Map<String, List<String>> whatsapp = new LinkedHashMap<>();
    Map<String, List<Channel>> channelOrders = new LinkedHashMap<>();
    Map<String, Long> prices = new HashMap<>();
    for (CountryRoutes entry : table.getCountries()) {
      String country = entry.getCountry() == null ? "" : entry.getCountry().trim().toUpperCase(Locale.ROOT);
      if (!country.equals(DEFAULT_COUNTRY) && !COUNTRY.matcher(country).matches()) {
        throw new ConfigException("routing table: '" + entry.getCountry() + "' is not an ISO 3166 two-letter country code or *");
      }
      if (sms.containsKey(country)) {
        throw new ConfigException("routing table: " + country + " has two entries");
      }
      sms.put(country, versionRoutes(country, Channel.SMS, entry.getSms(), prices));
      List<String> voiceRoutes = versionRoutes(country, Channel.VOICE, entry.getVoice(), prices);
      if (!voiceRoutes.isEmpty()) {
        voice.put(country, voiceRoutes);
      }
      List<String> whatsappRoutes = versionRoutes(country, Channel.WHATSAPP, entry.getWhatsapp(), prices);
      if (!whatsappRoutes.isEmpty()) {
        whatsapp.put(country, whatsappRoutes);
      }
      if (!entry.getChannelOrder().isEmpty()) {
        // Checked by the same rules as relay.fallback.channel-order.
        channelOrders.put(country, CountryChannels.of("routing table: the channelOrder of " + country,
            Map.of(country, List.copyOf(entry.getChannelOrder()))).of(country));
      }
    }
    if (sms.getOrDefault(DEFAULT_COUNTRY, List.of()).isEmpty()) {
      throw new ConfigException("routing table: the default entry (country *) needs at least one SMS route");
    }
    return new RoutingTable(sms, voice, whatsapp, Map.copyOf(channelOrders), Map.copyOf(prices), table.getVersion());
  }

  /** The published version this table came from; 0 for the table from config. */
  public long version() {
    return version;
  }

  private static List<String> versionRoutes(String country, Channel channel, List<PricedRoute> routes,
      Map<String, Long> prices) {
    List<String> providers = new ArrayList<>();
    for (PricedRoute route : routes) {
      String provider = route.getProvider() == null ? "" : route.getProvider().trim().toLowerCase(Locale.ROOT);
      if (!PROVIDER.matcher(provider).matches()) {
        throw new ConfigException("routing table: '" + route.getProvider() + "' in the " + channel + " routes of "
            + country + " is not a provider name (letters, digits, - and _)");
      }
      if (providers.contains(provider)) {
        throw new ConfigException("routing table: " + provider + " appears twice in the " + channel + " routes of " + country);
      }
      if (route.getPriceMicros() != null) {
        if (route.getPriceMicros() < 0) {
          throw new ConfigException("routing table: the price of " + provider + " for " + country + " " + channel
              + " is negative");
        }
        prices.put(priceKey(country, channel, provider), route.getPriceMicros());
      }
      providers.add(provider);
    }
    return List.copyOf(providers);
  }

  private static String priceKey(String country, Channel channel, String provider) {
    return country + "/" + channel.name() + "/" + provider;
  }

  /** Every provider the table names, on any channel. */
  public Set<String> providers() {
    Set<String> providers = new LinkedHashSet<>();
    sms.values().forEach(providers::addAll);
    voice.values().forEach(providers::addAll);
    whatsapp.values().forEach(providers::addAll);
    return providers;
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
      if (!country.equals(DEFAULT_COUNTRY) && !COUNTRY.matcher(country).matches()) {
        throw new ConfigException(key.name() + ": '" + country
            + "' is not an ISO 3166 two-letter country code or *");
      }
      List<String> providers = new ArrayList<>();
      for (String name : entry.substring(colon + 1).split(",")) {
        String provider = name.trim().toLowerCase(Locale.ROOT);
        if (provider.isEmpty()) {
          continue;
        }
        if (!PROVIDER.matcher(provider).matches()) {
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
