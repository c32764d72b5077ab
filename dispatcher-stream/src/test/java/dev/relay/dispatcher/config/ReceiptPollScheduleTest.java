package dev.relay.dispatcher.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.support.config.ConfigException;
import dev.relay.support.config.ConfigSchema;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.polling.ReceiptPollKeys;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReceiptPollScheduleTest {

  private static final ConfigSchema SCHEMA = ConfigSchema.combine(ReceiptPollKeys.ALL);

  private static ReceiptPollSchedule from(Map<String, String> values) {
    return ReceiptPollSchedule.from(RelayConfig.of(SCHEMA, values));
  }

  @Test
  void offByDefaultWithTheDocumentedSchedule() {
    ReceiptPollSchedule schedule = from(Map.of());

    assertThat(schedule).isEqualTo(new ReceiptPollSchedule(false, Duration.ofSeconds(60), Duration.ofSeconds(60), 3,
        Set.of("twilio", "plivo")));
    assertThat(schedule.polls("twilio")).as("off").isFalse();
  }

  @Test
  void switchedOnItPollsTheListedVendorsOnly() {
    ReceiptPollSchedule schedule = from(Map.of(ReceiptPollKeys.ENABLED.name(), "true",
        ReceiptPollKeys.PROVIDERS.name(), " Twilio , plivo"));

    assertThat(schedule.polls("twilio")).isTrue();
    assertThat(schedule.polls("plivo")).isTrue();
    assertThat(schedule.polls("vonage")).isFalse();
    assertThat(schedule.polls(null)).isFalse();
  }

  @Test
  void aValueOutOfRangeNamesItsKey() {
    for (Map.Entry<String, String> bad : List.of(Map.entry(ReceiptPollKeys.MAX_POLLS.name(), "0"),
        Map.entry(ReceiptPollKeys.MAX_POLLS.name(), "101"), Map.entry(ReceiptPollKeys.AFTER.name(), "0s"),
        Map.entry(ReceiptPollKeys.INTERVAL.name(), "0s"), Map.entry(ReceiptPollKeys.PROVIDERS.name(), "twilio,acme"))) {
      assertThatThrownBy(() -> from(Map.of(bad.getKey(), bad.getValue()))).as(bad.toString())
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining(bad.getKey());
    }
  }

  @Test
  void theOldScanIntervalStillLoads() {
    assertThat(from(Map.of(ReceiptPollKeys.SCAN_INTERVAL.name(), "100ms")).enabled()).isFalse();
  }
}
