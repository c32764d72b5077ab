package dev.relay.dispatcher.topology;

import dev.relay.dispatcher.routing.RoutingTable;
import dev.relay.schemas.RoutingTableVersion;
import dev.relay.support.config.ConfigException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the latest valid routing table in the global store: a version older than the one held, or
 * one that fails validation (published by something other than the publisher), is logged and left
 * out, so routing goes on with the table it has.
 */
final class RoutingTableUpdater implements Processor<String, RoutingTableVersion, Void, Void> {

  private static final Logger LOG = LoggerFactory.getLogger(RoutingTableUpdater.class);

  private KeyValueStore<String, RoutingTableVersion> tables;

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    tables = context.getStateStore(DispatcherNames.ROUTING_TABLE_STORE);
  }

  @Override
  public void process(Record<String, RoutingTableVersion> record) {
    RoutingTableVersion next = record.value();
    if (record.key() == null || next == null) {
      return;
    }
    RoutingTableVersion held = tables.get(record.key());
    if (held != null && held.getVersion() >= next.getVersion()) {
      LOG.warn("routing table version {} ignored: version {} is newer", next.getVersion(), held.getVersion());
      return;
    }
    try {
      RoutingTable.fromVersion(next);
    } catch (ConfigException e) {
      LOG.error("routing table version {} ignored, it is invalid: {}", next.getVersion(), e.getMessage());
      return;
    }
    LOG.info("routing table version {} in use (published by {} at {})", next.getVersion(), next.getPublishedBy(),
        next.getPublishedAt());
    tables.put(record.key(), next);
  }
}
