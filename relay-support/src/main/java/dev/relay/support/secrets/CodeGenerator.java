package dev.relay.support.secrets;

import java.security.SecureRandom;

/** Uniform random numeric codes from {@link SecureRandom}, 4 to 10 digits. */
public final class CodeGenerator {

  private final SecureRandom random = new SecureRandom();
  private final int digits;

  public CodeGenerator(int digits) {
    if (digits < 4 || digits > 10) {
      throw new IllegalArgumentException("a code has 4 to 10 digits, not " + digits);
    }
    this.digits = digits;
  }

  public String next() {
    StringBuilder code = new StringBuilder(digits);
    for (int i = 0; i < digits; i++) {
      code.append((char) ('0' + random.nextInt(10)));
    }
    return code.toString();
  }

  public int digits() {
    return digits;
  }
}
