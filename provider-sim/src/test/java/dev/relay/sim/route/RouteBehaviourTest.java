package dev.relay.sim.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RouteBehaviourTest {

  private static RouteBehaviour behaviour(double accept, double deliver, double drop, double loss, Duration jitter) {
    return new RouteBehaviour(accept, List.of(21211, 20429), Duration.ZERO, deliver, List.of(30003), drop, loss,
        Duration.ofMillis(100), jitter, BigDecimal.ONE);
  }

  @Test
  void aHealthyRouteDeliversEverythingWithItsReceipt() {
    Verdict verdict = RouteBehaviour.healthy(Provider.TWILIO, SimChannel.SMS, Duration.ofMillis(200)).roll(new Random(1));

    assertThat(verdict).isEqualTo(Verdict.accepted(Verdict.Fate.DELIVERED, 0, false, Duration.ofMillis(200)));
  }

  @Test
  void certainRatesNeverTouchTheDice() {
    // A generator that fails the test if it is ever asked: rates of 0 and 1 decide alone.
    Random refusing = new Random() {
      @Override
      public double nextDouble() {
        throw new AssertionError("dice rolled");
      }
    };

    assertThat(behaviour(1, 1, 0, 0, Duration.ZERO).roll(refusing).fate()).isEqualTo(Verdict.Fate.DELIVERED);
    assertThat(behaviour(1, 0, 0, 1, Duration.ZERO).roll(refusing))
        .isEqualTo(Verdict.accepted(Verdict.Fate.UNDELIVERED, 30003, true, Duration.ofMillis(100)));
    assertThat(behaviour(1, 1, 1, 0, Duration.ZERO).roll(refusing).fate()).isEqualTo(Verdict.Fate.SILENTLY_DROPPED);
    assertThat(behaviour(0, 1, 0, 0, Duration.ZERO).roll(new Random(3)).accepted()).isFalse();
  }

  @Test
  void ratesInBetweenHoldOverManySends() {
    RouteBehaviour route = behaviour(0.8, 0.5, 0.1, 0.25, Duration.ofMillis(50));
    Random random = new Random(42);
    int sends = 20_000;
    int accepted = 0;
    int dropped = 0;
    int delivered = 0;
    int lost = 0;
    int[] rejectionCodes = new int[2];
    for (int i = 0; i < sends; i++) {
      Verdict verdict = route.roll(random);
      if (!verdict.accepted()) {
        rejectionCodes[verdict.rejectionCode() == 21211 ? 0 : 1]++;
        continue;
      }
      accepted++;
      assertThat(verdict.receiptDelay()).isBetween(Duration.ofMillis(100), Duration.ofMillis(150));
      if (verdict.fate() == Verdict.Fate.SILENTLY_DROPPED) {
        dropped++;
        continue;
      }
      delivered += verdict.fate() == Verdict.Fate.DELIVERED ? 1 : 0;
      lost += verdict.receiptLost() ? 1 : 0;
    }

    assertThat(accepted / (double) sends).isCloseTo(0.8, within(0.02));
    assertThat(dropped / (double) accepted).isCloseTo(0.1, within(0.02));
    assertThat(delivered / (double) (accepted - dropped)).isCloseTo(0.5, within(0.02));
    assertThat(lost / (double) (accepted - dropped)).isCloseTo(0.25, within(0.02));
    // Both configured codes are answered, about evenly.
    assertThat(rejectionCodes[0] / (double) (sends - accepted)).isCloseTo(0.5, within(0.05));
  }
}
