package dev.relay.sim.twilio;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Twilio's time formats: RFC 2822 in resources and callbacks, YYMMDDhhmm in carrier receipts. */
final class TwilioTimes {

  private static final DateTimeFormatter RFC_2822 =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter DLR_DONE_DATE =
      DateTimeFormatter.ofPattern("yyMMddHHmm", Locale.ROOT).withZone(ZoneOffset.UTC);

  private TwilioTimes() {}

  static String rfc2822(Instant time) {
    return time == null ? null : RFC_2822.format(time);
  }

  static String dlrDoneDate(Instant time) {
    return DLR_DONE_DATE.format(time);
  }
}
