package dev.relay.support.streams;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.Options;

/**
 * RocksDB settings for Relay's stores, which are many and small: a store holds a few small table
 * files, and every window segment is a store of its own.
 *
 * <p>RocksDB loads a store's table files with {@code max_file_opening_threads} (16) fresh threads on
 * every open, whether it has files or not; one thread loads a few files as fast, and a restore, a
 * rebalance or a test that opens hundreds of stores no longer starts and joins sixteen threads for
 * each. Each open also reserved 4 MiB for the store's manifest, which grows by a few hundred bytes per
 * flush: on a memory-backed state directory that reservation is memory.
 */
public final class StoreOpening implements RocksDBConfigSetter {

  static final int FILE_OPENING_THREADS = 1;
  static final long MANIFEST_PREALLOCATION_BYTES = 64 * 1024;

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    options.setMaxFileOpeningThreads(FILE_OPENING_THREADS);
    options.setManifestPreallocationSize(MANIFEST_PREALLOCATION_BYTES);
  }

  @Override
  public void close(String storeName, Options options) {
    // Nothing was allocated that the options do not own.
  }
}
