package dev.relay.support.routing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.schemas.Channel;
import dev.relay.schemas.CountryRoutes;
import dev.relay.schemas.PricedRoute;
import dev.relay.schemas.RoutingTableVersion;
import dev.relay.support.config.ConfigException;
import dev.relay.support.http.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The operator's routing table as a JSON file, read into a validated {@link RoutingTableVersion}:
 * <pre>
 * {"countries": {
 *    "*":  {"sms": [{"provider": "twilio", "priceMicros": 7900}, {"provider": "vonage"}],
 *           "voice": [{"provider": "twilio", "priceMicros": 13000}]},
 *    "DE": {"sms": [{"provider": "vonage", "priceMicros": 7100}, {"provider": "twilio", "priceMicros": 7900}],
 *           "whatsapp": [{"provider": "twilio", "priceMicros": 5000}],
 *           "channelOrder": ["sms", "whatsapp", "voice"]}}}
 * </pre>
 * A country's {@code channelOrder} replaces {@code relay.fallback.channel-order} for it (a {@code *} entry's for
 * every country without its own); without one the configured order holds. The one format operators publish
 * (RoutingTablePublisher, the dispatcher's admin API) and the what-if replay reads. Prices are per message in millionths of the currency unit; {@code *} is the default for countries not listed.
 */
public final class RoutingTableFile {

  private RoutingTableFile() {}

  /** @throws ConfigException naming the file and what is wrong in it */
  public static RoutingTableVersion read(Path file, long version, Instant publishedAt, String publishedBy) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException("cannot read the routing table " + file + ": " + e.getMessage());
    }
    try {
      return parse(text, version, publishedAt, publishedBy);
    } catch (ConfigException e) {
      throw new ConfigException(file + ": " + e.getMessage());
    }
  }

  /** @throws ConfigException when the text is not a valid table */
  public static RoutingTableVersion parse(String json, long version, Instant publishedAt, String publishedBy) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new ConfigException("the routing table is not JSON: " + e.getOriginalMessage());
    }
    JsonNode countries = root == null ? null : root.get("countries");
    if (countries == null || !countries.isObject()) {
      throw new ConfigException("the routing table needs an object \"countries\" (country code or * to its routes)");
    }
    List<CountryRoutes> entries = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = countries.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> country = it.next();
      entries.add(CountryRoutes.newBuilder()
          .setCountry(country.getKey())
          .setSms(routes(country.getKey(), "sms", country.getValue()))
          .setVoice(routes(country.getKey(), "voice", country.getValue()))
          .setWhatsapp(routes(country.getKey(), "whatsapp", country.getValue()))
          .setChannelOrder(channelOrder(country.getKey(), country.getValue()))
          .build());
    }
    RoutingTableVersion table = RoutingTableVersion.newBuilder()
        .setVersion(version)
        .setPublishedAt(publishedAt)
        .setPublishedBy(publishedBy)
        .setCountries(entries)
        .build();
    TableRoutes.of(table);
    return table;
  }

  private static List<Channel> channelOrder(String country, JsonNode entry) {
    JsonNode list = entry.get("channelOrder");
    if (list == null || list.isNull()) {
      return List.of();
    }
    String key = "routing table: " + country + ".channelOrder";
    if (!list.isArray() || list.isEmpty()) {
      throw new ConfigException(key + " must be a non-empty list of channels (sms, whatsapp, voice)");
    }
    List<String> names = new ArrayList<>();
    for (JsonNode channel : list) {
      if (!channel.isTextual()) {
        throw new ConfigException(key + " must be a list of channel names (sms, whatsapp, voice)");
      }
      names.add(channel.asText());
    }
    return CountryChannels.parse(key, "*:" + String.join(",", names)).of(CountryChannels.DEFAULT_COUNTRY);
  }

  private static List<PricedRoute> routes(String country, String channel, JsonNode entry) {
    List<PricedRoute> routes = new ArrayList<>();
    JsonNode list = entry.get(channel);
    if (list == null || list.isNull()) {
      return routes;
    }
    if (!list.isArray()) {
      throw new ConfigException("routing table: " + country + "." + channel + " must be a list of routes");
    }
    for (JsonNode route : list) {
      JsonNode provider = route.get("provider");
      if (provider == null || !provider.isTextual()) {
        throw new ConfigException("routing table: every route in " + country + "." + channel + " needs a \"provider\"");
      }
      JsonNode price = route.get("priceMicros");
      if (price != null && !price.isNull() && !price.canConvertToLong()) {
        throw new ConfigException("routing table: the priceMicros of " + provider.asText() + " in " + country + "."
            + channel + " must be a whole number");
      }
      routes.add(new PricedRoute(provider.asText(), price == null || price.isNull() ? null : price.asLong()));
    }
    return routes;
  }
}
