package dev.relay.dispatcher.topology;

import dev.relay.schemas.RequestBlock;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps every instance's copy of {@code request-blocks}: the latest block per limited client IP, network or API key
 * (a lapsed one is kept and ignored), and a tombstone removes the key.
 */
final class RequestBlocksUpdater implements Processor<String, RequestBlock, Void, Void> {

  private KeyValueStore<String, RequestBlock> blocks;

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    blocks = context.getStateStore(DispatcherNames.REQUEST_BLOCKS_STORE);
  }

  @Override
  public void process(Record<String, RequestBlock> record) {
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
