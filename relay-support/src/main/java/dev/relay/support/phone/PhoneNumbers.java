package dev.relay.support.phone;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.regex.Pattern;

/** Parses, normalizes and masks phone numbers with libphonenumber; E.164 is the only form Relay keeps. */
public final class PhoneNumbers {

  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();
  private static final int MAX_INPUT_LENGTH = 32;
  /** Digits and the usual separators only: libphonenumber would read letters as a keypad vanity number. */
  private static final Pattern ALLOWED = Pattern.compile("[+0-9 ().\\-]+");

  private PhoneNumbers() {}

  /** A number in E.164 with its ISO 3166 region. */
  public record E164(String number, String region) {}

  /**
   * Reads an international number ({@code +49 151 12345678}).
   *
   * @throws InvalidPhoneNumberException with a reason a caller can show
   */
  public static E164 parse(String input) {
    if (input == null || input.isBlank()) {
      throw new InvalidPhoneNumberException("missing", "a phone number is required");
    }
    if (input.length() > MAX_INPUT_LENGTH || input.chars().anyMatch(Character::isISOControl)) {
      throw new InvalidPhoneNumberException("malformed", "not a phone number");
    }
    if (!ALLOWED.matcher(input).matches()) {
      throw new InvalidPhoneNumberException("malformed", "a phone number has only digits, spaces, +, -, ( and )");
    }
    if (!input.trim().startsWith("+")) {
      throw new InvalidPhoneNumberException("not_e164", "write the number in international form, starting with +");
    }
    PhoneNumber number;
    try {
      number = UTIL.parse(input, null);
    } catch (NumberParseException e) {
      throw new InvalidPhoneNumberException("malformed", "not a phone number");
    }
    if (!UTIL.isValidNumber(number)) {
      throw new InvalidPhoneNumberException("invalid", "not a valid number for its country");
    }
    return new E164(UTIL.format(number, PhoneNumberFormat.E164), UTIL.getRegionCodeForNumber(number));
  }

  /** The region of an E.164 number already normalized, or {@code ZZ} when unknown. */
  public static String regionOf(String e164) {
    try {
      String region = UTIL.getRegionCodeForNumber(UTIL.parse(e164, null));
      return region == null ? "ZZ" : region;
    } catch (NumberParseException e) {
      return "ZZ";
    }
  }

  /** For logs: keeps the country and operator prefix and the last two digits ({@code +49151*****78}). */
  public static String mask(String e164) {
    if (e164 == null || e164.length() < 8) {
      return "***";
    }
    int keepStart = Math.min(6, e164.length() - 4);
    return e164.substring(0, keepStart) + "*".repeat(e164.length() - keepStart - 2) + e164.substring(e164.length() - 2);
  }
}
