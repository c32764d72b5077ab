package dev.relay.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Released schema files are immutable: each is held to the checksum committed when it was released,
 * so a change has to come as a new version. Data written with a released version may sit on a topic
 * or in an analytics store for as long as retention allows, and readers find its schema by the
 * fingerprint of that exact file.
 */
class ReleasedSchemaFilesTest {

  private static final Path ROOT = ReleasedFiles.releasedRoot(ReleasedFiles.RESOURCES);

  @Test
  void everyReleasedFileIsUnchangedSinceItWasReleased() {
    Map<String, Path> files = ReleasedFiles.files(ROOT);
    Map<String, String> committed = ReleasedFiles.checksums(ReleasedFiles.CHECKSUMS);

    assertThat(files.keySet())
        .as("released files without a committed checksum (release with SchemaRelease, which records it)")
        .isSubsetOf(committed.keySet());
    assertThat(committed.keySet())
        .as("released files that were deleted: a released version stays, data written with it may still be read")
        .isSubsetOf(files.keySet());
    Map<String, String> actual = new TreeMap<>();
    files.forEach((name, file) -> actual.put(name, ReleasedFiles.sha256(file)));
    assertThat(actual)
        .as("a released file was edited in place: restore it and release the change as a new version")
        .isEqualTo(committed);
  }

  @Test
  void versionsAreNumberedFromOneWithoutGapsAndNameTheirRecord() throws IOException {
    Map<String, TreeSet<Integer>> versions = new TreeMap<>();
    for (Map.Entry<String, Path> entry : ReleasedFiles.files(ROOT).entrySet()) {
      String[] parts = entry.getKey().split("/");
      assertThat(parts).as(entry.getKey()).hasSize(2);
      assertThat(parts[1]).as(entry.getKey()).matches("v[1-9][0-9]*\\.avsc");
      Schema schema = new Schema.Parser().parse(Files.readString(entry.getValue()));
      assertThat(schema.getFullName()).as(entry.getKey()).isEqualTo(parts[0]);
      versions.computeIfAbsent(parts[0], name -> new TreeSet<>())
          .add(Integer.parseInt(parts[1].substring(1, parts[1].length() - ".avsc".length())));
    }
    versions.forEach((name, numbers) -> assertThat(numbers).as(name).hasSize(numbers.last()));
    assertThat(versions.keySet()).hasSameSizeAs(Contracts.RECORDS);
  }

  @Test
  void anEditInPlaceIsCaughtByTheChecksums(@TempDir Path copy) throws IOException {
    Path root = ReleasedFiles.releasedRoot(copy);
    Path list = copy.resolve("sums");
    Path v1 = root.resolve("dev.relay.schemas.Sample").resolve("v1.avsc");
    Files.createDirectories(v1.getParent());
    Files.writeString(v1, "{\"type\": \"record\", \"name\": \"Sample\", \"namespace\": \"dev.relay.schemas\", \"fields\": []}\n");
    ReleasedFiles.record(list, root, v1);
    assertThat(ReleasedFiles.checksums(list)).containsEntry("dev.relay.schemas.Sample/v1.avsc", ReleasedFiles.sha256(v1));

    Files.writeString(v1, "{\"type\": \"record\", \"name\": \"Sample\", \"namespace\": \"dev.relay.schemas\","
        + " \"fields\": [{\"name\": \"added\", \"type\": \"string\", \"default\": \"\"}]}\n");

    assertThat(ReleasedFiles.checksums(list).get("dev.relay.schemas.Sample/v1.avsc")).isNotEqualTo(ReleasedFiles.sha256(v1));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ReleasedFiles.record(list, root, v1))
        .hasMessageContaining("released already");
  }
}
