package dev.relay.api.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.api.ManualClock;
import dev.relay.api.config.ApiConfig.OverloadLimits;
import dev.relay.api.dispatch.DispatcherAdmission.Endpoint;
import dev.relay.api.dispatch.DispatcherAdmission.Path;
import dev.relay.api.dispatch.DispatcherAdmission.Ticket;
import dev.relay.schemas.VerificationReply;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The admission decision, its Retry-After and its bookkeeping, on a clock moved by hand. */
class DispatcherAdmissionTest {

  private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(5);
  /** Starts wait at most 2 s, the rest 4 s; 5 replies/s assumed until more are seen. */
  private static final OverloadLimits LIMITS = new OverloadLimits(Duration.ofSeconds(2), Duration.ofSeconds(4), 5, REPLY_TIMEOUT);

  private final ManualClock clock = new ManualClock(Instant.parse("2030-01-02T03:04:05Z"));
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final DispatcherAdmission admission = new DispatcherAdmission(LIMITS, clock, registry);

  @Test
  void anIdleInstanceAdmitsWhatTheAssumedReplyRateClearsWithinTheStartWaitThenRefuses() {
    // 5 replies/s for 2 s: ten starts may wait; the eleventh would wait longer than a start may.
    List<Pending> pending = admitAll(Endpoint.START, 10);

    assertThat(admission.inFlight(Path.REQUESTS)).isEqualTo(10);
    assertThatThrownBy(() -> admission.admit(Endpoint.START))
        .isInstanceOfSatisfying(OverloadedException.class, refused -> assertThat(refused.retryAfter()).isEqualTo(Duration.ofSeconds(1)));
    assertThat(admission.inFlight(Path.REQUESTS)).as("a refusal takes no place").isEqualTo(10);
    assertThat(refusals(Endpoint.START)).isEqualTo(1);

    pending.get(0).reply();
    assertThat(admission.admit(Endpoint.START)).as("one answered, one more admitted").isNotNull();
  }

  @Test
  void peopleWhoAlreadyHaveACodeAreAdmittedAfterStartsAreRefused() {
    admitAll(Endpoint.START, 10);
    assertThatThrownBy(() -> admission.admit(Endpoint.START)).isInstanceOf(OverloadedException.class);

    // Resends and cancels share the request path but may wait 4 s: ten more fit behind the starts.
    admitAll(Endpoint.RESEND, 5);
    admitAll(Endpoint.CANCEL, 5);
    assertThatThrownBy(() -> admission.admit(Endpoint.RESEND)).isInstanceOf(OverloadedException.class);
    // Checks travel their own path and are still admitted.
    admitAll(Endpoint.CHECK, 20);
    assertThatThrownBy(() -> admission.admit(Endpoint.CHECK)).isInstanceOf(OverloadedException.class);

    assertThat(refusals(Endpoint.START)).isEqualTo(1);
    assertThat(refusals(Endpoint.RESEND)).isEqualTo(1);
    assertThat(refusals(Endpoint.CHECK)).isEqualTo(1);
    assertThat(refusals(Endpoint.CANCEL)).isZero();
  }

  @Test
  void aCongestedCheckPathRefusesStartsButNotChecks() {
    // The dispatcher's one thread serves both paths: checks backing up is a reason to take no new starts.
    admitAll(Endpoint.CHECK, 10);

    assertThatThrownBy(() -> admission.admit(Endpoint.START)).isInstanceOf(OverloadedException.class);
    assertThat(admission.admit(Endpoint.CHECK)).isNotNull();
    assertThat(admission.admit(Endpoint.RESEND)).isNotNull();
  }

  @Test
  void theObservedReplyRateRaisesTheBound() {
    // 100 replies over 2 s: 50/s observed, so a start may find up to 100 ahead of it.
    for (int i = 0; i < 100; i++) {
      admitAll(Endpoint.START, 1).get(0).reply();
      clock.advance(Duration.ofMillis(20));
    }
    assertThat(admission.expectedWait(Path.REQUESTS)).isZero();

    admitAll(Endpoint.START, 100);

    assertThat(admission.expectedWait(Path.REQUESTS)).isEqualTo(Duration.ofSeconds(2));
    assertThatThrownBy(() -> admission.admit(Endpoint.START)).isInstanceOf(OverloadedException.class);
  }

