package dev.relay.dispatcher.topology;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * When something is next due for each number, in deadline order, over the task's deadline store.
 *
 * <p>Every read starts at a floor before which no entry lies, not at the store's head. Each deadline met or
 * moved is deleted, and RocksDB keeps a delete as a tombstone until a compaction drops it, so the head of the
 * store is a run of tombstones that a read from the head steps over one by one, on every wake (scoring's
 * matching stores fell behind for good on the same pattern: docs/performance.md, "Sustained load"). The floor
 * moves up to each instant read as due, and back down for an entry put before it (a wall clock stepped back).
 */
final class DeadlineIndex {

  private final KeyValueStore<Deadline, String> store;
  private Instant floor = Instant.EPOCH;

  DeadlineIndex(KeyValueStore<Deadline, String> store) {
    this.store = store;
  }

  /** Drops every entry (a previous run's, kept locally by a store without a changelog) and reads from the head again. */
  void clear() {
    List<Deadline> left = new ArrayList<>();
    try (KeyValueIterator<Deadline, String> entries = store.all()) {
      entries.forEachRemaining(entry -> left.add(entry.key));
    }
    left.forEach(store::delete);
    floor = Instant.EPOCH;
  }

  void put(Deadline deadline, String verificationId) {
    store.put(deadline, verificationId);
    if (deadline.at().isBefore(floor)) {
      floor = deadline.at();
    }
  }

  void delete(Deadline deadline) {
    store.delete(deadline);
  }

  /**
   * The entries due at or before {@code now}, earliest first. The caller deletes or moves each one: the
   * next read starts after them.
   */
  List<Deadline> dueBy(Instant now) {
    List<Deadline> due = new ArrayList<>();
    try (KeyValueIterator<Deadline, String> entries = fromFloor()) {
      while (entries.hasNext()) {
        KeyValue<Deadline, String> entry = entries.next();
        if (entry.key.at().isAfter(now)) {
          break;
        }
        due.add(entry.key);
      }
    }
    if (now.isAfter(floor)) {
      floor = now;
    }
    return due;
  }

  Optional<Instant> earliest() {
    try (KeyValueIterator<Deadline, String> entries = fromFloor()) {
      return entries.hasNext() ? Optional.of(entries.next().key.at()) : Optional.empty();
    }
  }

  /** The empty number sorts before every number due at the same instant. */
  private KeyValueIterator<Deadline, String> fromFloor() {
    return store.range(new Deadline(floor, ""), null);
  }
}
