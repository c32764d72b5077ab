package dev.relay.scoring.model;

import dev.relay.schemas.Channel;
import dev.relay.schemas.topics.ProviderScoreKeys;
import java.time.Instant;
import java.util.Locale;

/**
 * A route as scoring sees it: one provider for one destination country on one channel. Its text
 * form is the key of provider-scores ({@link ProviderScoreKeys#key}, for example {@code twilio|DE|SMS}),
 * and scoring keys its repartition topic and stores the same way, so it must parse back: a provider
 * or country holding the separator is refused here, before it can reach a store.
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
    return ProviderScoreKeys.key(provider, country, channel);
  }

  /**
   * The key on provider-score-history: {@code provider|COUNTRY|CHANNEL|<window end, ISO-8601>}, one per
   * window, so the records of a route sort by time within it.
   */
  public String historyKey(Instant windowEnd) {
    return value() + SEPARATOR + windowEnd;
  }

  @Override
  public String toString() {
    return value();
  }
}
