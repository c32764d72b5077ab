package dev.relay.schemas;

import dev.relay.schemas.serde.ReleasedSchemas;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.specific.SpecificData;

/**
 * Releases the current version of every contract whose schema changed since its last release: writes
 * {@code v<n+1>.avsc} beside the released ones and adds its checksum to the committed list. It never
 * touches a file that exists, and refuses a version that an already released reader or writer could
 * not follow. Run it from the module folder when a change ships, then commit both:
 * {@code mvn -B -ntp -o -q -pl schemas test-compile exec:java -Dexec.mainClass=dev.relay.schemas.SchemaRelease -Dexec.classpathScope=test}.
 */
public final class SchemaRelease {

  public static void main(String[] args) throws IOException {
    Path resources = args.length > 0 ? Path.of(args[0]) : ReleasedFiles.RESOURCES;
    Path checksums = args.length > 1 ? Path.of(args[1]) : ReleasedFiles.CHECKSUMS;
    Path root = ReleasedFiles.releasedRoot(resources);
    for (Class<?> type : Contracts.RECORDS) {
      Schema current = SpecificData.get().getSchema(type);
      List<Schema> released = ReleasedSchemas.released(current.getFullName());
      if (!released.isEmpty() && released.get(released.size() - 1).equals(current)) {
        continue;
      }
      for (int i = 0; i < released.size(); i++) {
        requireCompatible(current, released.get(i), "v" + (i + 1));
      }
      Path file = root.resolve(current.getFullName()).resolve("v" + (released.size() + 1) + ".avsc");
      if (Files.exists(file)) {
        throw new IllegalStateException(file + " exists but is not on the classpath: rebuild before releasing");
      }
      Files.createDirectories(file.getParent());
      Files.writeString(file, current.toString(true) + "\n");
      ReleasedFiles.record(checksums, root, file);
      System.out.println("released " + file);
    }
  }

  private static void requireCompatible(Schema current, Schema old, String version) {
    var forward = SchemaCompatibility.checkReaderWriterCompatibility(old, current);
    var backward = SchemaCompatibility.checkReaderWriterCompatibility(current, old);
    if (forward.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE
        || backward.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      throw new IllegalStateException(current.getFullName() + " cannot be released: it breaks " + version + " ("
          + forward.getResult().getIncompatibilities() + backward.getResult().getIncompatibilities() + ")");
    }
  }
}
