package dev.relay.local.acl;

import dev.relay.schemas.topics.Topics;
import dev.relay.support.config.CommonKeys;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.ConfigKey;
import dev.relay.support.config.ConfigSchema;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.kafka.KafkaAccess;
import dev.relay.support.kafka.acl.AclProvisioner;
import dev.relay.support.kafka.acl.ServiceAcls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Grants each Relay service's principal exactly the ACLs the service declares ({@link RelayAcls}),
 * and exits: the step a secured deployment runs once, and again after an upgrade, as an admin
 * principal (one with ALTER on the cluster). {@code relay.acls.<service>.principal} names the
 * principal of each service ({@code User:relay-api}); a service left empty gets nothing.
 * Exits 0 when every ACL exists, 2 on a configuration error, 1 when the broker refused.
 */
public final class ProvisionAclsMain {

  public static final ConfigKey TIMEOUT = ConfigKey.optional(
      "relay.acls.timeout", "60s", "how long to wait for the broker before giving up");

  private static final Map<String, ConfigKey> PRINCIPALS = new LinkedHashMap<>();

  static {
    for (String service : List.of(RelayAcls.TOPICS, RelayAcls.API, RelayAcls.DISPATCHER, RelayAcls.SENDER, RelayAcls.DLR_INGEST,
        RelayAcls.SCORING, RelayAcls.ANALYTICS)) {
      PRINCIPALS.put(service, ConfigKey.optional("relay.acls." + service + ".principal", "",
          "Kafka principal of " + service + ", e.g. User:relay-" + service + "; empty: grant it nothing"));
    }
  }

  public static final ConfigSchema SCHEMA = ConfigSchema.combine(
      List.of(CommonKeys.BOOTSTRAP_SERVERS, CommonKeys.KAFKA_CLIENT_PROPERTIES_FILE, TIMEOUT),
      List.copyOf(PRINCIPALS.values()), RelayAcls.KEYS, CommonKeys.topicKeys()).withPrefix(KafkaAccess.CLIENT_KEYS);

  private ProvisionAclsMain() {}

  public static void main(String[] args) {
    try {
      List<String> granted = run(RelayConfig.load(SCHEMA, args));
      granted.forEach(System.out::println);
    } catch (ConfigException e) {
      System.err.println("configuration error: " + e.getMessage());
      System.exit(2);
    } catch (RuntimeException e) {
      System.err.println("cannot create ACLs: " + e.getMessage());
      System.exit(1);
    }
  }

  /** Creates the ACLs; returns one line per principal and grant, as printed. */
  public static List<String> run(RelayConfig config) {
    Map<String, ServiceAcls> byService = RelayAcls.all(Topics.fromConfig(config.lookup()), config);
    Map<String, ServiceAcls> byPrincipal = new LinkedHashMap<>();
    List<String> lines = new ArrayList<>();
    PRINCIPALS.forEach((service, key) -> config.find(key).map(String::trim).filter(p -> !p.isEmpty()).ifPresent(principal -> {
      if (!principal.contains(":")) {
        throw new ConfigException(key.name() + " is a principal like User:relay-api, not '" + principal + "'");
      }
      if (byPrincipal.containsKey(principal)) {
        throw new ConfigException(key.name() + ": " + principal + " is already the principal of another service;"
            + " one principal per service keeps each to its own ACLs");
      }
      ServiceAcls acls = byService.get(service);
      byPrincipal.put(principal, acls);
      acls.describeGrants().forEach(grant -> lines.add(principal + " (" + service + "): " + grant));
    }));
    Duration timeout = config.getDuration(TIMEOUT);
    AclProvisioner.grant(KafkaAccess.from(config), byPrincipal, timeout);
    return lines;
  }

  /** The config key naming {@code service}'s principal ({@code relay.acls.dispatcher.principal}). */
  public static ConfigKey principalKey(String service) {
    return PRINCIPALS.get(service);
  }
}
