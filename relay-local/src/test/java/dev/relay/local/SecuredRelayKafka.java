package dev.relay.local;

import static org.awaitility.Awaitility.await;

import dev.relay.kafka.embedded.EmbeddedKafkaCluster;
import dev.relay.local.acl.ProvisionAclsMain;
import dev.relay.local.acl.RelayAcls;
import dev.relay.schemas.topics.Topics;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.kafka.KafkaAccess;
import dev.relay.support.kafka.TopicProvisioner;
import dev.relay.support.kafka.acl.AclCheck;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A three-node cluster secured as docs/deploy.md describes, prepared as a deployment would be: SASL
 * with one SCRAM user per Relay principal (plus {@code partial} and {@code nobody} for refusals), the
 * ACLs granted by {@link ProvisionAclsMain} as the admin, the topics created by the provisioner's
 * principal with three replicas, and every grant visible on every broker before it returns.
 */
final class SecuredRelayKafka implements AutoCloseable {

  static final Topics TOPICS = Topics.defaults();
  private static final String ADMIN = "relay-admin";

  private final EmbeddedKafkaCluster cluster;
  /** Relay principal (a RelayAcls service name, or partial / nobody) to its SCRAM user. */
  private final Map<String, String> users = new LinkedHashMap<>();

  private SecuredRelayKafka() {
    for (String service : List.of(RelayAcls.TOPICS, RelayAcls.API, RelayAcls.DISPATCHER, RelayAcls.SENDER, RelayAcls.DLR_INGEST,
        RelayAcls.SCORING, RelayAcls.ANALYTICS, "partial", "nobody")) {
      users.put(service, "relay-" + service);
    }
    EmbeddedKafkaCluster.Builder builder = EmbeddedKafkaCluster.builder().brokers(3).saslScram(ADMIN, "admin-pw");
    users.values().forEach(user -> builder.scramUser(user, password(user)));
    cluster = builder.build();
  }

  static SecuredRelayKafka start() {
    SecuredRelayKafka kafka = new SecuredRelayKafka();
    try {
      kafka.prepare();
    } catch (RuntimeException | Error e) {
      kafka.close();
      throw e;
    }
    return kafka;
  }

  private void prepare() {
    cluster.start();
    Map<String, String> acls = new HashMap<>(clientKeys(cluster.superUserClientProperties()));
    acls.put("relay.kafka.bootstrap-servers", cluster.bootstrapServers());
    users.forEach((service, user) -> {
      if (ProvisionAclsMain.principalKey(service) != null) {
        acls.put(ProvisionAclsMain.principalKey(service).name(), "User:" + user);
      }
    });
    RelayConfig aclConfig = RelayConfig.of(ProvisionAclsMain.SCHEMA, acls);
    List<String> granted = ProvisionAclsMain.run(aclConfig);
    System.out.printf("ACLs granted: %d%n  %s%n", granted.size(), String.join("\n  ", granted));
    Topics replicated = Topics.fromConfig(name -> name.equals(Topics.REPLICATION_FACTOR) ? Optional.of("3") : Optional.empty());
    // ACLs reach each broker's authorizer through the metadata log, a moment after the controller commits them.
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
        TopicProvisioner.ensure(access(RelayAcls.TOPICS), replicated.all(), Duration.ofSeconds(20)));
    RelayAcls.all(TOPICS, aclConfig).forEach((service, grants) -> await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .untilAsserted(() -> AclCheck.verify(access(service), grants, Duration.ofSeconds(10))));
  }

  EmbeddedKafkaCluster cluster() {
    return cluster;
  }

  String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  String user(String service) {
    return users.get(service);
  }

  /** The SCRAM login of a principal as a client's sasl.jaas.config. */
  String jaas(String service) {
    return clientProperties(service).get("sasl.jaas.config");
  }

  Map<String, String> clientProperties(String service) {
    return EmbeddedKafkaCluster.scramClientProperties(users.get(service), password(users.get(service)));
  }

  KafkaAccess access(String service) {
    return KafkaAccess.of(cluster.bootstrapServers(), clientProperties(service));
  }

  KafkaAccess superUser() {
    return KafkaAccess.of(cluster.bootstrapServers(), cluster.superUserClientProperties());
  }

  /** What a service's config gets to run as {@code service}'s principal on this cluster. */
  Map<String, String> serviceSettings(String service) {
    Map<String, String> settings = new HashMap<>(clientKeys(clientProperties(service)));
    settings.put("relay.kafka.bootstrap-servers", cluster.bootstrapServers());
    settings.put(Topics.REPLICATION_FACTOR, "3");
    return settings;
  }

  /** Client properties as the relay.kafka.client.* keys a deployment sets. */
  private static Map<String, String> clientKeys(Map<String, String> properties) {
    Map<String, String> keys = new HashMap<>();
    properties.forEach((name, value) -> keys.put(KafkaAccess.CLIENT_PREFIX + name, value));
    return keys;
  }

  /** Each test password is the user's name reversed: known to the test only, unlike any real one. */
  static String password(String user) {
    return new StringBuilder(user).reverse() + "-pw";
  }

  @Override
  public void close() {
    cluster.close();
  }
}
