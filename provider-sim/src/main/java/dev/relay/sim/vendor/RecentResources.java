package dev.relay.sim.vendor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The vendor-side resources (messages, calls) a status fetch can still find: the newest
 * {@code capacity}, so a load run does not grow the heap without end.
 */
public final class RecentResources<T> {

  private final Map<String, T> byId;

  public RecentResources(int capacity) {
    this.byId = new LinkedHashMap<>(256) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, T> eldest) {
        return size() > capacity;
      }
    };
  }

  public synchronized void put(String id, T resource) {
    byId.put(id, resource);
  }

  public synchronized Optional<T> find(String id) {
    return Optional.ofNullable(byId.get(id));
  }
}
