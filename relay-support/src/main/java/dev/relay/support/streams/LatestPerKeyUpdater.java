package dev.relay.support.streams;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps every instance's copy of a compacted topic in a global store: the latest record per key, and
 * a tombstone removes the key. What a record means, and whether a lapsed one still counts, is its
 * reader's business.
 */
public final class LatestPerKeyUpdater<V> implements Processor<String, V, Void, Void> {

  private final String storeName;
  private KeyValueStore<String, V> latest;

  public LatestPerKeyUpdater(String storeName) {
    this.storeName = storeName;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    latest = context.getStateStore(storeName);
  }

  @Override
  public void process(Record<String, V> record) {
    if (record.key() == null) {
      return;
    }
    if (record.value() == null) {
      latest.delete(record.key());
    } else {
      latest.put(record.key(), record.value());
    }
  }
}
