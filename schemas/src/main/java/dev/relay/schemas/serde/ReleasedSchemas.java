package dev.relay.schemas.serde;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The released versions of each schema, kept as resources
 * ({@code dev/relay/schemas/released/<full name>/v<n>.avsc}, fully expanded). Decoders know every
 * one of them; the compatibility test holds each new version to all of them.
 */
public final class ReleasedSchemas {

  /** Resource folder of the released versions. */
  public static final String ROOT = "dev/relay/schemas/released/";

  private ReleasedSchemas() {}

  /** Every released version of the schema, oldest first, plus the current one. */
  public static List<Schema> versionsOf(Schema current) {
    List<Schema> versions = new ArrayList<>(released(current.getFullName()));
    versions.add(current);
    return versions;
  }

  /** Released versions only, oldest first; empty when none was released yet. */
  public static List<Schema> released(String fullName) {
    List<Schema> versions = new ArrayList<>();
    ClassLoader loader = ReleasedSchemas.class.getClassLoader();
    for (int version = 1; ; version++) {
      String resource = ROOT + fullName + "/v" + version + ".avsc";
      try (InputStream in = loader.getResourceAsStream(resource)) {
        if (in == null) {
          return versions;
        }
        versions.add(new Schema.Parser().parse(in));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read released schema " + resource, e);
      }
    }
  }
}
