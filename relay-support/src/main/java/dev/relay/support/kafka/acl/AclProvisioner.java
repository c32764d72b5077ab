package dev.relay.support.kafka.acl;

import dev.relay.support.kafka.KafkaAccess;
import dev.relay.support.kafka.KafkaSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;

/**
 * Creates the ACLs of each service for the principal it runs as, through the Admin API's
 * {@code createAcls}. Creating an ACL that exists already is a no-op on the broker, so running it
 * again (after an upgrade that adds a topic) only adds what is new; it never removes a grant.
 */
public final class AclProvisioner {

  private AclProvisioner() {}

  /**
   * @param kafka an admin's access: the principal needs ALTER on the cluster (a super user does)
   * @param principals principal ({@code User:relay-api}) to the grants it gets
   * @return the bindings created
   */
  public static List<AclBinding> grant(KafkaAccess kafka, Map<String, ServiceAcls> principals, Duration timeout) {
    List<AclBinding> bindings = new ArrayList<>();
    principals.forEach((principal, acls) -> bindings.addAll(acls.bindings(principal)));
    try (Admin admin = Admin.create(KafkaSettings.admin(kafka, "relay-acl-provisioner", timeout))) {
      admin.createAcls(bindings).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return bindings;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating ACLs", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot create ACLs on " + kafka.bootstrapServers() + ": " + e.getCause().getMessage()
          + " (the admin principal needs ALTER on the cluster)", e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("cannot create ACLs on " + kafka.bootstrapServers() + ": no answer in " + timeout, e);
    }
  }
}
