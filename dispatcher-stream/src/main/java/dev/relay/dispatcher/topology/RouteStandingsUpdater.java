package dev.relay.dispatcher.topology;

import dev.relay.dispatcher.routing.RouteStanding;
import dev.relay.schemas.ProviderScore;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the global route standings: each {@code provider-scores} record is the route's latest score
 * and its standing (demoted or not, decided by scoring-stream with hysteresis). Every instance reads
 * every partition, and a rebuilt store needs only the latest record per route, so all instances
 * hold the same demoted set even after the topic is compacted.
 */
final class RouteStandingsUpdater implements Processor<String, ProviderScore, Void, Void> {

  private static final Logger LOG = LoggerFactory.getLogger(RouteStandingsUpdater.class);

  private KeyValueStore<String, RouteStanding> standings;

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    standings = context.getStateStore(DispatcherNames.ROUTE_STANDINGS_STORE);
  }

  @Override
  public void process(Record<String, ProviderScore> record) {
    if (record.key() == null) {
      return;
    }
    if (record.value() == null) {
      standings.delete(record.key());
      return;
    }
    RouteStanding previous = standings.get(record.key());
    RouteStanding next = RouteStanding.of(record.value());
    boolean wasDemoted = previous != null && previous.demoted();
    if (next.demoted() != wasDemoted) {
      LOG.info("route {} {} at score {} ({} tries)", record.key(), next.demoted() ? "demoted" : "promoted back",
          record.value().getScore(), record.value().getTried());
    }
    standings.put(record.key(), next);
  }
}
