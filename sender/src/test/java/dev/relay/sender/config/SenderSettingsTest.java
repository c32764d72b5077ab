package dev.relay.sender.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.support.config.CommonKeys;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.secrets.Keyring;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SenderSettingsTest {

  private static SenderSettings with(String key, String value) {
    Map<String, String> values = new HashMap<>();
    values.put(CommonKeys.CODE_ENCRYPTION_KEYS.name(), Keyring.generateSetting("e1"));
    values.put(key, value);
    return SenderSettings.from(RelayConfig.of(SenderConfig.SCHEMA, values));
  }

  @Test
  void theDefaultsAreTheDocumentedOnes() {
    SenderSettings settings = SenderSettings.from(RelayConfig.of(SenderConfig.SCHEMA,
        Map.of(CommonKeys.CODE_ENCRYPTION_KEYS.name(), Keyring.generateSetting("e1"))));

    assertThat(settings.groupId()).isEqualTo("relay-sender");
    assertThat(settings.transactionalId()).startsWith("relay-sender-").hasSizeGreaterThan("relay-sender-".length());
    assertThat(settings.maxBatch()).isEqualTo(100);
    assertThat(settings.maxInFlight()).isEqualTo(1000);
    assertThat(settings.tryTimeout()).isEqualTo(Duration.ofSeconds(15));
  }

  @Test
  void theKeysAreTheOnesTheDispatcherUsedToReadSoExistingDeploymentsKeepThem() {
    assertThat(SenderConfig.GROUP_ID.name()).isEqualTo("relay.sender.group-id");
    assertThat(SenderConfig.TRANSACTIONAL_ID.name()).isEqualTo("relay.sender.transactional-id");
    assertThat(SenderConfig.MAX_BATCH.name()).isEqualTo("relay.sender.max-batch");
    assertThat(SenderConfig.TRY_TIMEOUT.name()).isEqualTo("relay.sender.try-timeout");
  }

  @Test
  void theSchemaHoldsTheVendorsAndTheCodeEncryptionKeysButNoOtherSecret() {
    assertThat(SenderConfig.SCHEMA.keys()).containsAll(dev.relay.providers.ProviderKeys.ALL);
    assertThat(SenderConfig.SCHEMA.find(CommonKeys.CODE_ENCRYPTION_KEYS.name())).isPresent();
    assertThat(SenderConfig.SCHEMA.find(CommonKeys.CODE_HMAC_KEYS.name())).isEmpty();
    assertThat(SenderConfig.SCHEMA.find(CommonKeys.GUESS_ENCRYPTION_KEYS.name())).isEmpty();
    assertThat(SenderConfig.SCHEMA.find(CommonKeys.ID_KEYS.name())).isEmpty();
    assertThat(SenderConfig.SCHEMA.find("relay.http.port").orElseThrow().defaultValue()).isEqualTo("8084");
  }

  @Test
  void anExplicitTransactionalIdIsKept() {
    assertThat(with("relay.sender.transactional-id", "sender-a").transactionalId()).isEqualTo("sender-a");
  }

  @Test
  void outOfRangeValuesAreRefusedNamingTheKey() {
    assertThatThrownBy(() -> with("relay.sender.max-batch", "0"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.sender.max-batch");
    assertThatThrownBy(() -> with("relay.sender.max-batch", "10001"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.sender.max-batch");
    assertThatThrownBy(() -> with("relay.sender.max-in-flight", "0"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.sender.max-in-flight");
    assertThatThrownBy(() -> with("relay.sender.try-timeout", "0s"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.sender.try-timeout");
    assertThatThrownBy(() -> with("relay.sender.group-id", " "))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.sender.group-id");
  }

  @Test
  void theDispatchersKeysAreNotTheSenders() {
    assertThatThrownBy(() -> with("relay.streams.application-id", "relay-dispatcher"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.streams.application-id");
  }
}
