package dev.relay.sim.handset;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the one-time code in a message the way a person reading it would: the first run of 4 to 10
 * digits ("Your code is 123456"), else digits spoken one by one as a call reads them ("1, 2, 3, 4, 5,
 * 6"). Shorter numbers ("expires in 10 minutes") are not codes.
 */
public final class CodeExtractor {

  static final int MIN_DIGITS = 4;
  static final int MAX_DIGITS = 10;

  private static final Pattern DIGIT_RUN = Pattern.compile("(?<![\\d])\\d{" + MIN_DIGITS + "," + MAX_DIGITS + "}(?![\\d])");
  // Single digits separated by spaces, commas, dots or dashes: how text-to-speech scripts spell a code.
  private static final Pattern SPOKEN_DIGITS = Pattern.compile(
      "(?<![\\d])\\d(?:[\\s,.\\-]{1,3}\\d){" + (MIN_DIGITS - 1) + "," + (MAX_DIGITS - 1) + "}(?![\\d])");

  private CodeExtractor() {}

  public static Optional<String> find(String text) {
    if (text == null) {
      return Optional.empty();
    }
    Matcher run = DIGIT_RUN.matcher(text);
    if (run.find()) {
      return Optional.of(run.group());
    }
    Matcher spoken = SPOKEN_DIGITS.matcher(text);
    if (spoken.find()) {
      return Optional.of(spoken.group().replaceAll("\\D", ""));
    }
    return Optional.empty();
  }
}
