package dev.relay.local;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryLockTest {

  @TempDir Path dataDir;

  @Test
  void aSecondStackOnTheSameDirectoryIsRefusedUntilTheFirstStops() {
    DataDirectoryLock first = DataDirectoryLock.acquire(dataDir);

    assertThatThrownBy(() -> DataDirectoryLock.acquire(dataDir))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("in use by another relay-local");

    first.close();
    DataDirectoryLock.acquire(dataDir).close();
  }
}
