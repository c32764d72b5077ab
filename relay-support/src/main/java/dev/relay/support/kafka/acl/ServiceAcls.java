package dev.relay.support.kafka.acl;

import dev.relay.schemas.topics.Topic;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * What one Relay service may do on Kafka, and nothing more: the topics it reads, writes or only
 * checks, its consumer groups, its Streams application (internal topics, group and transactional
 * ids, all named after the application id) and, for the provisioner, topic creation. Each service
 * declares its own from its config and the {@code Topics} catalog; the ACL command grants exactly
 * this, and the service checks it at start-up ({@link AclCheck}).
 */
public final class ServiceAcls {

  /** One permission on one resource (a literal name or a prefix). */
  public record Grant(ResourceType type, String name, PatternType pattern, AclOperation operation) {

    AclBinding binding(String principal) {
      return new AclBinding(new ResourcePattern(type, name, pattern),
          new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
    }

    /** As docs/deploy.md writes it: {@code READ on TOPIC relay.send-results}. */
    @Override
    public String toString() {
      return operation + " on " + type + " " + name + (pattern == PatternType.PREFIXED ? "*" : "");
    }
  }

  /**
   * What a Streams app under exactly_once_v2 needs besides its input and output topics: its internal
   * (changelog and repartition) topics, created and purged by the app, its group, and the transactional
   * ids of its producers, all named {@code <application.id>-...}.
   */
  private static final List<AclOperation> STREAMS_INTERNAL_TOPIC_OPERATIONS = List.of(AclOperation.CREATE,
      AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS);

  private final String service;
  private final Set<Grant> grants;

  private ServiceAcls(String service, Set<Grant> grants) {
    this.service = service;
    this.grants = Set.copyOf(grants);
  }

  public static Builder builder(String service) {
    return new Builder(service);
  }

  public String service() {
    return service;
  }

  public Set<Grant> grants() {
    return grants;
  }

  /** The ACL bindings that give {@code principal} (e.g. {@code User:relay-api}) exactly these grants. */
  public List<AclBinding> bindings(String principal) {
    return grants.stream().map(grant -> grant.binding(principal)).toList();
  }

  /** Accumulates one service's grants; each method says why the service needs it. */
  public static final class Builder {
    private final String service;
    private final Set<Grant> grants = new LinkedHashSet<>();

    private Builder(String service) {
      this.service = service;
    }

    /** Topics it checks exist at start-up (the topic provisioner lists and describes them). */
    public Builder describe(Collection<? extends Topic<?, ?>> topics) {
      topics.forEach(topic -> add(ResourceType.TOPIC, topic.name(), PatternType.LITERAL, AclOperation.DESCRIBE));
      return this;
    }

    /** Topics it consumes; READ implies DESCRIBE. */
    public Builder read(Topic<?, ?>... topics) {
      for (Topic<?, ?> topic : topics) {
        add(ResourceType.TOPIC, topic.name(), PatternType.LITERAL, AclOperation.READ);
      }
      return this;
    }

    /**
     * Topics it produces to; WRITE implies DESCRIBE and, since Kafka 2.8, lets its producers be
     * idempotent without IDEMPOTENT_WRITE on the cluster.
     */
    public Builder write(Topic<?, ?>... topics) {
      for (Topic<?, ?> topic : topics) {
        add(ResourceType.TOPIC, topic.name(), PatternType.LITERAL, AclOperation.WRITE);
      }
      return this;
    }

    /** A consumer group it joins and commits in. */
    public Builder group(String groupId) {
      return add(ResourceType.GROUP, groupId, PatternType.LITERAL, AclOperation.READ);
    }

    /** Consumer groups whose ids start with {@code prefix} (a reader that names its groups itself). */
    public Builder groupsPrefixed(String prefix) {
      return add(ResourceType.GROUP, prefix, PatternType.PREFIXED, AclOperation.READ);
    }

    /** Transactional ids starting with {@code prefix}, for transactional producers outside Streams. */
    public Builder transactionalIds(String prefix) {
      return add(ResourceType.TRANSACTIONAL_ID, prefix, PatternType.PREFIXED, AclOperation.WRITE);
    }

    /** A Kafka Streams app under exactly_once_v2 with this application id. */
    public Builder streamsApp(String applicationId) {
      STREAMS_INTERNAL_TOPIC_OPERATIONS.forEach(operation ->
          add(ResourceType.TOPIC, applicationId, PatternType.PREFIXED, operation));
      group(applicationId);
      return transactionalIds(applicationId);
    }

    /** Creating topics whose names start with {@code prefix} (Relay's, {@code relay.}), and seeing them. */
    public Builder createTopics(String prefix) {
      add(ResourceType.TOPIC, prefix, PatternType.PREFIXED, AclOperation.CREATE);
      add(ResourceType.TOPIC, prefix, PatternType.PREFIXED, AclOperation.DESCRIBE);
      return add(ResourceType.TOPIC, prefix, PatternType.PREFIXED, AclOperation.DESCRIBE_CONFIGS);
    }

    /** Everything another declaration grants, e.g. a tool that runs inside a service. */
    public Builder including(ServiceAcls other) {
      grants.addAll(other.grants);
      return this;
    }

    public ServiceAcls build() {
      return new ServiceAcls(service, new LinkedHashSet<>(grants));
    }

    private Builder add(ResourceType type, String name, PatternType pattern, AclOperation operation) {
      grants.add(new Grant(type, name, pattern, operation));
      return this;
    }
  }

  /** The grants, one per line, sorted: how the ACL command and the docs print them. */
  public List<String> describeGrants() {
    List<String> lines = new ArrayList<>();
    grants.forEach(grant -> lines.add(grant.toString()));
    lines.sort(null);
    return lines;
  }
}
