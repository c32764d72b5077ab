package dev.relay.sim.vendor;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Random hexadecimal identifiers, shaped like each vendor's. */
public final class Hex {

  private static final SecureRandom RANDOM = new SecureRandom();

  private Hex() {}

  /** {@code digits} random lower-case hex digits. */
  public static String random(int digits) {
    byte[] bytes = new byte[(digits + 1) / 2];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes).substring(0, digits);
  }
}