  @Test
  void retryAfterIsTheTimeTheBacklogNeedsToDrainToWhereAStartIsAdmitted() {
    for (int i = 0; i < 100; i++) {
      admitAll(Endpoint.START, 1).get(0).reply();
      clock.advance(Duration.ofMillis(20));
    }
    // 200 resends in flight at 50 replies/s; a start is admitted with 99 ahead of it: 101 replies away,
    // 2.02 s, rounded up to the header's whole seconds.
    admitAll(Endpoint.RESEND, 200);

    assertThatThrownBy(() -> admission.admit(Endpoint.START))
        .isInstanceOfSatisfying(OverloadedException.class, refused -> assertThat(refused.retryAfter()).isEqualTo(Duration.ofSeconds(3)));
  }

  @Test
  void aStalledDispatcherLowersTheBoundAndRetryAfterNeverExceedsTheReplyTimeout() {
    for (int i = 0; i < 100; i++) {
      admitAll(Endpoint.START, 1).get(0).reply();
      clock.advance(Duration.ofMillis(20));
    }
    List<Pending> stuck = admitAll(Endpoint.RESEND, 150);

    // No reply for a whole window: the rate falls back to the assumed 5/s, and 150 in flight would take 30 s.
    clock.advance(Backlog.RATE_WINDOW);
    assertThat(admission.expectedWait(Path.REQUESTS)).isEqualTo(Duration.ofSeconds(30));
    assertThatThrownBy(() -> admission.admit(Endpoint.RESEND))
        .isInstanceOfSatisfying(OverloadedException.class, refused -> assertThat(refused.retryAfter()).isEqualTo(REPLY_TIMEOUT));

    // Their reply timeouts free the places without counting as replies.
    stuck.forEach(Pending::timeOut);
    assertThat(admission.inFlight(Path.REQUESTS)).isZero();
    admitAll(Endpoint.START, 10);
    assertThatThrownBy(() -> admission.admit(Endpoint.START)).isInstanceOf(OverloadedException.class);
  }

  @Test
  void aPlaceIsGivenBackOnceWhateverEndsTheRequest() {
    Ticket cancelled = admission.admit(Endpoint.CHECK);
    cancelled.cancel();
    cancelled.cancel();
    assertThat(admission.inFlight(Path.CHECKS)).isZero();

    Ticket failing = admission.admit(Endpoint.CHECK);
    assertThatThrownBy(() -> failing.handOver(() -> {
      throw new IllegalStateException("the link is closed");
    })).isInstanceOf(IllegalStateException.class);
    assertThat(admission.inFlight(Path.CHECKS)).isZero();

    CompletableFuture<VerificationReply> reply = new CompletableFuture<>();
    Ticket answered = admission.admit(Endpoint.CHECK);
    answered.handOver(() -> reply);
    answered.cancel();
    reply.complete(new VerificationReply());
    assertThat(admission.inFlight(Path.CHECKS)).isZero();
  }

  @Test
  void publishesItsBacklogAndExpectedWaitAsGauges() {
    admitAll(Endpoint.CHECK, 3);

    assertThat(registry.get(DispatcherAdmission.IN_FLIGHT).tag("path", "checks").gauge().value()).isEqualTo(3);
    assertThat(registry.get(DispatcherAdmission.IN_FLIGHT).tag("path", "requests").gauge().value()).isZero();
    assertThat(registry.get(DispatcherAdmission.EXPECTED_WAIT).tag("path", "checks").gauge().value()).isEqualTo(0.6);
  }

  private double refusals(Endpoint endpoint) {
    return registry.get(DispatcherAdmission.REFUSALS).tag("endpoint", endpoint.tag()).counter().count();
  }

  private List<Pending> admitAll(Endpoint endpoint, int count) {
    List<Pending> pending = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      CompletableFuture<VerificationReply> reply = new CompletableFuture<>();
      admission.admit(endpoint).handOver(() -> reply);
      pending.add(new Pending(reply));
    }
    return pending;
  }

  /** A request in flight whose end the test decides. */
  private record Pending(CompletableFuture<VerificationReply> answer) {

    void reply() {
      // Only that a reply came counts here, not what it says.
      answer.complete(new VerificationReply());
    }

    void timeOut() {
      answer.completeExceptionally(new NoReplyException(REPLY_TIMEOUT));
    }
  }
}
