package dev.relay.dispatcher.routing;

import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.topics.Durations;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.RelayConfig;
import java.time.Duration;
import java.util.Optional;

/**
 * When a send's receipt is overdue against its own route's record: {@code factor} times the route's
 * p95 time to delivery, at least {@code floor}, once the route's published score rests on at least
 * {@code minDelivered} delivered sends. A route that silently drops messages keeps its usual receipt
 * time for the messages it does deliver, so the missing receipt is a signal seconds after the send,
 * while the person still waits, where the delivery window closes only after most people have given up.
 * A route without receipts to speak of (few delivered, no times) gets no bound: its window alone holds.
 */
public record OverdueReceipts(double factor, Duration floor, long minDelivered) {

  /** Never overdue before the window closes. */
  public static final OverdueReceipts OFF = new OverdueReceipts(0, Duration.ZERO, 0);

  public OverdueReceipts {
    if (!(factor >= 0 && Double.isFinite(factor))) {
      throw new ConfigException(DispatcherConfig.OVERDUE_RECEIPT_FACTOR.name() + " must be 0 or more, not " + factor);
    }
    if (floor.isNegative()) {
      throw new ConfigException(DispatcherConfig.OVERDUE_RECEIPT_FLOOR.name() + " must not be negative, not " + floor);
    }
  }

  public static OverdueReceipts fromConfig(RelayConfig config) {
    return new OverdueReceipts(config.getFactor(DispatcherConfig.OVERDUE_RECEIPT_FACTOR),
        config.getDuration(DispatcherConfig.OVERDUE_RECEIPT_FLOOR), config.getInt(DispatcherConfig.MIN_SAMPLES));
  }

  /** The config's defaults. */
  public static OverdueReceipts defaults() {
    return new OverdueReceipts(Double.parseDouble(DispatcherConfig.OVERDUE_RECEIPT_FACTOR.defaultValue()),
        Durations.parse(DispatcherConfig.OVERDUE_RECEIPT_FLOOR.defaultValue()),
        Long.parseLong(DispatcherConfig.MIN_SAMPLES.defaultValue()));
  }

  /** How long after its acceptance a send through the route of this score has an overdue receipt; empty: unknown. */
  public Optional<Duration> after(ProviderScore score) {
    if (factor == 0 || score == null || score.getDelivered() < Math.max(1, minDelivered)
        || score.getTimeToDeliveryP95Millis() == null) {
      return Optional.empty();
    }
    long bound = (long) Math.ceil(factor * score.getTimeToDeliveryP95Millis());
    return Optional.of(Duration.ofMillis(Math.max(bound, floor.toMillis())));
  }
}
