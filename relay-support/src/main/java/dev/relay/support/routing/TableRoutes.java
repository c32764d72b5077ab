package dev.relay.support.routing;

import dev.relay.schemas.Channel;
import dev.relay.schemas.CountryRoutes;
import dev.relay.schemas.PricedRoute;
import dev.relay.schemas.Route;
import dev.relay.schemas.RoutingTableVersion;
import dev.relay.support.config.ConfigException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The operator's ordered routes per country and channel, with their prices and each country's channel
 * order, checked: the one reading of a {@link RoutingTableVersion}, shared by the dispatcher, which
 * routes by it, and scoring's what-if replay, which replays recorded verifications under it. A country
 * without its own entry takes the {@code *} entry.
 */
public final class TableRoutes {

  public static final String DEFAULT_COUNTRY = "*";
  /** Why a route stands where it does while routes come from the table alone. */
  public static final String TABLE_REASON = RouteOrder.TABLE;

  public static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}");
  public static final Pattern PROVIDER = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");

  private final Map<String, List<String>> sms;
  private final Map<String, List<String>> voice;
  private final Map<String, List<String>> whatsapp;
  /** The fallback order of channels per country a published version carries; empty: the configured order. */
  private final Map<String, List<Channel>> channelOrders;
  /** Price per message by {@code COUNTRY/CHANNEL/provider}; absent when the operator gave none. */
  private final Map<String, Long> prices;
  /** The published version this table came from; 0 for a table from config. */
  private final long version;

  /** Routes already checked (a table from config), without prices or channel orders. */
  public TableRoutes(Map<String, List<String>> sms, Map<String, List<String>> voice, Map<String, List<String>> whatsapp) {
    this(sms, voice, whatsapp, Map.of(), Map.of(), 0);
  }

  private TableRoutes(Map<String, List<String>> sms, Map<String, List<String>> voice,
      Map<String, List<String>> whatsapp, Map<String, List<Channel>> channelOrders, Map<String, Long> prices,
      long version) {
    this.sms = sms;
    this.voice = voice;
    this.whatsapp = whatsapp;
    this.channelOrders = channelOrders;
    this.prices = prices;
    this.version = version;
  }

  /**
   * A published table version, checked by the same rules as the config's: country codes, provider
   * names, no provider twice in one list, a default with at least one SMS route, no negative price.
   *
   * @throws ConfigException naming the country and route at fault
   */
  public static TableRoutes of(RoutingTableVersion table) {
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
    return new TableRoutes(sms, voice, whatsapp, Map.copyOf(channelOrders), Map.copyOf(prices), table.getVersion());
  }

  /**
   * The routes for a country and channel (SMS, voice or WhatsApp), in the operator's order, each with
   * its price where the table gives one; empty when there is none.
   */
  public List<Route> routes(String country, Channel routeChannel) {
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

  /** The channel order the table gives this country (its own entry, else its default's), if any. */
  public Optional<List<Channel>> channelOrder(String country) {
    String region = country == null ? DEFAULT_COUNTRY : country.toUpperCase(Locale.ROOT);
    return Optional.ofNullable(channelOrders.getOrDefault(region, channelOrders.get(DEFAULT_COUNTRY)));
  }

  /** The published version this table came from; 0 for a table from config. */
  public long version() {
    return version;
  }

  /** Every provider the table names, on any channel. */
  public Set<String> providers() {
    Set<String> providers = new LinkedHashSet<>();
    sms.values().forEach(providers::addAll);
    voice.values().forEach(providers::addAll);
    whatsapp.values().forEach(providers::addAll);
    return providers;
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
}
