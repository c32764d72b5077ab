package dev.relay.support.streams;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/**
 * RocksDB settings for Relay's stores, which are many and small: a store holds a few small table
 * files, and every window segment is a store of its own.
 *
 * <p>RocksDB loads a store's table files with {@code max_file_opening_threads} (16) fresh threads on
 * every open, whether it has files or not; one thread loads a few files as fast, and a restore, a
 * rebalance or a test that opens hundreds of stores no longer starts and joins sixteen threads for
 * each. Each open also reserved 4 MiB for the store's manifest, which grows by a few hundred bytes per
 * flush: on a memory-backed state directory that reservation is memory.
 *
 * <p>Kafka Streams gives every store, and every window segment, a block cache of its own of 50 MiB,
 * with the table files' index and filter blocks held outside it: the process's memory then grows
 * with the number of stores and of table files for as long as it runs (31 stores and segments in the
 * embedded stack, whose caches grew 13-29 MiB a minute once reads reached older data; see
 * docs/performance.md, "Memory under load"). All stores of the process share one block cache here,
 * index and filter blocks included (at high priority, RocksDB's default, and level 0's pinned, so the
 * newest files never miss them). The write buffers stay at Kafka Streams' defaults: a budget for them
 * flushed the scoring windows' memtables early, and scoring's CPU per minute at 500/s rose to 13.1 s
 * against 9.1.
 */
public final class StoreOpening implements RocksDBConfigSetter {

  static final int FILE_OPENING_THREADS = 1;
  static final long MANIFEST_PREALLOCATION_BYTES = 64 * 1024;
  static final long BLOCK_CACHE_BYTES = 128L << 20;

  /** The process's one cache: never closed, as stores open and close for as long as the process runs. */
  private static final Cache SHARED_BLOCK_CACHE = sharedBlockCache();

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    options.setMaxFileOpeningThreads(FILE_OPENING_THREADS);
    options.setManifestPreallocationSize(MANIFEST_PREALLOCATION_BYTES);
    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(SHARED_BLOCK_CACHE);
    table.setCacheIndexAndFilterBlocks(true);
    table.setPinL0FilterAndIndexBlocksInCache(true);
    options.setTableFormatConfig(table);
  }

  private static Cache sharedBlockCache() {
    RocksDB.loadLibrary(); // a cache is native, and may be the first RocksDB object this process makes
    return new LRUCache(BLOCK_CACHE_BYTES);
  }

  @Override
  public void close(String storeName, Options options) {
    // The shared cache outlives every store; nothing else was allocated that the options do not own.
  }
}
