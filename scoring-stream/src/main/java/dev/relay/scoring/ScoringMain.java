package dev.relay.scoring;

import dev.relay.scoring.config.ScoringConfig;
import dev.relay.support.runtime.ServiceMain;

/** Runs scoring-stream as its own process. */
public final class ScoringMain {

  private ScoringMain() {}

  public static void main(String[] args) {
    ServiceMain.run(args, ScoringConfig.SCHEMA, config -> new ScoringService(config, ScoringMain::exitAfterFatalError));
  }

  private static void exitAfterFatalError(Throwable error) {
    // Not on the failing stream thread: exit runs the shutdown hook, which closes the streams client
    // and waits for that very thread.
    new Thread(() -> System.exit(1), "scoring-fatal-exit").start();
  }
}
