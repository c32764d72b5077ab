package dev.relay.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The secured mode on three nodes: the brokers form a cluster over SASL, a SCRAM user created at
 * format time logs in but may do nothing until an ACL allows it, a wrong password is refused.
 */
@Tag("integration")
class SecuredClusterTest {

    private static final String TOPIC = "secured-test";

    @Test
    void aScramUserMayWriteOnlyWhatAnAclAllows() throws Exception {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().brokers(3)
                .saslScram("admin", "admin-pw").scramUser("alice", "alice-pw").build()) {
            kafka.start();
            try (Admin admin = Admin.create(settings(kafka, kafka.superUserClientProperties()))) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3))).all().get(30, TimeUnit.SECONDS);

                Map<String, Object> alice = settings(kafka, EmbeddedKafkaCluster.scramClientProperties("alice", "alice-pw"));
                assertThatThrownBy(() -> send(alice)).hasCauseInstanceOf(TopicAuthorizationException.class);

                admin.createAcls(List.of(new AclBinding(new ResourcePattern(ResourceType.TOPIC, TOPIC, PatternType.LITERAL),
                        new AccessControlEntry("User:alice", "*", AclOperation.WRITE, AclPermissionType.ALLOW))))
                        .all().get(30, TimeUnit.SECONDS);
                // ACLs reach every broker's authorizer through the metadata log, a moment after the controller commits.
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).ignoreExceptions()
                        .untilAsserted(() -> send(alice));

                Map<String, Object> impostor = settings(kafka, EmbeddedKafkaCluster.scramClientProperties("alice", "wrong"));
                assertThatThrownBy(() -> send(impostor)).hasCauseInstanceOf(SaslAuthenticationException.class);
            }
        }
    }

    private static Map<String, Object> settings(EmbeddedKafkaCluster kafka, Map<String, String> security) {
        Map<String, Object> settings = new HashMap<>(security);
        settings.put("bootstrap.servers", kafka.bootstrapServers());
        settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        settings.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        settings.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        return settings;
    }

    private static void send(Map<String, Object> settings) throws ExecutionException, InterruptedException {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(settings, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(TOPIC, "k", "v")).get();
        } catch (org.apache.kafka.common.KafkaException e) {
            // partitionsFor fails before send returns a future; report it the way a failed send does.
            throw new ExecutionException(e);
        }
    }
}
