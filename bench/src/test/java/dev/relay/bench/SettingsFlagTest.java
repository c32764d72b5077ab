package dev.relay.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiSettingsFlagTest {

  @Test
  void pairsSeparatedByCommasBecomeTheApisSettings() {
    assertThat(Bench.settings("relay.api.overload.start-wait-share=0.7, relay.api.overload.wait-share=0.9"))
        .containsExactly(Map.entry("relay.api.overload.start-wait-share", "0.7"),
            Map.entry("relay.api.overload.wait-share", "0.9"));
    assertThat(Bench.settings("")).isEmpty();
  }

  @Test
  void aPairWithoutAKeyIsRefusedSayingWhatTheFlagTakes() {
    assertThatThrownBy(() -> Bench.settings("=0.7")).hasMessageContaining("key=value");
    assertThatThrownBy(() -> Bench.settings("relay.api.overload.start-wait-share")).hasMessageContaining("key=value");
  }
}
