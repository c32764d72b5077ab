package dev.relay.dispatcher.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.schemas.Channel;
import dev.relay.schemas.ProviderScore;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.ConfigSchema;
import dev.relay.support.config.RelayConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OverdueReceiptsTest {

  @Test
  void theDefaultsAreTwiceTheP95AtLeastFiveSecondsOnTwentyDeliveries() {
    assertThat(OverdueReceipts.defaults()).isEqualTo(new OverdueReceipts(2, Duration.ofSeconds(5), 20));
    assertThat(OverdueReceipts.fromConfig(config(Map.of())))
        .isEqualTo(OverdueReceipts.defaults());
  }

  @Test
  void aBoundNeedsEnoughDeliveriesAndTheirTimes() {
    OverdueReceipts rule = OverdueReceipts.defaults();
    assertThat(rule.after(score(20, 3_000L))).contains(Duration.ofSeconds(6));
    assertThat(rule.after(score(19, 3_000L))).isEmpty();
    assertThat(rule.after(score(500, null))).isEmpty();
    assertThat(rule.after(null)).isEmpty();
    assertThat(rule.after(score(500, 1_200L))).as("the floor").contains(Duration.ofSeconds(5));
    assertThat(new OverdueReceipts(0, Duration.ofSeconds(5), 20).after(score(500, 3_000L))).as("off").isEmpty();
  }

  @Test
  void aBadFactorOrFloorIsRefusedNamingTheKey() {
    for (String factor : new String[] {"-1", "two", "NaN", "Infinity"}) {
      assertThatThrownBy(() -> OverdueReceipts.fromConfig(config(Map.of(DispatcherConfig.OVERDUE_RECEIPT_FACTOR.name(), factor))))
          .isInstanceOf(ConfigException.class).hasMessageContaining("relay.verification.overdue-receipt-factor");
    }
    assertThatThrownBy(() -> OverdueReceipts.fromConfig(config(Map.of(DispatcherConfig.OVERDUE_RECEIPT_FLOOR.name(), "soon"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.verification.overdue-receipt-floor");
  }

  /** The dispatcher's own keys only: the secrets the full schema requires play no part here. */
  private static RelayConfig config(Map<String, String> values) {
    return RelayConfig.of(ConfigSchema.of(DispatcherConfig.KEYS), values);
  }

  private static ProviderScore score(long delivered, Long p95Millis) {
    return ProviderScore.newBuilder()
        .setProvider("twilio").setCountry("DE").setChannel(Channel.SMS)
        .setTried(delivered).setAccepted(delivered).setDelivered(delivered)
        .setTimeToDeliveryP95Millis(p95Millis)
        .setScore(0.9)
        .setUpdatedAt(Instant.parse("2026-01-05T10:00:00Z"))
        .build();
  }
}
