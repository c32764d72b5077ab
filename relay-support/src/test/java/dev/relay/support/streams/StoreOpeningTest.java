package dev.relay.support.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.support.kafka.KafkaAccess;
import dev.relay.support.kafka.KafkaSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.internals.BlockBasedTableConfigWithAccessibleCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

class StoreOpeningTest {

  @TempDir
  Path stateDir;

  @Test
  void everyStreamsAppOpensItsStoresWithIt() {
    assertThat(KafkaSettings.streams(KafkaAccess.plaintext("kafka:9092"), "app", Path.of("state"), Duration.ofMillis(20),
        (short) 1)).containsEntry(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, StoreOpening.class);
  }

  @Test
  void theRocksDbInUseGetsAnAbsentKeyWithoutAnExceptionInside() {
    // RocksJava 10.1.3, Kafka Streams' own, throws and catches a C++ exception for each get of an absent key
    // (facebook/rocksdb#13023), ~4 % of the dispatcher's thread; 10.10.1 does not (measured): the parent POM pins it.
    RocksDB.Version version = RocksDB.rocksdbVersion();
    assertThat(version.getMajor() * 100 + version.getMinor()).as(version.toString()).isGreaterThanOrEqualTo(1010);
  }

  @Test
  void aStoreOpensItsFilesOnTheCallingThreadAndReservesLittleForItsManifest() {
    try (Options options = kafkaStreamsOptions()) {
      assertThat(options.maxFileOpeningThreads()).as("RocksDB's default").isEqualTo(16);
      assertThat(options.manifestPreallocationSize()).as("RocksDB's default").isEqualTo(4L << 20);

      new StoreOpening().setConfig("verifications", options, Map.of());

      assertThat(options.maxFileOpeningThreads()).isEqualTo(1);
      assertThat(options.manifestPreallocationSize()).isEqualTo(64L << 10);
    }
  }

  @Test
  void everyStoreOfTheProcessReadsThroughOneBoundedCacheThatHoldsIndexAndFilterBlocksToo() {
    try (Options first = kafkaStreamsOptions(); Options second = kafkaStreamsOptions()) {
      new StoreOpening().setConfig("verifications", first, Map.of());
      new StoreOpening().setConfig("provider-scores.1733356800000", second, Map.of());

      var firstTable = (BlockBasedTableConfigWithAccessibleCache) first.tableFormatConfig();
      var secondTable = (BlockBasedTableConfigWithAccessibleCache) second.tableFormatConfig();
      assertThat(firstTable.blockCache()).isNotNull().isSameAs(secondTable.blockCache());
      assertThat(firstTable.cacheIndexAndFilterBlocks()).isTrue();
      assertThat(firstTable.pinL0FilterAndIndexBlocksInCache()).isTrue();
    }
  }

  @Test
  void blocksOneStoreReadAreInTheCacheAnotherStoreSees() throws RocksDBException {
    try (Options reading = kafkaStreamsOptions(); Options idle = kafkaStreamsOptions()) {
      new StoreOpening().setConfig("reading", reading, Map.of());
      new StoreOpening().setConfig("idle", idle, Map.of());
      try (RocksDB readingDb = RocksDB.open(reading, stateDir.resolve("reading").toString());
          RocksDB idleDb = RocksDB.open(idle, stateDir.resolve("idle").toString());
          FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
        long before = idleDb.getLongProperty("rocksdb.block-cache-usage");
        for (int i = 0; i < 5_000; i++) {
          readingDb.put(bytes("key-" + i), bytes("value-" + i));
        }
        readingDb.flush(flush);
        for (int i = 0; i < 5_000; i += 7) {
          assertThat(readingDb.get(bytes("key-" + i))).isEqualTo(bytes("value-" + i));
        }

        assertThat(idleDb.getLongProperty("rocksdb.block-cache-capacity")).isEqualTo(StoreOpening.BLOCK_CACHE_BYTES);
        assertThat(idleDb.getLongProperty("rocksdb.block-cache-usage"))
            .as("the idle store's cache holds the other store's blocks").isGreaterThan(before + 4_096);
      }
    }
  }

  /** Options as Kafka Streams hands them to a config setter: a table config with a 50 MiB cache of the store's own. */
  private static Options kafkaStreamsOptions() {
    Options options = new Options().setCreateIfMissing(true); // loads RocksDB's native library first
    BlockBasedTableConfigWithAccessibleCache table = new BlockBasedTableConfigWithAccessibleCache();
    table.setBlockCache(new LRUCache(50L << 20));
    return options.setTableFormatConfig(table);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
