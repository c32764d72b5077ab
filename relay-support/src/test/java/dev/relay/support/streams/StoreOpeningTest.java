package dev.relay.support.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.support.kafka.KafkaAccess;
import dev.relay.support.kafka.KafkaSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.rocksdb.Options;

class StoreOpeningTest {

  @Test
  void everyStreamsAppOpensItsStoresWithIt() {
    assertThat(KafkaSettings.streams(KafkaAccess.plaintext("kafka:9092"), "app", Path.of("state"), Duration.ofMillis(20),
        (short) 1)).containsEntry(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, StoreOpening.class);
  }

  @Test
  void aStoreOpensItsFilesOnTheCallingThreadAndReservesLittleForItsManifest() {
    try (Options options = new Options()) {
      assertThat(options.maxFileOpeningThreads()).as("RocksDB's default").isEqualTo(16);
      assertThat(options.manifestPreallocationSize()).as("RocksDB's default").isEqualTo(4L << 20);

      new StoreOpening().setConfig("verifications", options, Map.of());

      assertThat(options.maxFileOpeningThreads()).isEqualTo(1);
      assertThat(options.manifestPreallocationSize()).isEqualTo(64L << 10);
    }
  }
}
