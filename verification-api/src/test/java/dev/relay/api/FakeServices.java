package dev.relay.api;

import dev.relay.api.services.Services;
import dev.relay.api.services.ServicesUnavailableException;
import dev.relay.schemas.Channel;
import dev.relay.schemas.VerificationService;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Services in memory, for the route tests; {@link #unavailable} makes every call fail as Kafka would. */
public final class FakeServices implements Services {

  public final Map<String, VerificationService> stored = new TreeMap<>();
  public final List<VerificationService> saves = new CopyOnWriteArrayList<>();
  public volatile boolean unavailable;

  /** A service as the admin endpoints would have stored it. */
  public static VerificationService service(String id, String friendlyName, Channel... channels) {
    return VerificationService.newBuilder()
        .setServiceId(id)
        .setFriendlyName(friendlyName)
        .setCodeLength(6)
        .setExpiryMillis(600_000)
        .setMaxChecks(5)
        .setMaxSends(5)
        .setChannels(List.of(channels))
        .setTemplates(Map.of())
        .setCreatedAt(Instant.parse("2030-01-01T00:00:00Z"))
        .setUpdatedAt(Instant.parse("2030-01-01T00:00:00Z"))
        .setUpdatedBy("ops")
        .build();
  }

  public FakeServices with(VerificationService service) {
    stored.put(service.getServiceId(), service);
    return this;
  }

  @Override
  public synchronized List<VerificationService> all() {
    failIfUnavailable();
    return new ArrayList<>(stored.values());
  }

  @Override
  public synchronized Optional<VerificationService> find(String serviceId) {
    failIfUnavailable();
    return Optional.ofNullable(stored.get(serviceId));
  }

  @Override
  public synchronized void save(VerificationService service) {
    failIfUnavailable();
    stored.put(service.getServiceId(), service);
    saves.add(service);
  }

  private void failIfUnavailable() {
    if (unavailable) {
      throw new ServicesUnavailableException("services out of reach (test)", null);
    }
  }
}
