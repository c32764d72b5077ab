package dev.relay.providers.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class AsyncLimiterTest {

  @Test
  void runsAtMostTheLimitAndQueuesTheRest() {
    AsyncLimiter limiter = new AsyncLimiter(2, 1);
    List<CompletableFuture<String>> pending = new ArrayList<>();
    List<CompletableFuture<String>> results = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      results.add(limiter.submit(() -> {
        CompletableFuture<String> task = new CompletableFuture<>();
        pending.add(task);
        return task;
      }));
    }

    assertThat(pending).hasSize(2);
    assertThat(limiter.inFlight()).isEqualTo(2);
    assertThat(limiter.queued()).isEqualTo(1);

    pending.get(0).complete("a");

    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> pending.size() == 3);
    assertThat(results.get(0)).isCompletedWithValue("a");
    pending.get(1).complete("b");
    pending.get(2).complete("c");
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> limiter.inFlight() == 0);
    assertThat(results.get(2).join()).isEqualTo("c");
  }

  @Test
  void failsAtOnceWhenTheQueueIsFull() {
    AsyncLimiter limiter = new AsyncLimiter(1, 0);
    limiter.submit(CompletableFuture::new);

    CompletableFuture<Object> refused = limiter.submit(CompletableFuture::new);

    assertThat(refused).isCompletedExceptionally();
    assertThat(refused.handle((value, error) -> error).join()).isInstanceOf(AsyncLimiter.QueueFullException.class);
  }

  @Test
  void aTaskThatThrowsReleasesItsSlot() {
    AsyncLimiter limiter = new AsyncLimiter(1, 0);

    CompletableFuture<Object> failed = limiter.submit(() -> {
      throw new IllegalStateException("boom");
    });

    assertThat(failed).isCompletedExceptionally();
    assertThat(limiter.inFlight()).isZero();
  }
}
