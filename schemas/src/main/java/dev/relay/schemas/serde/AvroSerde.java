package dev.relay.schemas.serde;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for one generated Avro record type, in Avro's single-object encoding: every value
 * starts with the 8-byte fingerprint of its writer schema, and the decoder resolves it against every
 * released version of that schema, so old and new producers can share a topic without a registry.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

  private static final ConcurrentMap<Class<?>, AvroSerde<?>> BY_TYPE = new ConcurrentHashMap<>();

  private final Class<T> type;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;

  private AvroSerde(Class<T> type, Schema schema) {
    TrustedAvroClasses.install();
    this.type = type;
    SpecificData model = SpecificData.getForClass(type);
    SchemaStore.Cache knownWriters = new SchemaStore.Cache();
    ReleasedSchemas.versionsOf(schema).forEach(knownWriters::addSchema);
    this.encoder = new BinaryMessageEncoder<>(model, schema);
    this.decoder = new BinaryMessageDecoder<>(model, schema, knownWriters);
  }

  /** Lets Avro instantiate Relay's generated classes (Avro 1.12 refuses untrusted ones). Idempotent. */
  public static void trustContracts() {
    TrustedAvroClasses.install();
  }

  /**
   * The serde of {@code type}, one per type and process: building one reads and fingerprints every
   * released version of its schema, and its encoder and decoder are thread-safe.
   */
  @SuppressWarnings("unchecked")
  public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
    return (AvroSerde<T>) BY_TYPE.computeIfAbsent(type, t -> new AvroSerde<>(type, SpecificData.get().getSchema(type)));
  }

  public Class<T> type() {
    return type;
  }

  public byte[] toBytes(T value) {
    if (value == null) {
      return null;
    }
    try {
      ByteBuffer buffer = encoder.encode(value);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + type.getSimpleName(), e);
    }
  }

  public T fromBytes(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      return decoder.decode(bytes);
    } catch (IOException | RuntimeException e) {
      // The message names the type only: the payload may hold personal data.
      throw new SerializationException("cannot decode " + type.getSimpleName() + ": " + e.getClass().getSimpleName());
    }
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, value) -> toBytes(value);
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> fromBytes(bytes);
  }
}
