package dev.relay.api.services;

import dev.relay.schemas.VerificationService;
import java.util.List;
import java.util.Optional;

/**
 * The services (tenants) this deployment serves, backed by the compacted {@code services} topic
 * ({@link KafkaServices}). Every method throws {@link ServicesUnavailableException} when Kafka cannot
 * be read or written in time.
 */
public interface Services {

  /** Every service, in id order, read to the end of the topic. */
  List<VerificationService> all();

  /**
   * The service, as the topic had it at most the configured refresh interval ago: the hot path asks
   * this on every start and must not read the topic each time.
   */
  Optional<VerificationService> find(String serviceId);

  /** Stores the service (new or changed); it is durable on the topic when this returns. */
  void save(VerificationService service);
}
