package dev.relay.sim.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TwimlTest {

  @Test
  void hearsEverySayInOrder() {
    assertThat(Twiml.spokenText("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Say language=\"en-US\">"
        + "Your code is</Say><Pause length=\"1\"/><Say> 1, 2, 3, 4 </Say><Hangup/></Response>"))
        .isEqualTo("Your code is 1, 2, 3, 4");
    assertThat(Twiml.spokenText("<Response><Play>https://x/y.mp3</Play></Response>")).isEmpty();
  }

  @Test
  void refusesWhatIsNotTwiml() {
    assertThatThrownBy(() -> Twiml.spokenText("<Response><Say>unclosed")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Twiml.spokenText("<Other/>")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesDoctypesSoNoEntityIsEverExpanded() {
    String xxe = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
        + "<Response><Say>&x;</Say></Response>";

    assertThatThrownBy(() -> Twiml.spokenText(xxe)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DOCTYPE");
  }

  @Test
  void countsSegmentsAsCarriersSplitThem() {
    assertThat(TwilioMessage.segments("x".repeat(160))).isEqualTo(1);
    assertThat(TwilioMessage.segments("x".repeat(161))).isEqualTo(2);
    assertThat(TwilioMessage.segments("ü".repeat(70))).isEqualTo(1);
    assertThat(TwilioMessage.segments("ü".repeat(71))).isEqualTo(2);
  }
}
