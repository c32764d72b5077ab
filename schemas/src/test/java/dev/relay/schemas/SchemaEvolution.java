package dev.relay.schemas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;

/**
 * The rule every contract's versions are held to, in one place so that the test of the real
 * contracts and the test that the rule can fail use the same check: each version reads what every
 * other version wrote (Avro's reader/writer compatibility, both ways), and data moves between them in
 * the single-object encoding that travels on the topics.
 */
final class SchemaEvolution {

  private SchemaEvolution() {}

  /** What breaks between any two of the versions, oldest first; empty when they all read each other. */
  static List<String> problems(List<Schema> versions) {
    List<String> problems = new ArrayList<>();
    for (int older = 0; older < versions.size(); older++) {
      for (int newer = older + 1; newer < versions.size(); newer++) {
        check(versions.get(newer), versions.get(older), "v" + (newer + 1) + " reading v" + (older + 1), problems);
        check(versions.get(older), versions.get(newer), "v" + (older + 1) + " reading v" + (newer + 1), problems);
      }
    }
    return problems;
  }

  private static void check(Schema reader, Schema writer, String what, List<String> problems) {
    SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    if (result.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      result.getResult().getIncompatibilities().forEach(incompatibility -> problems.add(what + ": "
          + incompatibility.getType() + " at " + incompatibility.getLocation() + " (" + incompatibility.getMessage() + ")"));
    }
  }

  /** A datum in the single-object encoding of {@code writer}: the bytes a producer of that version puts on a topic. */
  static byte[] write(Schema writer, Object datum) {
    try {
      ByteBuffer buffer = new BinaryMessageEncoder<>(GenericData.get(), writer).encode(datum);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * What a consumer built against {@code reader} makes of the bytes, finding the writer schema by the
   * fingerprint in them among {@code known} (the released versions, as a reader outside the JVM does).
   */
  static Object read(Schema reader, List<Schema> known, byte[] bytes) {
    SchemaStore.Cache store = new SchemaStore.Cache();
    known.forEach(store::addSchema);
    try {
      return new BinaryMessageDecoder<>(GenericData.get(), reader, store).decode(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
