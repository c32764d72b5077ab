package dev.relay.sim.route;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * How one provider treats messages to one country on one channel. The dice are rolled in this order:
 * {@code acceptRate} decides whether the API accepts the send (else it answers one of
 * {@code errorCodes}); an accepted message is silently dropped with {@code silentDropRate} (no
 * delivery, no receipt, the status stays "sent"); a message not dropped is delivered with
 * {@code deliveryRate} (else it fails with one of {@code deliveryErrorCodes}); and its receipts are
 * lost with {@code receiptLossRate} (the handset and the status still change). The API answers after
 * {@code latency}; delivery and receipts come after {@code receiptDelay} plus up to
 * {@code receiptDelayJitter}.
 *
 * @param errorCodes the vendor's own codes a rejection answers, one picked at random
 * @param deliveryErrorCodes the vendor's codes a failed delivery reports, one picked at random
 * @param price what the vendor charges per message (Twilio in USD, Vonage in EUR)
 */
public record RouteBehaviour(
    double acceptRate,
    List<Integer> errorCodes,
    Duration latency,
    double deliveryRate,
    List<Integer> deliveryErrorCodes,
    double silentDropRate,
    double receiptLossRate,
    Duration receiptDelay,
    Duration receiptDelayJitter,
    BigDecimal price) {

  public RouteBehaviour {
    errorCodes = List.copyOf(errorCodes);
    deliveryErrorCodes = List.copyOf(deliveryErrorCodes);
  }

  /** A route that accepts and delivers everything after the configured receipt delay. */
  public static RouteBehaviour healthy(Provider provider, SimChannel channel, Duration receiptDelay) {
    Provider.ChannelDefaults defaults = provider.defaults(channel);
    return new RouteBehaviour(1.0, List.of(defaults.rejectionCode()), Duration.ZERO, 1.0,
        List.of(defaults.deliveryErrorCode()), 0.0, 0.0, receiptDelay, Duration.ZERO, defaults.price());
  }

  /** Rolls the dice for one send. */
  public Verdict roll(RandomGenerator random) {
    if (!happens(acceptRate, random)) {
      return Verdict.rejected(pick(errorCodes, random));
    }
    Duration delay = receiptDelayJitter.isZero()
        ? receiptDelay
        : receiptDelay.plusNanos(random.nextLong(receiptDelayJitter.toNanos() + 1));
    if (happens(silentDropRate, random)) {
      return Verdict.accepted(Verdict.Fate.SILENTLY_DROPPED, 0, true, delay);
    }
    boolean delivered = happens(deliveryRate, random);
    boolean receiptLost = happens(receiptLossRate, random);
    return delivered
        ? Verdict.accepted(Verdict.Fate.DELIVERED, 0, receiptLost, delay)
        : Verdict.accepted(Verdict.Fate.UNDELIVERED, pick(deliveryErrorCodes, random), receiptLost, delay);
  }

  // Rates of exactly 0 and 1 never touch the dice, so fully healthy or fully broken routes are deterministic.
  private static boolean happens(double rate, RandomGenerator random) {
    if (rate >= 1.0) {
      return true;
    }
    if (rate <= 0.0) {
      return false;
    }
    return random.nextDouble() < rate;
  }

  private static int pick(List<Integer> codes, RandomGenerator random) {
    return codes.size() == 1 ? codes.get(0) : codes.get(random.nextInt(codes.size()));
  }
}
