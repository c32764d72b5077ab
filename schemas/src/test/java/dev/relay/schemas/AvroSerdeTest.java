package dev.relay.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.schemas.serde.AvroSerde;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

  private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

  @Test
  void roundTripsASendCommandWithNestedRecordsAndEnums() {
    SendCommand command = SendCommand.newBuilder()
        .setVerificationId("VEabc")
        .setAttempt(2)
        .setIdempotencyKey("VEabc-2")
        .setTo("+4915112345678")
        .setCountry("DE")
        .setChannel(Channel.SMS)
        .setCode(new SealedSecret("k1", ByteBuffer.wrap(new byte[12]), ByteBuffer.wrap(new byte[] {1, 2, 3})))
        .setRoutes(List.of(new Route("twilio", Channel.SMS, 7_500L, "table"), new Route("vonage", Channel.SMS, null, "table")))
        .setReason(SendReason.TIMEOUT)
        .setIssuedAt(NOW)
        .setExpiresAt(NOW.plus(10, ChronoUnit.MINUTES))
        .build();
    AvroSerde<SendCommand> serde = AvroSerde.of(SendCommand.class);

    SendCommand decoded = serde.deserializer().deserialize("t", serde.serializer().serialize("t", command));

    assertThat(decoded).isEqualTo(command);
  }

  @Test
  void valuesStartWithTheSingleObjectMarker() {
    AvroSerde<ProviderScore> serde = AvroSerde.of(ProviderScore.class);
    byte[] bytes = serde.toBytes(ProviderScore.newBuilder().setProvider("twilio").setCountry("DE")
        .setChannel(Channel.SMS).setUpdatedAt(NOW).build());

    // 0xC3 0x01 then the 8-byte schema fingerprint: readable by any Avro implementation.
    assertThat(bytes[0]).isEqualTo((byte) 0xC3);
    assertThat(bytes[1]).isEqualTo((byte) 0x01);
  }

  @Test
  void readsAValueWrittenWithAReleasedSchemaByAnotherWriter() {
    // The released v3 of ProviderScore (the first with demoted), as a producer outside the JVM would
    // write it from the .avsc alone.
    Schema v1 = dev.relay.schemas.serde.ReleasedSchemas.released(ProviderScore.getClassSchema().getFullName()).get(2);
    assertThat(v1.getField("demoted")).isNotNull();
    GenericRecord old = new GenericData.Record(v1);
    old.put("provider", "vonage");
    old.put("country", "FR");
    old.put("channel", new GenericData.EnumSymbol(v1.getField("channel").schema(), "VOICE"));
    old.put("tried", 3L);
    old.put("accepted", 2L);
    old.put("delivered", 1L);
    old.put("undelivered", 0L);
    old.put("updatedAt", NOW.toEpochMilli());
    old.put("completed", 1L);
    old.put("spentMicros", 7_500L);
    old.put("failovers", java.util.Map.of("TIMEOUT", 2L));
    old.put("demoted", true);
    ByteBuffer encoded = toBytes(new BinaryMessageEncoder<>(GenericData.get(), v1), old);

    ProviderScore read = AvroSerde.of(ProviderScore.class).fromBytes(array(encoded));

    assertThat(read.getProvider()).isEqualTo("vonage");
    assertThat(read.getChannel()).isEqualTo(Channel.VOICE);
    assertThat(read.getDelivered()).isEqualTo(1L);
    assertThat(read.getFailovers()).containsEntry("TIMEOUT", 2L);
    assertThat(read.getScore()).isNull();
    assertThat(read.getDemoted()).isTrue();
  }

  @Test
  void refusesAValueOfAnUnknownSchemaWithoutEchoingItsContent() {
    Schema stranger = SchemaBuilder.record("Stranger").fields().requiredString("secret").endRecord();
    GenericRecord value = new GenericData.Record(stranger);
    value.put("secret", "123456");
    byte[] bytes = array(toBytes(new BinaryMessageEncoder<>(GenericData.get(), stranger), value));

    assertThatThrownBy(() -> AvroSerde.of(SendCommand.class).fromBytes(bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("SendCommand")
        .hasMessageNotContaining("123456");
  }

  @Test
  void nullIsATombstoneBothWays() {
    AvroSerde<ProviderScore> serde = AvroSerde.of(ProviderScore.class);
    assertThat(serde.toBytes(null)).isNull();
    assertThat(serde.fromBytes(null)).isNull();
  }

  private static ByteBuffer toBytes(BinaryMessageEncoder<GenericRecord> encoder, GenericRecord record) {
    try {
      return encoder.encode(record);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static byte[] array(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }
}
