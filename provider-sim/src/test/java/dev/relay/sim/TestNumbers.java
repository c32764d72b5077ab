package dev.relay.sim;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Valid mobile numbers, a fresh one per call, so a delivery still scheduled from one test can never
 * land in the inbox another test reads.
 */
public final class TestNumbers {

  private static final AtomicInteger NEXT = new AtomicInteger(1);

  private TestNumbers() {}

  /** A German mobile number (+49 151 ...). */
  public static String german() {
    return "+49151" + String.format("%08d", NEXT.getAndIncrement());
  }

  /** A French mobile number (+33 6 ...). */
  public static String french() {
    return "+336" + String.format("%08d", NEXT.getAndIncrement());
  }
}
