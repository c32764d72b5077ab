package dev.relay.bench;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one phase of the benchmark with a time limit, so that no phase (a stack that never gets ready,
 * a producer retrying for ever, a close that waits on a dead broker) can hang the whole run: past its
 * limit the phase is interrupted, its clean-up runs, and it fails with a message naming it.
 */
final class Bounded {

  private Bounded() {}

  /** Thrown when a phase did not finish within its limit. */
  static final class PhaseTimeoutException extends Exception {
    PhaseTimeoutException(String phase, Duration limit) {
      super(phase + " did not finish within " + limit.toSeconds() + " s");
    }
  }

  /**
   * @param onTimeout run once the phase is past its limit (close the clients it holds), before the exception
   */
  static <T> T run(String phase, Duration limit, Callable<T> work, Runnable onTimeout) throws Exception {
    ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "bench-" + phase.replace(' ', '-'));
      t.setDaemon(true);
      return t;
    });
    try {
      Future<T> result = thread.submit(work);
      try {
        return result.get(limit.toNanos(), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        result.cancel(true);
        onTimeout.run();
        throw new PhaseTimeoutException(phase, limit);
      } catch (ExecutionException e) {
        throw e.getCause() instanceof Exception cause ? cause : e;
      }
    } finally {
      thread.shutdownNow();
    }
  }

  static void run(String phase, Duration limit, Runnable work) throws Exception {
    run(phase, limit, () -> {
      work.run();
      return null;
    }, () -> { });
  }
}
