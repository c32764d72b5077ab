package dev.relay.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import kafka.server.KafkaConfig;
import org.junit.jupiter.api.Test;

class BrokerConfigTest {

    @Test
    void everyKeyWeSetIsOneKafkaKnows() {
        // Kafka only logs an unknown key, so a misspelt default would silently not apply.
        Set<String> known = KafkaConfig.configDef().names();
        Map<String, String> config = BrokerConfig.forNode(
                0, 3, Path.of("node-0"), 9092, 9093, BrokerConfig.quorumVoters(List.of(9093, 9095, 9097)), Map.of());

        Set<String> keys = config.keySet().stream()
                .map(key -> key.replaceFirst("^listener\\.name\\.[a-z_]+\\.", ""))
                .collect(Collectors.toSet());

        assertThat(known).containsAll(keys);
        assertThat(known).containsAll(BrokerConfig.RESERVED_KEYS);
    }

    @Test
    void theControllersListenerHasOneNetworkThreadAndTheClientsKafkasDefault() {
        Map<String, String> config = BrokerConfig.forNode(
                0, 1, Path.of("node-0"), 9092, 9093, BrokerConfig.quorumVoters(List.of(9093)), Map.of());

        assertThat(config).containsEntry("listener.name.controller.num.network.threads", "1")
                .doesNotContainKey("num.network.threads")
                .doesNotContainKey("listener.name.plaintext.num.network.threads");
    }

    @Test
    void internalTopicsNeverAskForMoreReplicasThanThereAreBrokers() {
        assertThat(BrokerConfig.defaults(1)).contains(
                Map.entry("offsets.topic.replication.factor", "1"),
                Map.entry("transaction.state.log.replication.factor", "1"),
                Map.entry("transaction.state.log.min.isr", "1"),
                Map.entry("share.coordinator.state.topic.replication.factor", "1"),
                Map.entry("share.coordinator.state.topic.min.isr", "1"),
                Map.entry("default.replication.factor", "1"));
        assertThat(BrokerConfig.defaults(5)).contains(
                Map.entry("offsets.topic.replication.factor", "3"),
                Map.entry("transaction.state.log.replication.factor", "3"),
                Map.entry("transaction.state.log.min.isr", "2"),
                Map.entry("min.insync.replicas", "1"));
    }

    @Test
    void overridesReplaceDefaultsButNotTheNodeIdentity() {
        Map<String, String> config = BrokerConfig.forNode(2, 3, Path.of("node-2"), 9094, 9097,
                "0@127.0.0.1:9093,1@127.0.0.1:9095,2@127.0.0.1:9097", Map.of("min.insync.replicas", "2"));

        assertThat(config).contains(
                Map.entry("min.insync.replicas", "2"),
                Map.entry("node.id", "2"),
                Map.entry("process.roles", "broker,controller"),
                Map.entry("listeners", "PLAINTEXT://127.0.0.1:9094,CONTROLLER://127.0.0.1:9097"),
                Map.entry("advertised.listeners", "PLAINTEXT://127.0.0.1:9094"));
    }

    @Test
    void quorumListsEveryNodeAsAVoter() {
        assertThat(BrokerConfig.quorumVoters(List.of(7001, 7002, 7003)))
                .isEqualTo("0@127.0.0.1:7001,1@127.0.0.1:7002,2@127.0.0.1:7003");
    }

    @Test
    void builderRejectsSettingsTheClusterOwns() {
        assertThatThrownBy(() -> EmbeddedKafkaCluster.builder().brokerProperty("listeners", "PLAINTEXT://:9092"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'listeners'");
        assertThatThrownBy(() -> EmbeddedKafkaCluster.builder().brokers(0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fixedPortGivesConsecutiveClientPorts() {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().brokers(3).port(39092).build()) {
            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:39092,127.0.0.1:39093,127.0.0.1:39094");
        }
    }
}
