package dev.relay.support.http;

/** Whether a service can do its work now (its Kafka clients connected, its state restored). */
@FunctionalInterface
public interface Readiness {

  boolean isReady();
}
