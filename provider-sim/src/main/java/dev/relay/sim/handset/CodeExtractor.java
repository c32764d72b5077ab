package dev.relay.sim.handset;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the one-time code in a message the way a phone or a person reading it would: the code of a
 * Web OTP line ending the message ("@example.com #123456", what autofill takes), else the first run
 * of 4 to 10 digits ("Your code is 123456", in any language), else digits spoken one by one as a call
 * reads them ("1, 2, 3, 4, 5, 6"). Shorter numbers ("expires in 10 minutes") are not codes; an
 * Android app hash after the text ("FA+9qCX9VSu") comes after the code and is not read as one.
 */
public final class CodeExtractor {

  static final int MIN_DIGITS = 4;
  static final int MAX_DIGITS = 10;

  private static final Pattern DIGIT_RUN = Pattern.compile("(?<![\\d])\\d{" + MIN_DIGITS + "," + MAX_DIGITS + "}(?![\\d])");
  // Single digits separated by spaces, commas, dots or dashes: how text-to-speech scripts spell a code.
  private static final Pattern SPOKEN_DIGITS = Pattern.compile(
      "(?<![\\d])\\d(?:[\\s,.\\-]{1,3}\\d){" + (MIN_DIGITS - 1) + "," + (MAX_DIGITS - 1) + "}(?![\\d])");

  // The WICG origin-bound format: the last line is "@" host, a space, "#" code (and optionally " @" an embedded host).
  private static final Pattern WEB_OTP_LAST_LINE =
      Pattern.compile("(?:^|\\n)@[^\\s#@]+ #(\\d{" + MIN_DIGITS + "," + MAX_DIGITS + "})(?: @[^\\s#@]+)?\\s*$");

  private CodeExtractor() {}

  public static Optional<String> find(String text) {
    if (text == null) {
      return Optional.empty();
    }
    Matcher webOtp = WEB_OTP_LAST_LINE.matcher(text);
    if (webOtp.find()) {
      return Optional.of(webOtp.group(1));
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
