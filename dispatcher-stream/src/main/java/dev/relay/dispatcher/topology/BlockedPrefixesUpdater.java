package dev.relay.dispatcher.topology;

import dev.relay.schemas.PrefixBlock;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps every instance's copy of {@code blocked-prefixes}: the latest record per prefix, blocked or
 * released (the detector reads a release from here), and a tombstone removes the prefix.
 */
final class BlockedPrefixesUpdater implements Processor<String, PrefixBlock, Void, Void> {

  private KeyValueStore<String, PrefixBlock> blocks;

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    blocks = context.getStateStore(DispatcherNames.BLOCKED_PREFIXES_STORE);
  }

  @Override
  public void process(Record<String, PrefixBlock> record) {
    if (record.key() == null) {
      return;
    }
    if (record.value() == null) {
      blocks.delete(record.key());
    } else {
      blocks.put(record.key(), record.value());
    }
  }
}
