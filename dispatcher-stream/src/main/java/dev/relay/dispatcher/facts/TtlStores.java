package dev.relay.dispatcher.facts;

import java.time.Duration;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Window stores used as key-value stores that forget: an entry is written at the timestamp of the
 * record that created it and dropped with its segment once stream time is past the retention, so
 * nothing has to scan for stale entries (the deduplication pattern of the Kafka Streams examples).
 * Updating an entry writes it again at the timestamp it was created with. Entries are never deleted,
 * only superseded or left to expire: a delete is a RocksDB tombstone that every look-up missing near it
 * steps over until a flush and a compaction drop it, so a store of deleted entries makes each miss a scan.
 */
final class TtlStores {

  private TtlStores() {}

  /**
   * The newest entry of the key within {@code horizon} either side of {@code around}, or null; null too
   * when the newest reads as absent (a value of the layouts before state was Avro): nothing is known of it.
   */
  static <V> KeyValue<Long, V> latest(WindowStore<String, V> store, String key, long around, Duration horizon) {
    long from = Math.max(0, around - horizon.toMillis());
    long to = around > Long.MAX_VALUE - horizon.toMillis() ? Long.MAX_VALUE : around + horizon.toMillis();
    KeyValue<Long, V> newest = null;
    try (WindowStoreIterator<V> entries = store.fetch(key, from, to)) {
      while (entries.hasNext()) {
        newest = entries.next();
      }
    }
    return newest == null || newest.value == null ? null : newest;
  }
}
