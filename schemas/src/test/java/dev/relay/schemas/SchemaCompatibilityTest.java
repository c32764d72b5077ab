package dev.relay.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.serde.ReleasedSchemas;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Fails the build when a contract changes in a way an already released reader or writer cannot follow. */
class SchemaCompatibilityTest {

  static Stream<Class<?>> contracts() {
    return Contracts.RECORDS.stream().map(type -> type);
  }

  @ParameterizedTest
  @MethodSource("contracts")
  void everyContractHasAReleasedVersion(Class<?> type) {
    Schema current = SpecificData.get().getSchema(type);
    assertThat(ReleasedSchemas.released(current.getFullName()))
        .as("released versions of %s (run SchemaRelease when you ship a new contract)", current.getFullName())
        .isNotEmpty();
  }

  @ParameterizedTest
  @MethodSource("contracts")
  void currentSchemaIsBackwardAndForwardCompatibleWithEveryReleasedVersion(Class<?> type) {
    Schema current = SpecificData.get().getSchema(type);
    List<Schema> released = ReleasedSchemas.released(current.getFullName());
    for (int i = 0; i < released.size(); i++) {
      Schema old = released.get(i);
      assertThat(SchemaCompatibility.checkReaderWriterCompatibility(current, old).getType())
          .as("%s: the current reader must read data written with v%d", current.getFullName(), i + 1)
          .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
      assertThat(SchemaCompatibility.checkReaderWriterCompatibility(old, current).getType())
          .as("%s: a v%d reader must read data written with the current schema", current.getFullName(), i + 1)
          .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }
  }

  @ParameterizedTest
  @MethodSource("contracts")
  void theLatestReleaseIsTheCurrentSchema(Class<?> type) {
    Schema current = SpecificData.get().getSchema(type);
    List<Schema> released = ReleasedSchemas.released(current.getFullName());
    assertThat(released.get(released.size() - 1))
        .as("%s changed since its last release: run SchemaRelease to release it", current.getFullName())
        .isEqualTo(current);
  }
}
