package dev.relay.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.schemas.serde.AvroSerde;
import dev.relay.schemas.serde.ReleasedSchemas;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.RandomData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fails the build when a contract changes in a way an already released reader or writer cannot
 * follow: every pair of versions is checked both ways by Avro's resolution rules, and random data is
 * written with each version and read with every other, through the single-object encoding the
 * topics carry and through the services' own {@link AvroSerde}.
 */
class SchemaCompatibilityTest {

  /** Random data per version pair: enough to hit every union branch and enum symbol of the contracts. */
  private static final int SAMPLES = 40;

  static Stream<Class<? extends SpecificRecord>> contracts() {
    return Contracts.RECORDS.stream();
  }

  @ParameterizedTest
  @MethodSource("contracts")
  void everyContractHasAReleasedVersion(Class<? extends SpecificRecord> type) {
    Schema current = SpecificData.get().getSchema(type);
    assertThat(ReleasedSchemas.released(current.getFullName()))
        .as("released versions of %s (run SchemaRelease when you ship a new contract)", current.getFullName())
        .isNotEmpty();
  }

  /**
   * A generated class embeds the schemas of the types it nests. The Avro plugin regenerates only the
   * files that changed, so after an edit of a nested type (WindowStats) an incremental build leaves the
   * records that nest it (ProviderScore) writing its old fields: the new ones read as their defaults.
   */
  @ParameterizedTest
  @MethodSource("contracts")
  void everyNestedTypeIsTheSchemaOfItsOwnGeneratedClass(Class<? extends SpecificRecord> type) {
    Map<String, Schema> nested = new TreeMap<>();
    collectNamed(SpecificData.get().getSchema(type), nested);
    nested.forEach((name, schema) -> assertThat(schema)
        .as("%s as nested in %s (stale generated sources: mvn -pl schemas clean install)", name, type.getSimpleName())
        .isEqualTo(SpecificData.get().getSchema(generatedClass(name))));
  }

  private static Class<?> generatedClass(String fullName) {
    return Contracts.ALL_TYPES.stream().filter(type -> type.getName().equals(fullName)).findFirst()
        .orElseThrow(() -> new AssertionError(fullName + " is missing from Contracts.ALL_TYPES"));
  }

  private static void collectNamed(Schema schema, Map<String, Schema> named) {
    switch (schema.getType()) {
      case RECORD -> {
        if (named.putIfAbsent(schema.getFullName(), schema) == null) {
          schema.getFields().forEach(field -> collectNamed(field.schema(), named));
        }
      }
      case ENUM, FIXED -> named.putIfAbsent(schema.getFullName(), schema);
      case UNION -> schema.getTypes().forEach(branch -> collectNamed(branch, named));
      case ARRAY -> collectNamed(schema.getElementType(), named);
      case MAP -> collectNamed(schema.getValueType(), named);
      default -> { }
    }
  }

  @ParameterizedTest
  @MethodSource("contracts")
  void theLatestReleaseIsTheCurrentSchema(Class<? extends SpecificRecord> type) {
    Schema current = SpecificData.get().getSchema(type);
    List<Schema> released = ReleasedSchemas.released(current.getFullName());
    assertThat(released.get(released.size() - 1))
        .as("%s changed since its last release: run SchemaRelease to release it as a new version", current.getFullName())
        .isEqualTo(current);
  }

