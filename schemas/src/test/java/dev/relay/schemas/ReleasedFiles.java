package dev.relay.schemas;

import dev.relay.schemas.serde.ReleasedSchemas;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The released {@code .avsc} files in the source tree and the committed list of their SHA-256
 * checksums ({@code sha256sum} format, paths relative to the released folder, so
 * {@code cd schemas/src/main/resources/dev/relay/schemas/released && sha256sum -c ../../../../../../test/resources/released-schemas.sha256}
 * checks them too). A released file is written once, by {@link SchemaRelease}, and listed then; the
 * list is what makes an edit in place visible.
 */
final class ReleasedFiles {

  /** Module-relative, as Maven runs the tests and SchemaRelease from the module folder. */
  static final Path RESOURCES = Path.of("src/main/resources");
  static final Path CHECKSUMS = Path.of("src/test/resources/released-schemas.sha256");

  private ReleasedFiles() {}

  static Path releasedRoot(Path resources) {
    return resources.resolve(ReleasedSchemas.ROOT);
  }

  /** Every released file under {@code root}, by its path relative to it ({@code <full name>/v<n>.avsc}). */
  static Map<String, Path> files(Path root) {
    Map<String, Path> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      walk.filter(Files::isRegularFile).forEach(file -> files.put(root.relativize(file).toString().replace('\\', '/'), file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  /** The committed list: relative path to lower-case hex SHA-256. */
  static Map<String, String> checksums(Path list) {
    Map<String, String> sums = new TreeMap<>();
    try {
      for (String line : Files.readAllLines(list, StandardCharsets.UTF_8)) {
        if (line.isBlank()) {
          continue;
        }
        String[] parts = line.trim().split("\\s+\\*?", 2);
        if (parts.length != 2 || sums.put(parts[1], parts[0].toLowerCase(java.util.Locale.ROOT)) != null) {
          throw new IllegalStateException(list + ": not a sha256sum line, or a file listed twice: " + line);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sums;
  }

  static String sha256(Path file) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Adds a newly released file to the list; the list stays sorted by path. */
  static void record(Path list, Path root, Path file) {
    Map<String, String> sums = Files.exists(list) ? checksums(list) : new TreeMap<>();
    String relative = root.relativize(file).toString().replace('\\', '/');
    if (sums.containsKey(relative)) {
      throw new IllegalStateException(relative + " is released already: add a new version instead");
    }
    sums.put(relative, sha256(file));
    List<String> lines = sums.entrySet().stream().map(entry -> entry.getValue() + "  " + entry.getKey()).toList();
    try {
      Files.createDirectories(list.getParent());
      Files.write(list, lines, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
