package dev.relay.scoring.replay;

import java.time.Duration;

/**
 * What the replay assumes of a route, or of a country's people, with too little evidence of its own.
 * Printed in every report, so a figure resting on them is read as such.
 */
public record Priors(double acceptance, double deliveryRate, double reach, double failedReceiptIfUndelivered,
    Duration deliveryTime, Duration verifyDelay, double engagement, double latePresence) {

  /** Middling figures of a working SMS route; a route estimated from these alone is flagged in the output. */
  public static final Priors DEFAULT = new Priors(0.95, 0.85, 0.85, 0.30, Duration.ofSeconds(5),
      Duration.ofSeconds(20), 0.85, 0.60);
}
