package dev.relay.schemas.topics;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a duration written as ISO-8601 ({@code PT30S}) or in short form ({@code 30s}, {@code 500ms}, {@code 10m}, {@code 1h}, {@code 7d}). */
public final class Durations {

  private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private Durations() {}

  public static Duration parse(String text) {
    String value = text.trim().toLowerCase(Locale.ROOT);
    if (value.startsWith("p")) {
      return Duration.parse(value.toUpperCase(Locale.ROOT));
    }
    Matcher matcher = SHORT.matcher(value);
    if (!matcher.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration: write it as 30s, 500ms, 10m, 1h, 7d or PT30S");
    }
    long amount = Long.parseLong(matcher.group(1));
    return switch (matcher.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
  }
}
