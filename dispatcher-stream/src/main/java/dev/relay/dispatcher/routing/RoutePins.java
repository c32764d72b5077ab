package dev.relay.dispatcher.routing;

import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.schemas.Channel;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.ConfigKey;
import dev.relay.support.config.RelayConfig;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The operator's overrides of score order: a route pinned first and routes forbidden, per country
 * and channel, from {@code relay.routing.pins} ({@code DE/sms:vonage}, or {@code *}{@code /voice:twilio} for every country) and
 * {@code relay.routing.forbidden} ({@code DE/sms:twilio,sinch}). A country's own entry replaces
 * the {@code *} entry of its channel.
 */
public final class RoutePins {

  /** The pins of one country and channel. */
  public record Pins(Optional<String> first, Set<String> forbidden) {

    public static final Pins NONE = new Pins(Optional.empty(), Set.of());

    public Pins {
      forbidden = Set.copyOf(forbidden);
    }
  }

  public static final RoutePins NONE = new RoutePins(Map.of(), Map.of());

  private static final Pattern SCOPE = Pattern.compile("([A-Z]{2}|\\*)/(SMS|VOICE|WHATSAPP)");
  private static final Pattern PROVIDER = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");

  private final Map<String, String> first;
  private final Map<String, Set<String>> forbidden;

  public RoutePins(Map<String, String> first, Map<String, Set<String>> forbidden) {
    this.first = Map.copyOf(first);
    this.forbidden = Map.copyOf(forbidden);
  }

  public static RoutePins fromConfig(RelayConfig config) {
    return parse(config.find(DispatcherConfig.PINS).orElse(""), config.find(DispatcherConfig.FORBIDDEN).orElse(""));
  }

  /** @throws ConfigException naming the key and the entry at fault */
  public static RoutePins parse(String pins, String forbidden) {
    Map<String, String> first = new HashMap<>();
    parse(DispatcherConfig.PINS, pins).forEach((scope, providers) -> {
      if (providers.size() != 1) {
        throw new ConfigException(DispatcherConfig.PINS.name() + ": " + scope + " pins " + providers.size()
            + " routes; only one route can be first");
      }
      first.put(scope, providers.iterator().next());
    });
    Map<String, Set<String>> banned = parse(DispatcherConfig.FORBIDDEN, forbidden);
    first.forEach((scope, provider) -> {
      if (banned.getOrDefault(scope, Set.of()).contains(provider)) {
        throw new ConfigException(DispatcherConfig.PINS.name() + " pins " + provider + " for " + scope + " but "
            + DispatcherConfig.FORBIDDEN.name() + " forbids it");
      }
    });
    return new RoutePins(first, banned);
  }

  public Pins of(String country, Channel channel) {
    String region = country == null ? RoutingTable.DEFAULT_COUNTRY : country.toUpperCase(Locale.ROOT);
    String own = scope(region, channel);
    String fallback = scope(RoutingTable.DEFAULT_COUNTRY, channel);
    Optional<String> pinned = Optional.ofNullable(first.containsKey(own) ? first.get(own) : first.get(fallback));
    Set<String> banned = forbidden.containsKey(own) ? forbidden.get(own) : forbidden.getOrDefault(fallback, Set.of());
    return pinned.isEmpty() && banned.isEmpty() ? Pins.NONE : new Pins(pinned, banned);
  }

  private static String scope(String country, Channel channel) {
    return country + "/" + SendChannels.of(channel).name();
  }

  private static Map<String, Set<String>> parse(ConfigKey key, String value) {
    Map<String, Set<String>> entries = new HashMap<>();
    if (value == null || value.isBlank()) {
      return entries;
    }
    for (String entry : value.split(";")) {
      if (entry.isBlank()) {
        continue;
      }
      int colon = entry.indexOf(':');
      String scope = colon < 0 ? "" : entry.substring(0, colon).trim().toUpperCase(Locale.ROOT);
      if (!SCOPE.matcher(scope).matches()) {
        throw new ConfigException(key.name() + ": entry '" + entry.trim()
            + "' must be written COUNTRY/channel:provider[,provider...], for example DE/sms:vonage");
      }
      Set<String> providers = new LinkedHashSet<>();
      for (String name : entry.substring(colon + 1).split(",")) {
        String provider = name.trim().toLowerCase(Locale.ROOT);
        if (!PROVIDER.matcher(provider).matches()) {
          throw new ConfigException(key.name() + ": '" + name.trim() + "' in the entry for " + scope
              + " is not a provider name (letters, digits, - and _)");
        }
        providers.add(provider);
      }
      if (entries.put(scope, providers) != null) {
        throw new ConfigException(key.name() + ": " + scope + " has two entries");
      }
    }
    return entries;
  }
}
