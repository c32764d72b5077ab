package dev.relay.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsFlagTest {

  @Test
  void pairsSeparatedByCommasBecomeTheSettings() {
    Map<String, String> flags = CommandLineFlags.parse(new String[] {
        "--api-settings=relay.api.overload.start-wait-share=0.7, relay.api.overload.wait-share=0.9",
        "--scoring-settings="});
    assertThat(CommandLineFlags.settings(flags, "api-settings"))
        .containsExactly(Map.entry("relay.api.overload.start-wait-share", "0.7"),
            Map.entry("relay.api.overload.wait-share", "0.9"));
    assertThat(CommandLineFlags.settings(flags, "scoring-settings")).isEmpty();
    assertThat(CommandLineFlags.settings(flags, "dispatcher-settings")).isEmpty();
  }

  @Test
  void aPairWithoutAKeyIsRefusedNamingTheFlag() {
    assertThatThrownBy(() -> CommandLineFlags.settings(Map.of("scoring-settings", "=0.7"), "scoring-settings"))
        .hasMessageContaining("--scoring-settings takes key=value");
    assertThatThrownBy(() -> CommandLineFlags.settings(
        Map.of("api-settings", "relay.api.overload.start-wait-share"), "api-settings"))
        .hasMessageContaining("--api-settings takes key=value");
  }

  @Test
  void theWarmUpRunsAtTheFirstRateOr50WhicheverIsLowerUnlessGiven() {
    assertThat(Bench.warmupRate(Map.of(), List.of(300, 500))).isEqualTo(50);
    assertThat(Bench.warmupRate(Map.of(), List.of(20, 500))).isEqualTo(20);
    assertThat(Bench.warmupRate(Map.of("warmup-rate", "300"), List.of(300, 500))).isEqualTo(300);
    assertThatThrownBy(() -> Bench.warmupRate(Map.of("warmup-rate", "0"), List.of(300)))
        .hasMessageContaining("--warmup-rate must be positive");
  }
}
