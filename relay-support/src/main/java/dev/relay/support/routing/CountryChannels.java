package dev.relay.support.routing;

import dev.relay.schemas.Channel;
import dev.relay.support.config.ConfigException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An ordered list of channels per destination country, written {@code DE:sms,whatsapp,voice;*:sms,voice}:
 * the dispatcher's fallback order and the API's channels a caller may ask for share this form. A
 * country without its own entry takes the {@code *} entry.
 */
public final class CountryChannels {

  public static final String DEFAULT_COUNTRY = "*";

  private static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}");

  private final Map<String, List<Channel>> byCountry;

  private CountryChannels(Map<String, List<Channel>> byCountry) {
    this.byCountry = Map.copyOf(byCountry);
  }

  /** The same list of channels for every country. */
  public static CountryChannels everywhere(List<Channel> channels) {
    return new CountryChannels(Map.of(DEFAULT_COUNTRY, List.copyOf(channels)));
  }

  /** Per-country lists (country {@code *} the default), checked like a parsed table. */
  public static CountryChannels of(String keyName, Map<String, List<Channel>> byCountry) {
    Map<String, List<Channel>> checked = new LinkedHashMap<>();
    byCountry.forEach((country, channels) -> checked.put(country(keyName, country),
        checkedChannels(keyName, country, channels)));
    return new CountryChannels(checked);
  }

  /**
   * Reads {@code CC:channel[,channel...];*:channel...}; channels are sms, voice and whatsapp.
   *
   * @param keyName the config key the text comes from, named in every error
   * @throws ConfigException naming the key and the entry at fault
   */
  public static CountryChannels parse(String keyName, String text) {
    Map<String, List<Channel>> byCountry = new LinkedHashMap<>();
    if (text == null || text.isBlank()) {
      return new CountryChannels(byCountry);
    }
    for (String entry : text.split(";")) {
      if (entry.isBlank()) {
        continue;
      }
      int colon = entry.indexOf(':');
      if (colon < 0) {
        throw new ConfigException(keyName + ": entry '" + entry.trim()
            + "' must be written COUNTRY:channel[,channel...], for example DE:sms,whatsapp,voice");
      }
      String country = country(keyName, entry.substring(0, colon));
      List<Channel> channels = new ArrayList<>();
      for (String name : entry.substring(colon + 1).split(",")) {
        if (!name.isBlank()) {
          channels.add(channel(keyName, country, name));
        }
      }
      if (byCountry.put(country, checkedChannels(keyName, country, channels)) != null) {
        throw new ConfigException(keyName + ": " + country + " has two entries");
      }
    }
    return new CountryChannels(byCountry);
  }

  /** The channels of this country (its own entry, else the {@code *} entry); empty when neither exists. */
  public List<Channel> of(String country) {
    String region = country == null ? DEFAULT_COUNTRY : country.toUpperCase(Locale.ROOT);
    return byCountry.getOrDefault(region, byCountry.getOrDefault(DEFAULT_COUNTRY, List.of()));
  }

  /** Whether this country's entry (or the default) lists the channel. */
  public boolean allows(String country, Channel channel) {
    return of(country).contains(channel);
  }

  /** Whether any entry exists at all. */
  public boolean isEmpty() {
    return byCountry.isEmpty();
  }

  /** The entry of one country as written, if it has its own. */
  public Optional<List<Channel>> own(String country) {
    return Optional.ofNullable(byCountry.get(country));
  }

  /** The lower-case name a channel is written with in config and in the API. */
  public static String nameOf(Channel channel) {
    return channel.name().toLowerCase(Locale.ROOT);
  }

  private static String country(String keyName, String written) {
    String country = written == null ? "" : written.trim().toUpperCase(Locale.ROOT);
    if (!country.equals(DEFAULT_COUNTRY) && !COUNTRY.matcher(country).matches()) {
      throw new ConfigException(keyName + ": '" + written + "' is not an ISO 3166 two-letter country code or *");
    }
    return country;
  }

  private static Channel channel(String keyName, String country, String written) {
    return switch (written.trim().toLowerCase(Locale.ROOT)) {
      case "sms" -> Channel.SMS;
      case "voice" -> Channel.VOICE;
      case "whatsapp" -> Channel.WHATSAPP;
      default -> throw new ConfigException(keyName + ": '" + written.trim() + "' in the entry for " + country
          + " is not a channel (sms, whatsapp, voice)");
    };
  }

  private static List<Channel> checkedChannels(String keyName, String country, List<Channel> channels) {
    if (channels.isEmpty()) {
      throw new ConfigException(keyName + ": the entry for " + country + " names no channel");
    }
    for (int i = 0; i < channels.size(); i++) {
      Channel channel = channels.get(i);
      if (channel == null || channel == Channel.UNKNOWN_CHANNEL) {
        throw new ConfigException(keyName + ": the entry for " + country + " names an unknown channel");
      }
      if (channels.subList(0, i).contains(channel)) {
        throw new ConfigException(keyName + ": " + nameOf(channel) + " appears twice in the entry for " + country);
      }
    }
    return List.copyOf(channels);
  }
}
