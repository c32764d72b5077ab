package dev.relay.scoring.replay;

import dev.relay.scoring.model.RouteKey;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A route's outcome as the replay draws it, from one level of evidence: its own tries in that hour of
 * day, else in the whole range, else the {@link Priors}. {@code reach} is the chance that a code it
 * accepted on a first send is checked by a person who checks the codes that reach them (its completion
 * over the country's engagement); {@code failedReceiptIfUndelivered} how often a code that was not
 * delivered says so with a failed receipt (else it is silently lost). Durations are drawn from the
 * recorded samples (none at the prior level).
 */
public record RouteEstimate(RouteKey route, Level level, long tries, double acceptance, double deliveryRate,
    double reach, double failedReceiptIfUndelivered, List<Duration> deliveryTimes, List<Duration> verifyDelays,
    List<Duration> failTimes, Optional<Long> priceMicros) {

  /** Where an estimate comes from, most specific first. */
  public enum Level { HOUR, RANGE, PRIOR }

  public RouteEstimate {
    deliveryTimes = List.copyOf(deliveryTimes);
    verifyDelays = List.copyOf(verifyDelays);
    failTimes = List.copyOf(failTimes);
  }
}
