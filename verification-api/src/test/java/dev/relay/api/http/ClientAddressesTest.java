package dev.relay.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.support.config.ConfigException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Whose address a request is counted against, with and without trusted proxies. */
class ClientAddressesTest {

  private final ClientAddresses proxies = ClientAddresses.parse("relay.api.trusted-proxies", List.of("10.0.0.0/8", "fd00::/8"));

  @Test
  void withoutTrustedProxiesThePeerIsTheClientWhateverTheHeaderSays() {
    ClientAddresses direct = ClientAddresses.direct();

    assertThat(direct.resolve("203.0.113.7", null)).isEqualTo("203.0.113.7");
    assertThat(direct.resolve("203.0.113.7", "198.51.100.1")).isEqualTo("203.0.113.7");
  }

  @Test
  void anUntrustedPeerCannotChooseItsAddressByHeader() {
    assertThat(proxies.resolve("203.0.113.7", "198.51.100.1")).isEqualTo("203.0.113.7");
  }

  @Test
  void fromATrustedProxyTheRightMostUntrustedHopIsTheClient() {
    assertThat(proxies.resolve("10.1.2.3", "198.51.100.1")).isEqualTo("198.51.100.1");
    // The left-most entry is whatever the client wrote; only hops our proxies appended count.
    assertThat(proxies.resolve("10.1.2.3", "1.1.1.1, 198.51.100.1, 10.9.9.9")).isEqualTo("198.51.100.1");
    assertThat(proxies.resolve("fd00::1", "2001:db8::1")).isEqualTo("2001:db8:0:0:0:0:0:1");
  }

  @Test
  void aGarbledHeaderFallsBackToTheLastAddressAProxyVouchedFor() {
    assertThat(proxies.resolve("10.1.2.3", "not-an-ip")).isEqualTo("10.1.2.3");
    assertThat(proxies.resolve("10.1.2.3", "evil.example.com, 10.0.0.9")).isEqualTo("10.0.0.9");
    assertThat(proxies.resolve("10.1.2.3", "")).isEqualTo("10.1.2.3");
  }

  @Test
  void badSettingsNameTheKey() {
    for (String bad : List.of("10.0.0.0/33", "proxy.local", "10.0.0.0/x", "fd00::/129")) {
      assertThatThrownBy(() -> ClientAddresses.parse("relay.api.trusted-proxies", List.of(bad)))
          .as(bad).isInstanceOf(ConfigException.class).hasMessageContaining("relay.api.trusted-proxies");
    }
  }
}
