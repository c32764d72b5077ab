package dev.relay.providers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.Channel;
import dev.relay.schemas.ErrorCategory;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CircuitBreakingClientTest {

  /** A vendor whose answers the test scripts; counts the calls that reach it. */
  static final class ScriptedClient implements ProviderClient {
    final Deque<ProviderResponse> answers = new ArrayDeque<>();
    final AtomicInteger calls = new AtomicInteger();
    ProviderResponse otherwise = ProviderResponse.accepted("ok", null);

    @Override
    public String name() {
      return "scripted";
    }

    @Override
    public Set<Channel> channels() {
      return EnumSet.of(Channel.SMS);
    }

    @Override
    public CompletableFuture<ProviderResponse> send(OutboundMessage message) {
      calls.incrementAndGet();
      ProviderResponse next = answers.poll();
      return CompletableFuture.completedFuture(next != null ? next : otherwise);
    }
  }

  private static final ProviderResponse TIMEOUT = ProviderResponse.rejected(ErrorCategory.TIMEOUT, null, "timed out");
  private static final ProviderResponse DOWN = ProviderResponse.rejected(ErrorCategory.PROVIDER_ERROR, "503", "HTTP 503");

  private final ScriptedClient vendor = new ScriptedClient();
  private final CircuitBreakingClient client =
      new CircuitBreakingClient(vendor, new CircuitBreakingClient.Settings(50, 3, 10, Duration.ofMillis(200)));

  private static OutboundMessage to(String country) {
    return new OutboundMessage("+4915112345678", country, Channel.SMS, "code 123456", "VE1-1");
  }

  private ProviderResponse send(String country) {
    return client.send(to(country)).join();
  }

  @Test
  void opensAfterTheVendorFailsAndThenRejectsWithoutCallingIt() {
    vendor.otherwise = TIMEOUT;
    send("DE");
    send("DE");
    send("DE");

    ProviderResponse refused = send("DE");

    assertThat(vendor.calls).hasValue(3);
    assertThat(client.state("DE")).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(refused.accepted()).isFalse();
    assertThat(refused.category()).isEqualTo(ErrorCategory.PROVIDER_ERROR);
    assertThat(refused.vendorCode()).isEqualTo(CircuitBreakingClient.CIRCUIT_OPEN);
  }

  @Test
  void oneCountrysOutageLeavesTheOthersAlone() {
    vendor.otherwise = DOWN;
    send("DE");
    send("DE");
    send("DE");
    vendor.otherwise = ProviderResponse.accepted("ok", null);

    assertThat(send("FR").accepted()).isTrue();
    assertThat(client.state("FR")).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(client.state("DE")).isEqualTo(CircuitBreaker.State.OPEN);
  }

  @Test
  void rejectionsAboutTheNumberOrTheAccountDoNotOpenIt() {
    vendor.otherwise = ProviderResponse.rejected(ErrorCategory.INVALID_NUMBER, "21211", "invalid To");
    for (int i = 0; i < 5; i++) {
      send("DE");
    }
    vendor.otherwise = ProviderResponse.rejected(ErrorCategory.THROTTLED, "20429", "slow down");
    for (int i = 0; i < 5; i++) {
      send("DE");
    }

    assertThat(client.state("DE")).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(vendor.calls).hasValue(10);
  }

  @Test
  void closesAgainAfterASuccessfulProbe() {
    vendor.otherwise = DOWN;
    send("DE");
    send("DE");
    send("DE");
    vendor.otherwise = ProviderResponse.accepted("ok", null);

    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> send("DE").accepted());

    assertThat(client.state("DE")).isEqualTo(CircuitBreaker.State.CLOSED);
  }
}
