package dev.relay.providers.http;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Bounds the requests in flight to one vendor without blocking a thread: a task beyond the limit
 * waits in a bounded queue and starts when a running one completes; beyond the queue it fails at
 * once with {@link QueueFullException}, which the adapters report as THROTTLED so the sender moves to
 * the next route instead of piling up behind a slow vendor.
 */
public final class AsyncLimiter {

  private final int maxConcurrent;
  private final int maxQueued;
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private int running;

  public AsyncLimiter(int maxConcurrent, int maxQueued) {
    if (maxConcurrent < 1 || maxQueued < 0) {
      throw new IllegalArgumentException("maxConcurrent must be >= 1 and maxQueued >= 0");
    }
    this.maxConcurrent = maxConcurrent;
    this.maxQueued = maxQueued;
  }

  /** Thrown (as the failure of a future) when the vendor's queue is full. */
  public static final class QueueFullException extends RuntimeException {
    QueueFullException(int maxConcurrent, int maxQueued) {
      super(maxConcurrent + " requests in flight and " + maxQueued + " waiting", null, false, false);
    }
  }

  public <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> task) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Runnable start = () -> {
      CompletableFuture<T> running;
      try {
        running = task.get();
      } catch (RuntimeException e) {
        running = CompletableFuture.failedFuture(e);
      }
      running.whenComplete((value, error) -> {
        release();
        if (error != null) {
          result.completeExceptionally(error);
        } else {
          result.complete(value);
        }
      });
    };
    synchronized (this) {
      if (running < maxConcurrent) {
        running++;
      } else if (waiting.size() < maxQueued) {
        waiting.add(start);
        return result;
      } else {
        return CompletableFuture.failedFuture(new QueueFullException(maxConcurrent, maxQueued));
      }
    }
    start.run();
    return result;
  }

  public synchronized int inFlight() {
    return running;
  }

  public synchronized int queued() {
    return waiting.size();
  }

  private void release() {
    Runnable next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) {
        running--;
      }
    }
    if (next != null) {
      // Off this completion's thread: a chain of tasks that fail at once must not grow the stack.
      CompletableFuture.runAsync(next);
    }
  }
}
