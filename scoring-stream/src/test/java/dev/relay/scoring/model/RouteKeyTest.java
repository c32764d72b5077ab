package dev.relay.scoring.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.schemas.Channel;
import dev.relay.schemas.topics.ProviderScoreKeys;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RouteKeyTest {

  @Test
  void providerIsLowerCaseCountryUpperCaseAndChannelItsSymbol() {
    RouteKey route = new RouteKey(" Twilio ", "de", Channel.VOICE);

    assertThat(route.value()).isEqualTo("twilio|DE|VOICE");
    assertThat(RouteKey.parse("twilio|DE|VOICE")).isEqualTo(route);
    assertThat(RouteKey.parse("TWILIO|de|voice")).isEqualTo(route);
  }

  @Test
  void itsKeysAreTheContractsKeys() {
    RouteKey route = new RouteKey("Twilio", "de", Channel.SMS);

    assertThat(route.value()).isEqualTo(ProviderScoreKeys.key("twilio", "DE", Channel.SMS));
    assertThat(route.historyKey(Instant.parse("2026-03-02T10:01:00Z"))).isEqualTo("twilio|DE|SMS|2026-03-02T10:01:00Z");
  }

  @Test
  void malformedRoutesAreRefused() {
    assertThatThrownBy(() -> new RouteKey("a|b", "DE", Channel.SMS)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RouteKey("twilio", " ", Channel.SMS)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RouteKey.parse("twilio|DE")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RouteKey.parse("twilio|DE|SMS|x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RouteKey.parse("twilio|DE|fax")).isInstanceOf(IllegalArgumentException.class);
  }
}
