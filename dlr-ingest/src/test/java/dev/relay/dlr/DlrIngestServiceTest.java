package dev.relay.dlr;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.dlr.config.DlrConfig;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.RelayConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What dlr-ingest refuses to start with, before it touches Kafka or opens a port. */
class DlrIngestServiceTest {

  private static Map<String, String> withPublicUrl(String url, boolean allowPlainHttp) {
    Map<String, String> settings = VendorCallbacks.providerSettings();
    settings.put("relay.dlr.public-url", url);
    if (allowPlainHttp) {
      settings.put("relay.dlr.allow-plain-http", "true");
    }
    return settings;
  }

  @Test
  void aPlainHttpPublicUrlIsRefusedAtStartUpNamingTheKey() {
    assertThatThrownBy(() -> new DlrIngestService(RelayConfig.of(DlrConfig.SCHEMA, withPublicUrl("http://relay.example.com", false))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("relay.dlr.public-url")
        .hasMessageContaining("https")
        .hasMessageContaining("relay.dlr.allow-plain-http");
  }

  @Test
  void httpsIsTakenAndPlainHttpOnlyWithTheDevelopmentSwitch() {
    assertThatCode(() -> new DlrIngestService(RelayConfig.of(DlrConfig.SCHEMA, withPublicUrl("https://relay.example.com", false)))
        .close()).doesNotThrowAnyException();
    assertThatCode(() -> new DlrIngestService(RelayConfig.of(DlrConfig.SCHEMA, withPublicUrl("http://localhost:8082", true)))
        .close()).doesNotThrowAnyException();
  }
}
