package dev.relay.scoring.console;

import dev.relay.schemas.CountryRoutes;
import dev.relay.schemas.PricedRoute;
import dev.relay.schemas.RoutingTableVersion;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The dispatcher's table from its settings ({@code relay.routing.sms}, {@code relay.routing.voice}:
 * {@code DE:twilio,vonage;*:twilio}) as version 0, which the dispatcher routes by while nothing is
 * published on {@code routing-table}. Read leniently: the dispatcher validates these settings and
 * refuses to start on a bad one; an entry the console cannot read is left out.
 */
final class ConfiguredTable {

  static final String PUBLISHED_BY = "the dispatcher's settings (relay.routing.sms, relay.routing.voice)";

  private ConfiguredTable() {}

  static RoutingTableVersion of(String sms, String voice) {
    Map<String, List<PricedRoute>> smsRoutes = entries(sms);
    Map<String, List<PricedRoute>> voiceRoutes = entries(voice);
    List<String> countries = new ArrayList<>(smsRoutes.keySet());
    voiceRoutes.keySet().stream().filter(country -> !countries.contains(country)).forEach(countries::add);
    List<CountryRoutes> entries = countries.stream().map(country -> CountryRoutes.newBuilder().setCountry(country)
        .setSms(smsRoutes.getOrDefault(country, List.of())).setVoice(voiceRoutes.getOrDefault(country, List.of())).build())
        .toList();
    return RoutingTableVersion.newBuilder().setVersion(0).setPublishedAt(Instant.EPOCH).setPublishedBy(PUBLISHED_BY)
        .setCountries(entries).build();
  }

  private static Map<String, List<PricedRoute>> entries(String table) {
    Map<String, List<PricedRoute>> routes = new LinkedHashMap<>();
    for (String entry : table == null ? new String[0] : table.split(";")) {
      int colon = entry.indexOf(':');
      if (colon < 0) {
        continue;
      }
      List<PricedRoute> providers = new ArrayList<>();
      for (String name : entry.substring(colon + 1).split(",")) {
        String provider = name.trim().toLowerCase(Locale.ROOT);
        if (!provider.isEmpty()) {
          providers.add(new PricedRoute(provider, null));
        }
      }
      routes.put(entry.substring(0, colon).trim().toUpperCase(Locale.ROOT), providers);
    }
    return routes;
  }
}