  @ParameterizedTest
  @MethodSource("contracts")
  void everyVersionReadsWhatEveryOtherVersionWrote(Class<? extends SpecificRecord> type) {
    Schema current = SpecificData.get().getSchema(type);
    assertThat(SchemaEvolution.problems(ReleasedSchemas.versionsOf(current))).as(current.getFullName()).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("contracts")
  void dataMovesBetweenEveryPairOfVersionsInTheSingleObjectEncoding(Class<? extends SpecificRecord> type) {
    Schema current = SpecificData.get().getSchema(type);
    List<Schema> versions = ReleasedSchemas.versionsOf(current);
    for (int writer = 0; writer < versions.size(); writer++) {
      for (int reader = 0; reader < versions.size(); reader++) {
        long seed = 31L * writer + reader;
        for (Object datum : new RandomData(versions.get(writer), SAMPLES, seed)) {
          byte[] bytes = SchemaEvolution.write(versions.get(writer), datum);
          Object read = SchemaEvolution.read(versions.get(reader), versions, bytes);
          assertThat(GenericData.get().validate(versions.get(reader), read))
              .as("%s v%d read by v%d", current.getFullName(), writer + 1, reader + 1)
              .isTrue();
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("contracts")
  void theServicesReadEveryReleasedVersionAndOldReadersReadWhatTheServicesWrite(Class<? extends SpecificRecord> type) {
    Schema current = SpecificData.get().getSchema(type);
    List<Schema> released = ReleasedSchemas.released(current.getFullName());
    AvroSerde<? extends SpecificRecord> serde = AvroSerde.of(type);
    for (int version = 0; version < released.size(); version++) {
      Schema old = released.get(version);
      for (Object datum : new RandomData(old, SAMPLES, version)) {
        byte[] writtenByOld = SchemaEvolution.write(old, datum);
        Object asOldReadsIt = SchemaEvolution.read(old, released, writtenByOld);

        // Old writer, current service: a record from before the change is read without loss...
        byte[] writtenByService = reencode(serde, serde.fromBytes(writtenByOld));
        // ...and written back by the current service, an old reader finds exactly what was written.
        Object readBackByOld = SchemaEvolution.read(old, released, writtenByService);
        assertThat(plain(readBackByOld))
            .as("%s: v%d -> current service -> v%d reader", current.getFullName(), version + 1, version + 1)
            .isEqualTo(plain(asOldReadsIt));
      }
    }
  }

  @ParameterizedTest
  @MethodSource("contracts")
  void anOldReaderReadsRecordsTheCurrentServicesWrite(Class<? extends SpecificRecord> type) {
    Schema current = SpecificData.get().getSchema(type);
    List<Schema> released = ReleasedSchemas.released(current.getFullName());
    AvroSerde<? extends SpecificRecord> serde = AvroSerde.of(type);
    for (Object datum : new RandomData(current, SAMPLES, 7L)) {
      byte[] writtenByService = reencode(serde, serde.fromBytes(SchemaEvolution.write(current, datum)));
      for (int version = 0; version < released.size(); version++) {
        Schema old = released.get(version);
        GenericRecord read = (GenericRecord) SchemaEvolution.read(old, released, writtenByService);
        assertThat(GenericData.get().validate(old, read)).as("%s read by v%d", current.getFullName(), version + 1).isTrue();
        GenericRecord written = (GenericRecord) datum;
        for (Schema.Field field : old.getFields()) {
          Schema.Field now = current.getField(field.name());
          if (now != null && now.schema().equals(field.schema())) {
            assertThat(plain(read.get(field.name())))
                .as("%s.%s read by v%d", current.getFullName(), field.name(), version + 1)
                .isEqualTo(plain(written.get(field.name())));
          }
        }
      }
    }
  }

  @Test
  void everyOldReaderOfAChannelReadsWhatsAppAsTheDefaultSymbol() {
    SendCommand command = SendCommand.newBuilder()
        .setVerificationId("VEwa").setAttempt(1).setIdempotencyKey("VEwa-1").setTo("+4915112345678").setCountry("DE")
        .setChannel(Channel.WHATSAPP)
        .setCode(new SealedSecret("k1", ByteBuffer.wrap(new byte[12]), ByteBuffer.wrap(new byte[] {1})))
        .setRoutes(List.of(new Route("twilio", Channel.WHATSAPP, null, "table")))
        .setReason(SendReason.INITIAL)
        .setIssuedAt(java.time.Instant.parse("2026-12-03T04:00:00Z"))
        .setExpiresAt(java.time.Instant.parse("2026-12-03T04:10:00Z"))
        .build();
    byte[] bytes = AvroSerde.of(SendCommand.class).toBytes(command);
    List<Schema> released = ReleasedSchemas.released(SendCommand.getClassSchema().getFullName());
    Schema v1 = released.get(0);
    assertThat(v1.getField("channel").schema().getEnumSymbols()).doesNotContain("WHATSAPP");
    assertThat(v1.getField("channel").schema().getEnumDefault()).isEqualTo("UNKNOWN_CHANNEL");

    GenericRecord asV1 = (GenericRecord) SchemaEvolution.read(v1, released, bytes);

    assertThat(asV1.get("channel")).hasToString("UNKNOWN_CHANNEL");
    assertThat(((GenericRecord) ((List<?>) asV1.get("routes")).get(0)).get("channel")).hasToString("UNKNOWN_CHANNEL");
    assertThat(asV1.get("verificationId")).hasToString("VEwa");
    // The current service still reads its own record as WhatsApp.
    assertThat(AvroSerde.of(SendCommand.class).fromBytes(bytes).getChannel()).isEqualTo(Channel.WHATSAPP);
  }

  @Test
  void analyticsReadersOfTheEventsBeforeProviderTriesReadAFastFailoverWithoutThem() {
    java.time.Instant at = java.time.Instant.parse("2026-12-03T04:00:00Z");
    Attempt failedOver = Attempt.newBuilder()
        .setAttempt(1).setIdempotencyKey("VEff-1").setChannel(Channel.SMS).setReason(SendReason.INITIAL)
        .setProvider("vonage").setTries(2).setOutcome(SendOutcome.ACCEPTED).setDispatchedAt(at)
        .setProviderTries(List.of(
            new ProviderTry(0, "twilio", Channel.SMS, SendReason.INITIAL, "table", SendOutcome.REJECTED,
                ErrorCategory.THROTTLED, "20429", null, at, at.plusMillis(170)),
            new ProviderTry(1, "vonage", Channel.SMS, SendReason.REJECTION, "table", SendOutcome.ACCEPTED,
                null, null, 6_500L, at.plusMillis(171), at.plusMillis(400))))
        .build();
    VerificationEvent event = VerificationEvent.newBuilder()
        .setVerificationId("VEff").setTo("+4915112345678").setCountry("DE").setChannel(Channel.SMS)
        .setStatus(VerificationStatus.APPROVED).setPreviousStatus(VerificationStatus.PENDING).setReason("code-approved")
        .setAttempts(List.of(failedOver)).setCreatedAt(at).setOccurredAt(at.plusSeconds(9))
        .build();
    byte[] bytes = AvroSerde.of(VerificationEvent.class).toBytes(event);
    List<Schema> released = ReleasedSchemas.released(VerificationEvent.getClassSchema().getFullName());

    // v1 and v2 came before the tries (v3); v4 added the reply.
    for (int version = 0; version < 2; version++) {
      Schema old = released.get(version);
      assertThat(old.getField("attempts").schema().getElementType().getField("providerTries")).as("v%d", version + 1).isNull();
      GenericRecord read = (GenericRecord) SchemaEvolution.read(old, released, bytes);
      GenericRecord attempt = (GenericRecord) ((List<?>) read.get("attempts")).get(0);
      assertThat(attempt.get("provider")).as("v%d", version + 1).hasToString("vonage");
      assertThat(attempt.get("tries")).isEqualTo(2);
    }
    // The current reader keeps both tries, in order, with the rejection's vendor code.
    assertThat(AvroSerde.of(VerificationEvent.class).fromBytes(bytes).getAttempts().get(0).getProviderTries())
        .extracting(ProviderTry::getProvider, ProviderTry::getVendorCode)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("twilio", "20429"), org.assertj.core.groups.Tuple.tuple("vonage", null));
  }

  // The checker must be able to fail: each breaking change below is refused by the same rule the
  // contracts are held to, and its data really cannot be read across the versions.

  private static final Schema RELEASED = SchemaBuilder.record("Sample").namespace("dev.relay.schemas.test").fields()
      .requiredString("id")
      .name("channel").type().enumeration("SampleChannel").symbols("SMS", "VOICE").noDefault()
      .requiredLong("count")
      .endRecord();

  @Test
  void refusesAFieldAddedWithoutADefault() {
    Schema next = SchemaBuilder.record("Sample").namespace("dev.relay.schemas.test").fields()
        .requiredString("id")
        .name("channel").type().enumeration("SampleChannel").symbols("SMS", "VOICE").noDefault()
        .requiredLong("count")
        .requiredString("tenant")
        .endRecord();

    assertThat(SchemaEvolution.problems(List.of(RELEASED, next)))
        .singleElement().asString().startsWith("v2 reading v1: READER_FIELD_MISSING_DEFAULT_VALUE");
    byte[] old = SchemaEvolution.write(RELEASED, sample(RELEASED));
    assertThatThrownBy(() -> SchemaEvolution.read(next, List.of(RELEASED, next), old)).isInstanceOf(AvroTypeException.class);
  }

  @Test
  void refusesARequiredFieldRemoved() {
    Schema next = SchemaBuilder.record("Sample").namespace("dev.relay.schemas.test").fields()
        .requiredString("id")
        .name("channel").type().enumeration("SampleChannel").symbols("SMS", "VOICE").noDefault()
        .endRecord();

    assertThat(SchemaEvolution.problems(List.of(RELEASED, next)))
        .singleElement().asString().startsWith("v1 reading v2: READER_FIELD_MISSING_DEFAULT_VALUE");
    GenericRecord datum = new GenericData.Record(next);
    datum.put("id", "a");
    datum.put("channel", new GenericData.EnumSymbol(next.getField("channel").schema(), "SMS"));
    byte[] fromNext = SchemaEvolution.write(next, datum);
    assertThatThrownBy(() -> SchemaEvolution.read(RELEASED, List.of(RELEASED, next), fromNext)).isInstanceOf(AvroTypeException.class);
  }

  @Test
  void refusesATypeChange() {
    Schema next = SchemaBuilder.record("Sample").namespace("dev.relay.schemas.test").fields()
        .requiredString("id")
        .name("channel").type().enumeration("SampleChannel").symbols("SMS", "VOICE").noDefault()
        .requiredString("count")
        .endRecord();

    assertThat(SchemaEvolution.problems(List.of(RELEASED, next)))
        .hasSize(2)
        .anySatisfy(problem -> assertThat(problem).startsWith("v2 reading v1: TYPE_MISMATCH"))
        .anySatisfy(problem -> assertThat(problem).startsWith("v1 reading v2: TYPE_MISMATCH"));
    byte[] old = SchemaEvolution.write(RELEASED, sample(RELEASED));
    assertThatThrownBy(() -> SchemaEvolution.read(next, List.of(RELEASED, next), old)).isInstanceOf(AvroTypeException.class);
  }

  @Test
  void refusesAnEnumSymbolAddedWhenOldReadersHaveNoDefault() {
    Schema next = SchemaBuilder.record("Sample").namespace("dev.relay.schemas.test").fields()
        .requiredString("id")
        .name("channel").type().enumeration("SampleChannel").symbols("SMS", "VOICE", "WHATSAPP").noDefault()
        .requiredLong("count")
        .endRecord();

    assertThat(SchemaEvolution.problems(List.of(RELEASED, next)))
        .singleElement().asString().startsWith("v1 reading v2: MISSING_ENUM_SYMBOLS");
    GenericRecord datum = sample(next);
    datum.put("channel", new GenericData.EnumSymbol(next.getField("channel").schema(), "WHATSAPP"));
    byte[] fromNext = SchemaEvolution.write(next, datum);
    assertThatThrownBy(() -> SchemaEvolution.read(RELEASED, List.of(RELEASED, next), fromNext)).isInstanceOf(AvroTypeException.class);
  }

  @Test
  void anEnumSymbolAddedIsFineWhenOldReadersHaveADefault() {
    Schema withDefault = SchemaBuilder.record("Sample").namespace("dev.relay.schemas.test").fields()
        .requiredString("id")
        .name("channel").type().enumeration("SampleChannel").defaultSymbol("UNKNOWN").symbols("SMS", "VOICE", "UNKNOWN").noDefault()
        .requiredLong("count")
        .endRecord();
    Schema next = SchemaBuilder.record("Sample").namespace("dev.relay.schemas.test").fields()
        .requiredString("id")
        .name("channel").type().enumeration("SampleChannel").defaultSymbol("UNKNOWN")
        .symbols("SMS", "VOICE", "WHATSAPP", "UNKNOWN").noDefault()
        .requiredLong("count")
        .endRecord();

    assertThat(SchemaEvolution.problems(List.of(withDefault, next))).isEmpty();
    GenericRecord datum = sample(next);
    datum.put("channel", new GenericData.EnumSymbol(next.getField("channel").schema(), "WHATSAPP"));
    GenericRecord read = (GenericRecord) SchemaEvolution.read(withDefault, List.of(withDefault, next), SchemaEvolution.write(next, datum));
    assertThat(read.get("channel")).hasToString("UNKNOWN");
  }

  private static GenericRecord sample(Schema schema) {
    GenericRecord datum = new GenericData.Record(schema);
    datum.put("id", "a");
    datum.put("channel", new GenericData.EnumSymbol(schema.getField("channel").schema(), "SMS"));
    datum.put("count", 3L);
    return datum;
  }

  @SuppressWarnings("unchecked")
  private static <T extends SpecificRecord> byte[] reencode(AvroSerde<T> serde, Object value) {
    return serde.toBytes((T) value);
  }

  /** A datum as plain values (maps sorted, text as String, bytes as hex) to compare whatever map or string class decoded it. */
  static Object plain(Object value) {
    if (value instanceof GenericRecord record) {
      Map<String, Object> fields = new LinkedHashMap<>();
      record.getSchema().getFields().forEach(field -> fields.put(field.name(), plain(record.get(field.pos()))));
      return fields;
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> sorted = new TreeMap<>();
      map.forEach((key, entry) -> sorted.put(key.toString(), plain(entry)));
      return sorted;
    }
    if (value instanceof Collection<?> items) {
      return items.stream().map(SchemaCompatibilityTest::plain).toList();
    }
    if (value instanceof ByteBuffer bytes) {
      return HexFormat.of().formatHex(bytes.duplicate().array(), bytes.arrayOffset() + bytes.position(), bytes.arrayOffset() + bytes.limit());
    }
    if (value instanceof CharSequence || value instanceof GenericData.EnumSymbol) {
      return value.toString();
    }
    return value;
  }
}
