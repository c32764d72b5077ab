package dev.relay.dispatcher.http;

import dev.relay.dispatcher.topology.DispatcherNames;
import dev.relay.schemas.state.VerificationState;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsNotStartedException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The verifications store's owner from the Streams metadata ({@code queryMetadataForKey}, filled from
 * every instance's {@code application.server}), and reads of the active store only: stale stores
 * (standbys, a task still restoring or already revoked) are never enabled, so a read either sees the
 * current value or fails and is answered 503.
 */
public final class StreamsVerificationLocator implements VerificationLocator {

  /** The store's key serde: the number, as every number-keyed input is partitioned by. */
  private static final Serializer<String> KEYS = Serdes.String().serializer();

  private final Supplier<KafkaStreams> streams;
  private final Supplier<HostInfo> self;

  /**
   * @param streams the running Streams client, or null before it exists
   * @param self this instance's {@code application.server} (known once its port is bound)
   */
  public StreamsVerificationLocator(Supplier<KafkaStreams> streams, Supplier<HostInfo> self) {
    this.streams = streams;
    this.self = self;
  }

  @Override
  public Owner ownerOf(String number) {
    KafkaStreams client = streams.get();
    if (client == null) {
      return new Owner.Unknown("the dispatcher's streams are not started");
    }
    KeyQueryMetadata metadata;
    try {
      metadata = client.queryMetadataForKey(DispatcherNames.VERIFICATIONS_STORE, number, KEYS);
    } catch (StreamsNotStartedException | IllegalStateException e) {
      return new Owner.Unknown("the dispatcher's streams are " + client.state());
    }
    if (metadata == null || KeyQueryMetadata.NOT_AVAILABLE.equals(metadata) || metadata.activeHost() == null
        || metadata.activeHost().port() < 0) {
      return new Owner.Unknown("no instance owns the number's partition now (rebalancing)");
    }
    HostInfo active = metadata.activeHost();
    return active.equals(self.get()) ? new Owner.Here(metadata.partition()) : new Owner.There(active.host(), active.port());
  }

  @Override
  public Optional<VerificationState> readHere(String number, int partition) {
    KafkaStreams client = streams.get();
    if (client == null) {
      throw new NotQueryableException("the dispatcher's streams are not started");
    }
    try {
      ReadOnlyKeyValueStore<String, VerificationState> store = client.store(StoreQueryParameters
          .fromNameAndType(DispatcherNames.VERIFICATIONS_STORE, QueryableStoreTypes.<String, VerificationState>keyValueStore())
          .withPartition(partition));
      return Optional.ofNullable(store.get(number));
    } catch (InvalidStateStoreException e) {
      // Migrated, restoring, or the client not running: the caller retries after a moment.
      throw new NotQueryableException("partition " + partition + " of the verifications is not queryable here now: "
          + e.getClass().getSimpleName());
    }
  }
}
