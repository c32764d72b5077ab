package dev.relay.sim.vendor;

import org.slf4j.Logger;

/** Scheduled work whose failure is logged: a scheduler keeps a task's exception to itself otherwise. */
public final class Tasks {

  private Tasks() {}

  public static Runnable logging(Logger log, String what, Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.error("{} failed", what, e);
      }
    };
  }
}
