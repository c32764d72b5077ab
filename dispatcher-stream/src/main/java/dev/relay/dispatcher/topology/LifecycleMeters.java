package dev.relay.dispatcher.topology;

import dev.relay.schemas.Attempt;
import dev.relay.schemas.state.VerificationState;
import dev.relay.schemas.VerificationStatus;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * The lifecycle's timings and money: time to delivery of each delivered attempt (when its receipt
 * comes), and, once an approved verification finishes, time to verify (first send to approval) and
 * what it cost. Tags are bounded: provider, country, channel. The timers publish histogram buckets,
 * so percentiles (p95) come from {@code histogram_quantile} over any set of instances.
 */
final class LifecycleMeters {

  static final String TIME_TO_VERIFY = "relay.verification.time.to.verify";
  static final String TIME_TO_DELIVERY = "relay.delivery.time";
  static final String DELIVERY_OUTCOMES = "relay.delivery.outcomes";
  static final String COST_PER_SUCCESS = "relay.verification.cost";
  private static final double MICROS_PER_UNIT = 1_000_000d;

  private final MeterRegistry registry;

  LifecycleMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * After a final receipt is recorded on an attempt, which happens once per attempt whatever the
   * vendor replays: its status (the delivery rate's inputs, unlike dlr-ingest's count of receipts as
   * they arrive) and a delivery's time from dispatch.
   */
  void received(VerificationState state, Attempt attempt) {
    registry.counter(DELIVERY_OUTCOMES,
        "provider", attempt.getProvider() == null ? "none" : attempt.getProvider(),
        "country", state.getCountry(),
        "channel", channel(attempt),
        "status", attempt.getDeliveryStatus().name().toLowerCase(Locale.ROOT)).increment();
    if (attempt.getDeliveredAt() == null || attempt.getDispatchedAt() == null) {
      return;
    }
    Timer.builder(TIME_TO_DELIVERY)
        .description("From handing a send to the sender to the provider's delivered receipt")
        .tag("provider", attempt.getProvider() == null ? "none" : attempt.getProvider())
        .tag("country", state.getCountry())
        .tag("channel", channel(attempt))
        .publishPercentileHistogram()
        .register(registry)
        .record(positive(Duration.between(attempt.getDispatchedAt(), attempt.getDeliveredAt())));
  }

  /** When a verification finishes: time to verify and cost, for approved ones. */
  void finished(VerificationState state, VerificationStatus status, Instant now) {
    if (state.getAttempts().isEmpty()) {
      return;
    }
    String country = state.getCountry();
    if (status != VerificationStatus.APPROVED) {
      return;
    }
    Attempt first = state.getAttempts().get(0);
    Attempt last = state.getAttempts().get(state.getAttempts().size() - 1);
    Timer.builder(TIME_TO_VERIFY)
        .description("From the first send to the approving check")
        .tag("country", country)
        .tag("channel", channel(last))
        .publishPercentileHistogram()
        .register(registry)
        .record(positive(Duration.between(first.getDispatchedAt(), now)));
    long micros = 0;
    for (Attempt attempt : state.getAttempts()) {
      micros += attempt.getPriceMicros() == null ? 0 : attempt.getPriceMicros();
    }
    DistributionSummary.builder(COST_PER_SUCCESS)
        .description("What the sends of an approved verification cost, in the providers' price unit")
        .baseUnit("usd")
        .tag("country", country)
        .register(registry)
        .record(micros / MICROS_PER_UNIT);
  }

  private static String channel(Attempt attempt) {
    return attempt.getChannel().name().toLowerCase(Locale.ROOT);
  }

  private static Duration positive(Duration duration) {
    // A receipt's time is the vendor's clock: it may be a little before our dispatch time.
    return duration.isNegative() ? Duration.ZERO : duration;
  }
}
