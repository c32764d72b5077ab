package dev.relay.api.http;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberType;
import dev.relay.schemas.Channel;
import dev.relay.support.http.ApiError;
import dev.relay.support.phone.InvalidPhoneNumberException;
import dev.relay.support.phone.PhoneNumbers;
import dev.relay.support.phone.PhoneNumbers.E164;
import dev.relay.support.routing.CountryChannels;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which numbers the API takes: valid international numbers ({@link PhoneNumbers#parse}); for a
 * start also only in regions the operator enabled (geo permissions), and only numbers that can
 * receive the channel, so no money is spent texting a landline, on a channel the operator offers in
 * the number's country ({@code relay.api.channels}). Refusals are 400s with the reason as the error
 * code ({@code number_not_e164}, {@code number_not_mobile}, {@code channel_not_allowed}, ...).
 */
public final class NumberPolicy {

  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();
  /** Numbers libphonenumber cannot tell from mobiles (the US, Canada) are texted too. */
  private static final Set<PhoneNumberType> TEXTABLE = EnumSet.of(PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE);
  /** A call reaches landlines and VoIP numbers as well. */
  private static final Set<PhoneNumberType> CALLABLE = EnumSet.of(PhoneNumberType.MOBILE,
      PhoneNumberType.FIXED_LINE_OR_MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.VOIP);

  private final Optional<Set<String>> enabledRegions;
  private final boolean requireMobile;
  private final CountryChannels channels;

  /** SMS and voice in every country, as before WhatsApp. */
  public NumberPolicy(Optional<Set<String>> enabledRegions, boolean requireMobile) {
    this(enabledRegions, requireMobile, CountryChannels.everywhere(List.of(Channel.SMS, Channel.VOICE)));
  }

  /**
   * @param enabledRegions empty when every region is enabled
   * @param channels the channels a caller may ask for, per country
   */
  public NumberPolicy(Optional<Set<String>> enabledRegions, boolean requireMobile, CountryChannels channels) {
    this.enabledRegions = enabledRegions;
    this.requireMobile = requireMobile;
    this.channels = channels;
  }

  /** A number a check names: any valid number (an unknown one simply has nothing pending). */
  public E164 forCheck(String input) {
    return parse(input);
  }

  /** A number a verification may be started for on this channel. */
  public E164 forStart(String input, Channel channel) {
    E164 number = parse(input);
    if (enabledRegions.isPresent() && !enabledRegions.get().contains(number.region())) {
      throw ApiError.badRequest("number_country_not_enabled",
          "verifications to " + number.region() + " numbers are not enabled on this deployment");
    }
    requireChannel(number, channel);
    if (requireMobile) {
      Set<PhoneNumberType> reachable = channel == Channel.VOICE ? CALLABLE : TEXTABLE;
      if (!reachable.contains(typeOf(number))) {
        throw ApiError.badRequest("number_not_mobile", channel == Channel.VOICE
            ? "the number cannot take calls"
            : "the number cannot receive " + (channel == Channel.WHATSAPP ? "WhatsApp messages" : "SMS")
                + "; ask for channel voice to call a landline");
      }
    }
    return number;
  }

  /**
   * A resend's channel for the verification's number (null: the verification's own channel, always fine).
   *
   * @param number the E.164 number the verification id carries
   */
  public void forResend(String number, Channel channel) {
    if (channel != null) {
      requireChannel(parse(number), channel);
    }
  }

  private void requireChannel(E164 number, Channel channel) {
    if (!channels.allows(number.region(), channel)) {
      throw ApiError.badRequest("channel_not_allowed", CountryChannels.nameOf(channel) + " is not offered for "
          + number.region() + " numbers on this deployment; channels there: "
          + String.join(", ", channels.of(number.region()).stream().map(CountryChannels::nameOf).toList()));
    }
  }

  private static E164 parse(String input) {
    try {
      return PhoneNumbers.parse(input);
    } catch (InvalidPhoneNumberException e) {
      throw ApiError.badRequest("number_" + e.reason(), e.getMessage());
    }
  }

  private static PhoneNumberType typeOf(E164 number) {
    try {
      return UTIL.getNumberType(UTIL.parse(number.number(), null));
    } catch (NumberParseException e) {
      // parse() above already accepted it; an E.164 string always parses again.
      return PhoneNumberType.UNKNOWN;
    }
  }
}
