package dev.relay.schemas;

import dev.relay.schemas.serde.ReleasedSchemas;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;

/**
 * Releases the current version of every contract whose schema changed since its last release:
 * writes {@code v<n+1>.avsc} under {@code src/main/resources}. Run it when a change ships:
 * {@code mvn -pl schemas test-compile exec:java -Dexec.mainClass=dev.relay.schemas.SchemaRelease -Dexec.classpathScope=test}.
 */
public final class SchemaRelease {

  public static void main(String[] args) throws IOException {
    Path root = Path.of(args.length > 0 ? args[0] : "src/main/resources").resolve(ReleasedSchemas.ROOT);
    for (Class<?> type : Contracts.RECORDS) {
      Schema current = SpecificData.get().getSchema(type);
      List<Schema> released = ReleasedSchemas.released(current.getFullName());
      if (!released.isEmpty() && released.get(released.size() - 1).equals(current)) {
        continue;
      }
      Path file = root.resolve(current.getFullName()).resolve("v" + (released.size() + 1) + ".avsc");
      Files.createDirectories(file.getParent());
      Files.writeString(file, current.toString(true) + "\n");
      System.out.println("released " + file);
    }
  }
}
