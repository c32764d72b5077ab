package dev.relay.bench.crash;

import java.time.Duration;
import java.util.Optional;

/**
 * A person looking at their phone for the code: first after {@code pollEvery}, then every {@code pollEvery},
 * for at most {@code patience}. Each look is an HTTP request to the simulator on the stack's machine, so
 * they look as seldom as a person would rather than load the stack under test.
 */
final class Handset {

  private final RelayApi api;
  private final Duration patience;
  private final Duration pollEvery;

  Handset(RelayApi api, Duration patience, Duration pollEvery) {
    this.api = api;
    this.patience = patience;
    this.pollEvery = pollEvery;
  }

  Optional<String> awaitCode(String number) throws InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    while (true) {
      Thread.sleep(pollEvery.toMillis());
      Optional<String> code = api.latestCode(number);
      if (code.isPresent() || System.nanoTime() - deadline >= 0) {
        return code;
      }
    }
  }
}
