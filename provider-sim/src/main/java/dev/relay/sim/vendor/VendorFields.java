package dev.relay.sim.vendor;

import dev.relay.support.phone.InvalidPhoneNumberException;
import dev.relay.support.phone.PhoneNumbers;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/** Reading the request fields every vendor API shares: recipients and callback addresses. */
public final class VendorFields {

  private VendorFields() {}

  /** A recipient in E.164 with its plus, as Twilio takes it; empty when it is not a valid number. */
  public static Optional<PhoneNumbers.E164> e164(String value) {
    try {
      return Optional.of(PhoneNumbers.parse(value));
    } catch (InvalidPhoneNumberException e) {
      return Optional.empty();
    }
  }

  /** A recipient as international digits without the plus (Vonage, Plivo); a leading plus is tolerated. */
  public static Optional<PhoneNumbers.E164> e164FromDigits(String value) {
    String digits = value.startsWith("+") ? value.substring(1) : value;
    if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Optional.empty();
    }
    return e164("+" + digits);
  }

  /** The number as those vendors write it back: digits without the plus. */
  public static String digits(PhoneNumbers.E164 number) {
    return number.number().substring(1);
  }

  /** An absolute http(s) address, or empty. */
  public static Optional<URI> httpUrl(String value) {
    try {
      URI uri = new URI(value);
      boolean http = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
      return http && uri.getHost() != null ? Optional.of(uri) : Optional.empty();
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
  }

  /** Where a vendor's receipts go when a request names no callback: dlr-ingest's route for that vendor. */
  public static Optional<URI> defaultCallback(Optional<URI> dlrUrl, String vendor) {
    return dlrUrl.map(base -> URI.create(base.toString().replaceAll("/+$", "") + "/dlr/" + vendor));
  }
}
