package dev.relay.support.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.support.config.CommonKeys;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.ConfigSchema;
import dev.relay.support.config.RelayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaAccessTest {

  private static final ConfigSchema SCHEMA = ConfigSchema.of(
      List.of(CommonKeys.BOOTSTRAP_SERVERS, CommonKeys.KAFKA_CLIENT_PROPERTIES_FILE)).withPrefix(KafkaAccess.CLIENT_KEYS);
  private static final String JAAS =
      "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"api\" password=\"s3cr3t-pw\";";

  @TempDir Path dir;

  @Test
  void scramOverSaslIsReadFromTheEnvironmentAndReachesEveryKindOfClient() {
    Map<String, String> env = Map.of(
        "RELAY_KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9093,kafka-2:9093",
        "RELAY_KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL",
        "RELAY_KAFKA_CLIENT_SASL_MECHANISM", "SCRAM-SHA-512",
        "RELAY_KAFKA_CLIENT_SASL_JAAS_CONFIG", JAAS);

    KafkaAccess kafka = KafkaAccess.from(RelayConfig.load(SCHEMA, env, new String[0]));

    Map<String, String> expected = Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
        "sasl.jaas.config", JAAS);
    assertThat(kafka.clientProperties()).isEqualTo(expected);
    assertThat(KafkaSettings.durableProducer(kafka, "p")).containsAllEntriesOf(expected)
        .containsEntry("bootstrap.servers", "kafka-1:9093,kafka-2:9093").containsEntry("acks", "all");
    assertThat(KafkaSettings.committedConsumer(kafka, "g", "c")).containsAllEntriesOf(expected);
    assertThat(KafkaSettings.admin(kafka, "a", Duration.ofSeconds(5))).containsAllEntriesOf(expected);
    assertThat(KafkaSettings.transactionalProducer(kafka, "t", "tx", Duration.ofSeconds(10))).containsAllEntriesOf(expected);
    Properties streams = KafkaSettings.streams(kafka, "app", dir, Duration.ofMillis(100), (short) 3);
    expected.forEach((name, value) -> assertThat(streams.get(name)).isEqualTo(value));
    assertThat(streams.get("bootstrap.servers")).isEqualTo("kafka-1:9093,kafka-2:9093");
  }

  @Test
  void mutualTlsFromAPropertiesFileWithKeysOverridingIt() throws Exception {
    Path file = dir.resolve("client.properties");
    Files.writeString(file, """
        security.protocol=SSL
        ssl.truststore.location=/etc/relay/truststore.p12
        ssl.truststore.password=trust-pw
        ssl.keystore.location=/etc/relay/old.p12
        ssl.keystore.password=key-pw
        ssl.key.password=key-pw
        """);

    KafkaAccess kafka = KafkaAccess.from(RelayConfig.load(SCHEMA, Map.of(), new String[] {
        "--relay.kafka.client-properties-file=" + file,
        "--relay.kafka.client.ssl.keystore.location=/etc/relay/dispatcher.p12"}));

    assertThat(kafka.clientProperties())
        .containsEntry("security.protocol", "SSL")
        .containsEntry("ssl.truststore.location", "/etc/relay/truststore.p12")
        .containsEntry("ssl.keystore.location", "/etc/relay/dispatcher.p12")
        .containsEntry("ssl.keystore.password", "key-pw");
  }

  @Test
  void theClientPropertiesFileVariableIsAKeyOfItsOwnNotAClientProperty() throws Exception {
    Path file = dir.resolve("client.properties");
    Files.writeString(file, "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n");

    KafkaAccess kafka = KafkaAccess.from(RelayConfig.load(SCHEMA,
        Map.of("RELAY_KAFKA_CLIENT_PROPERTIES_FILE", file.toString()), new String[0]));

    assertThat(kafka.clientProperties()).containsEntry("sasl.mechanism", "PLAIN").doesNotContainKey("properties.file");
  }

  @Test
  void anEmptyValueLeavesThePropertyOutAsATemplateWithUnsetVariablesWrites() {
    KafkaAccess kafka = KafkaAccess.from(RelayConfig.load(SCHEMA, Map.of(
        "RELAY_KAFKA_CLIENT_SECURITY_PROTOCOL", "PLAINTEXT", "RELAY_KAFKA_CLIENT_SASL_MECHANISM", "",
        "RELAY_KAFKA_CLIENT_SASL_JAAS_CONFIG", " "), new String[0]));

    assertThat(kafka.clientProperties()).isEqualTo(Map.of("security.protocol", "PLAINTEXT"));
  }

  @Test
  void aMisspeltClientKeyIsRefusedByName() {
    assertThatThrownBy(() -> RelayConfig.load(SCHEMA, Map.of("RELAY_KAFKA_CLIENT_SASL_JASS_CONFIG", JAAS), new String[0]))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("relay.kafka.client.sasl.jass.config")
        .hasMessageContaining("not a Kafka client property")
        .hasMessageNotContaining("s3cr3t-pw");
  }

  @Test
  void settingsRelayOwnsCannotBeOverridden() {
    assertThatThrownBy(() -> RelayConfig.load(SCHEMA, Map.of(), new String[] {"--relay.kafka.client.acks=1"}))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("relay.kafka.client.acks").hasMessageContaining("Relay sets acks itself");
    assertThatThrownBy(() -> RelayConfig.of(SCHEMA, Map.of("relay.kafka.client.bootstrap.servers", "x:1")))
        .isInstanceOf(ConfigException.class).hasMessageContaining(CommonKeys.BOOTSTRAP_SERVERS.name());
  }

  @Test
  void aBadKeyInTheFileIsNamedWithTheFileButNotItsValue() throws Exception {
    Path file = dir.resolve("client.properties");
    Files.writeString(file, "ssl.keystore.pasword=key-pw-123\n");
    RelayConfig config = RelayConfig.of(SCHEMA, Map.of(CommonKeys.KAFKA_CLIENT_PROPERTIES_FILE.name(), file.toString()));

    assertThatThrownBy(() -> KafkaAccess.from(config))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ssl.keystore.pasword").hasMessageContaining(file.toString())
        .hasMessageNotContaining("key-pw-123");
  }

  @Test
  void secretsAreMaskedInTheConfigDumpAndInTheAccessItself() {
    RelayConfig config = RelayConfig.of(SCHEMA, Map.of(
        "relay.kafka.client.security.protocol", "SASL_SSL",
        "relay.kafka.client.sasl.jaas.config", JAAS,
        "relay.kafka.client.ssl.truststore.password", "trust-pw-1",
        "relay.kafka.client.ssl.keystore.key", "-----BEGIN PRIVATE KEY-----abc"));
    KafkaAccess kafka = KafkaAccess.from(config);

    String dump = config.printable().toString() + kafka + kafka.printable();

    assertThat(dump).doesNotContain("s3cr3t-pw", "trust-pw-1", "BEGIN PRIVATE KEY").contains("SASL_SSL");
    assertThat(config.printable()).containsEntry("relay.kafka.client.sasl.jaas.config", RelayConfig.MASK)
        .containsEntry("relay.kafka.client.security.protocol", "SASL_SSL");
    assertThat(kafka.printable()).containsEntry("ssl.truststore.password", RelayConfig.MASK);
  }

  @Test
  void aSchemaWithoutThePrefixStillRefusesClientKeys() {
    ConfigSchema plain = ConfigSchema.of(List.of(CommonKeys.BOOTSTRAP_SERVERS));
    assertThatThrownBy(() -> RelayConfig.of(plain, Map.of("relay.kafka.client.security.protocol", "SSL")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("unknown setting");
  }
}
