package dev.relay.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Holds an exclusive OS lock on the data directory while a stack runs: two launchers on one
 * directory would write the same broker logs and state stores and corrupt both.
 */
final class DataDirectoryLock implements AutoCloseable {

  private static final String FILE = ".relay-local.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private DataDirectoryLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  static DataDirectoryLock acquire(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
      FileChannel channel = FileChannel.open(dataDir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException sameProcess) {
        lock = null;
      }
      if (lock == null) {
        channel.close();
        throw new IllegalStateException("the data directory " + dataDir.toAbsolutePath()
            + " is in use by another relay-local; stop it or pass --data-dir=ANOTHER");
      }
      return new DataDirectoryLock(channel, lock);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock the data directory " + dataDir, e);
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot release the data directory lock", e);
    }
  }
}
