package dev.relay.scoring.replay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The four figures of a set of verifications, recorded or replayed: completion, failovers each, p95 time to verify, cost per success. */
public final class Figures {

  private long verifications;
  private long completed;
  private long failovers;
  private long costMicros;
  private final List<Long> timesToVerifyMillis = new ArrayList<>();

  void add(boolean completedIt, Optional<Duration> timeToVerify, int failoversOf, long costOf) {
    verifications++;
    failovers += failoversOf;
    costMicros += costOf;
    if (completedIt) {
      completed++;
      timeToVerify.ifPresent(time -> timesToVerifyMillis.add(time.toMillis()));
    }
  }

  public long verifications() {
    return verifications;
  }

  public long completed() {
    return completed;
  }

  public double completion() {
    return verifications == 0 ? 0 : (double) completed / verifications;
  }

  public double failoversPerVerification() {
    return verifications == 0 ? 0 : (double) failovers / verifications;
  }

  /** Nearest rank; empty without a completion. */
  public Optional<Duration> p95TimeToVerify() {
    if (timesToVerifyMillis.isEmpty()) {
      return Optional.empty();
    }
    List<Long> sorted = timesToVerifyMillis.stream().sorted().toList();
    int rank = (int) Math.ceil(0.95 * sorted.size());
    return Optional.of(Duration.ofMillis(sorted.get(Math.max(0, rank - 1))));
  }

  /** Micro-units of the currency per completed verification; empty without a completion. */
  public Optional<Long> costPerSuccessMicros() {
    return completed == 0 ? Optional.empty() : Optional.of(costMicros / completed);
  }
}
