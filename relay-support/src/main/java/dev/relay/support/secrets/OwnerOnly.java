package dev.relay.support.secrets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps files that hold secrets (and the directory of a stack's state) readable by their owner
 * alone: a file created before, by hand or with a loose umask, is tightened on start (0600 for a
 * file, 0700 for a directory) and the change logged. Best effort: on a filesystem without POSIX
 * permissions, or a file this process may not change (a read-only mount of a secrets store), it
 * warns and goes on, since refusing to start would not make the file any safer.
 */
public final class OwnerOnly {

  private static final Logger LOG = LoggerFactory.getLogger(OwnerOnly.class);
  static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
  static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");

  private OwnerOnly() {}

  /**
   * Tightens {@code path} to its owner when it exists and anyone else may read, write or enter it.
   *
   * @return true when the permissions were changed
   */
  public static boolean tighten(Path path) {
    if (!Files.exists(path) || Files.getFileAttributeView(path, PosixFileAttributeView.class) == null) {
      return false;
    }
    Set<PosixFilePermission> wanted = Files.isDirectory(path) ? DIRECTORY : FILE;
    try {
      Set<PosixFilePermission> current = Files.getPosixFilePermissions(path);
      Set<PosixFilePermission> kept = new java.util.HashSet<>(current);
      kept.retainAll(wanted);
      if (kept.equals(current)) {
        return false;
      }
      Files.setPosixFilePermissions(path, kept);
      LOG.warn("{} was {}; now {}, its owner's alone", path, PosixFilePermissions.toString(current),
          PosixFilePermissions.toString(kept));
      return true;
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      LOG.warn("{} holds secrets and others may read it, but its permissions cannot be changed here: {}", path, e.toString());
      return false;
    }
  }
}
