package dev.relay.dispatcher.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.schemas.Channel;
import dev.relay.support.config.ConfigException;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoutePinsTest {

  @Test
  void aCountrysOwnEntryReplacesTheDefaultOfItsChannel() {
    RoutePins pins = RoutePins.parse("de/SMS:Vonage; */voice:twilio", "*/sms:sinch;FR/sms:twilio,vonage");

    assertThat(pins.of("DE", Channel.SMS)).isEqualTo(new RoutePins.Pins(Optional.of("vonage"), Set.of("sinch")));
    assertThat(pins.of("fr", Channel.SMS)).isEqualTo(new RoutePins.Pins(Optional.empty(), Set.of("twilio", "vonage")));
    assertThat(pins.of("DE", Channel.VOICE)).isEqualTo(new RoutePins.Pins(Optional.of("twilio"), Set.of()));
    assertThat(RoutePins.parse("", "").of("DE", Channel.SMS)).isEqualTo(RoutePins.Pins.NONE);
  }

  @Test
  void badEntriesNameTheKey() {
    assertThatThrownBy(() -> RoutePins.parse("DE:vonage", ""))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.routing.pins").hasMessageContaining("DE/sms");
    assertThatThrownBy(() -> RoutePins.parse("DE/sms:vonage,twilio", ""))
        .isInstanceOf(ConfigException.class).hasMessageContaining("only one route can be first");
    assertThatThrownBy(() -> RoutePins.parse("", "DE/fax:twilio"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.routing.forbidden");
    assertThatThrownBy(() -> RoutePins.parse("", "DE/sms:tw ilio"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("not a provider name");
    assertThatThrownBy(() -> RoutePins.parse("DE/sms:twilio", "DE/sms:twilio"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("forbids it");
    assertThatThrownBy(() -> RoutePins.parse("DE/sms:twilio;de/sms:vonage", ""))
        .isInstanceOf(ConfigException.class).hasMessageContaining("two entries");
  }
}
