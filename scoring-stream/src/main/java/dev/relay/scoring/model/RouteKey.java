package dev.relay.scoring.model;

import dev.relay.schemas.Channel;
import java.util.Locale;

/**
 * A route as scoring sees it: one provider for one destination country on one channel. Its text
 * form {@code provider|country|CHANNEL} (for example {@code twilio|DE|SMS}) is the key of
 * provider-scores, so the same route always lands on the same compacted entry.
 */
public record RouteKey(String provider, String country, Channel channel) {

  private static final String SEPARATOR = "|";

  public RouteKey {
    provider = provider.trim().toLowerCase(Locale.ROOT);
    country = country.trim().toUpperCase(Locale.ROOT);
    if (provider.isEmpty() || provider.contains(SEPARATOR) || country.isEmpty() || country.contains(SEPARATOR)) {
      throw new IllegalArgumentException("a route needs a provider and a country without '|'");
    }
  }

  public static RouteKey parse(String text) {
    String[] parts = text.split("\\|", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException("not a route key (provider|country|CHANNEL): " + text);
    }
    return new RouteKey(parts[0], parts[1], Channel.valueOf(parts[2].toUpperCase(Locale.ROOT)));
  }

  /** The key on provider-scores. */
  public String value() {
    return provider + SEPARATOR + country + SEPARATOR + channel.name();
  }

  @Override
  public String toString() {
    return value();
  }
}
