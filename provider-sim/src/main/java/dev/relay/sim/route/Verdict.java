package dev.relay.sim.route;

import java.time.Duration;

/**
 * What happens to one send: rejected by the API with a vendor code, or accepted with a fate that
 * unfolds after {@code receiptDelay}.
 *
 * @param rejectionCode the vendor code the API answers; meaningful only when not accepted
 * @param deliveryErrorCode the vendor code of a failed delivery; meaningful only for {@link Fate#UNDELIVERED}
 * @param receiptLost no receipt is posted, though the handset and the status still change
 */
public record Verdict(
    boolean accepted,
    int rejectionCode,
    Fate fate,
    int deliveryErrorCode,
    boolean receiptLost,
    Duration receiptDelay) {

  /** Where an accepted message ends up. */
  public enum Fate { DELIVERED, UNDELIVERED, SILENTLY_DROPPED }

  public static Verdict rejected(int code) {
    return new Verdict(false, code, null, 0, true, Duration.ZERO);
  }

  public static Verdict accepted(Fate fate, int deliveryErrorCode, boolean receiptLost, Duration receiptDelay) {
    return new Verdict(true, 0, fate, deliveryErrorCode, receiptLost, receiptDelay);
  }
}
