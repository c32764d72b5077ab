package dev.relay.bench;

import dev.relay.sim.handset.HandsetMessage;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's users' phones: told by the simulator (in this process) of every message a handset
 * receives, it hands the code to whoever expects one for that number, the moment it arrives. So the
 * load generator needs no inbox polling, which at 25 ms intervals cost more HTTP requests than the
 * verifications themselves and was counted as the stack's CPU.
 */
final class CodeInbox {

  /** A code as it reached the handset, with the {@link System#nanoTime()} of its arrival. */
  record Code(String code, long arrivedNanos) {}

  private final Map<String, CompletableFuture<Code>> expected = new ConcurrentHashMap<>();
  /** The check is sent from here, not from the simulator's delivery thread, which must return at once. */
  private final ExecutorService users = Executors.newSingleThreadExecutor(r -> {
    Thread thread = new Thread(r, "bench-users");
    thread.setDaemon(true);
    return thread;
  });

  /** Wired as the simulator's handset listener. */
  void received(String number, HandsetMessage message) {
    long now = System.nanoTime();
    if (message.code() == null) {
      return;
    }
    CompletableFuture<Code> waiting = expected.remove(number);
    if (waiting != null) {
      waiting.completeAsync(() -> new Code(message.code(), now), users);
    }
  }

  /** A future for the next code {@code number} receives; it fails with a timeout after {@code wait}. */
  CompletableFuture<Code> expect(String number, Duration wait) {
    CompletableFuture<Code> code = new CompletableFuture<>();
    expected.put(number, code);
    return code.orTimeout(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Stops expecting a code for {@code number} (its start failed, or the wait ran out). */
  void forget(String number, CompletableFuture<Code> code) {
    expected.remove(number, code);
  }
}
