package dev.relay.scoring.topology;

import dev.relay.schemas.ProviderScore;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps every route's latest published score in the global peer-scores store, so each task judging
 * a route sees the routes it shares a country with, and the other countries, wherever they are scored.
 */
final class PeerScoresUpdater implements Processor<String, ProviderScore, Void, Void> {

  private KeyValueStore<String, ProviderScore> peers;

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    this.peers = context.getStateStore(ScoringTopology.PEER_SCORES_STORE);
  }

  @Override
  public void process(Record<String, ProviderScore> record) {
    if (record.key() == null) {
      return;
    }
    if (record.value() == null) {
      peers.delete(record.key());
    } else {
      peers.put(record.key(), record.value());
    }
  }
}
