package dev.relay.schemas.topics;

import dev.relay.schemas.Channel;
import java.util.Locale;

/**
 * The key of {@code provider-scores}: {@code provider|COUNTRY|CHANNEL} ({@code twilio|DE|SMS}), built in
 * one place so the scoring app that writes it and the dispatcher that reads it agree.
 */
public final class ProviderScoreKeys {

  private ProviderScoreKeys() {}

  public static String key(String provider, String country, Channel channel) {
    return provider.toLowerCase(Locale.ROOT) + "|" + country.toUpperCase(Locale.ROOT) + "|" + channel.name();
  }

  /** The key of {@code provider-score-history}: the route key and the window's end ({@code twilio|DE|SMS|2026-03-02T10:01:00Z}). */
  public static String historyKey(String provider, String country, Channel channel, java.time.Instant windowEnd) {
    return key(provider, country, channel) + "|" + windowEnd;
  }
}
