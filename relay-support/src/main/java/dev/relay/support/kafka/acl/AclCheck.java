package dev.relay.support.kafka.acl;

import dev.relay.support.kafka.KafkaAccess;
import dev.relay.support.kafka.KafkaSettings;
import dev.relay.support.kafka.acl.ServiceAcls.Grant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Checks at start-up that the principal a service logs in as holds the ACLs the service declares,
 * and refuses to start with one message naming every missing permission. Without it a missing ACL
 * shows up later and far from its cause: a stream thread dying on its first poll, an HTTP request
 * answered 503. Asks the brokers themselves which operations they would allow (the authorized
 * operations of a topic; a probe of the group and the transactional ids), so a cluster without an
 * authorizer passes. Prefixed topic grants (internal topics not created yet) cannot be probed.
 */
public final class AclCheck {

  private AclCheck() {}

  public static void verify(KafkaAccess kafka, ServiceAcls acls, Duration timeout) {
    List<String> missing;
    try (Admin admin = Admin.create(KafkaSettings.admin(kafka, "relay-" + acls.service() + "-acl-check", timeout))) {
      missing = missing(admin, acls, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking the Kafka ACLs of " + acls.service(), e);
    }
    if (!missing.isEmpty()) {
      throw new MissingAclsException(acls.service(), missing);
    }
  }

  static List<String> missing(Admin admin, ServiceAcls acls, Duration timeout) throws InterruptedException {
    List<String> missing = new ArrayList<>();
    Map<String, Set<AclOperation>> topics = new LinkedHashMap<>();
    for (Grant grant : acls.grants()) {
      if (grant.pattern() != PatternType.LITERAL) {
        if (grant.type() == ResourceType.TRANSACTIONAL_ID && !transactionalIdAllowed(admin, grant.name() + "-acl-check", timeout)) {
          missing.add(grant.toString());
        }
        continue;
      }
      if (grant.type() == ResourceType.TOPIC) {
        topics.computeIfAbsent(grant.name(), name -> EnumSet.noneOf(AclOperation.class)).add(grant.operation());
      } else if (grant.type() == ResourceType.GROUP && !groupAllowed(admin, grant.name(), timeout)) {
        missing.add(grant.toString());
      }
    }
    if (!topics.isEmpty()) {
      Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(topics.keySet(),
          new DescribeTopicsOptions().includeAuthorizedOperations(true)).topicNameValues();
      topics.forEach((name, needed) -> {
        Set<AclOperation> allowed = authorizedOperations(described.get(name), timeout);
        for (AclOperation operation : needed) {
          if (!allowed.contains(operation)) {
            missing.add(new Grant(ResourceType.TOPIC, name, PatternType.LITERAL, operation).toString());
          }
        }
      });
    }
    missing.sort(null);
    return missing;
  }

  /** What the broker would allow on the topic; nothing when it hides the topic (no DESCRIBE). */
  private static Set<AclOperation> authorizedOperations(KafkaFuture<TopicDescription> described, Duration timeout) {
    try {
      Set<AclOperation> allowed = described.get(timeout.toMillis(), TimeUnit.MILLISECONDS).authorizedOperations();
      // null: a broker too old to say; then the clients find out.
      return allowed == null ? EnumSet.allOf(AclOperation.class) : allowed;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AuthorizationException || e.getCause() instanceof UnknownTopicOrPartitionException) {
        return Set.of();
      }
      throw new IllegalStateException("cannot check the topic ACLs: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("cannot check the topic ACLs: no answer in " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking the topic ACLs", e);
    }
  }

  /** Reading a group's offsets needs DESCRIBE on it, which READ implies; a group never used has none. */
  private static boolean groupAllowed(Admin admin, String group, Duration timeout) throws InterruptedException {
    return allowed(admin.listConsumerGroupOffsets(group).all(), timeout);
  }

  /** Describing a transactional id needs DESCRIBE on it, which WRITE implies; an unused id is simply not found. */
  private static boolean transactionalIdAllowed(Admin admin, String id, Duration timeout) throws InterruptedException {
    return allowed(admin.describeTransactions(List.of(id)).all(), timeout);
  }

  private static boolean allowed(KafkaFuture<?> probe, Duration timeout) throws InterruptedException {
    try {
      probe.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AuthorizationException) {
        return false;
      }
      if (e.getCause() instanceof TransactionalIdNotFoundException) {
        return true;
      }
      throw new IllegalStateException("cannot check the ACLs: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("cannot check the ACLs: no answer in " + timeout, e);
    }
  }

  /** A service's principal lacks ACLs it needs; the message names each one and how to grant them. */
  public static final class MissingAclsException extends IllegalStateException {
    public MissingAclsException(String service, List<String> missing) {
      super(service + " cannot start: the Kafka principal it logs in as lacks " + String.join(", ", missing)
          + " (grant them with dev.relay.local.acl.ProvisionAclsMain, see docs/deploy.md, \"ACLs\")");
    }
  }
}
