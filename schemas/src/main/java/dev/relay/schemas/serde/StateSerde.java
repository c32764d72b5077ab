package dev.relay.schemas.serde;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serde of a service's stored state value: the domain type in memory, its Avro contract under
 * {@code schemas/src/main/avro/state} in stores and changelogs, so state evolves by released schema
 * versions like the topics do.
 *
 * <p>Until 2026-12-04 some stores held hand-written byte layouts. Such a value never starts with the
 * single-object marker ({@code C3 01}); found in a store or changelog kept from then, it reads as
 * absent (the service starts that entry over) and is reported once per type, never its payload.
 * Every other value must decode, or the read fails.
 */
public final class StateSerde<T, A extends SpecificRecord> implements Serde<T> {

  private static final Logger LOG = LoggerFactory.getLogger(StateSerde.class);

  private final AvroSerde<A> avro;
  private final Function<T, A> toAvro;
  private final Function<A, T> fromAvro;
  private final AtomicBoolean earlierFormatReported = new AtomicBoolean();

  private StateSerde(AvroSerde<A> avro, Function<T, A> toAvro, Function<A, T> fromAvro) {
    this.avro = avro;
    this.toAvro = toAvro;
    this.fromAvro = fromAvro;
  }

  /** Values of {@code type} in memory, stored as the Avro record {@code contract}. */
  public static <T, A extends SpecificRecord> StateSerde<T, A> of(Class<A> contract, Function<T, A> toAvro,
      Function<A, T> fromAvro) {
    return new StateSerde<>(AvroSerde.of(contract), Objects.requireNonNull(toAvro), Objects.requireNonNull(fromAvro));
  }

  /** A store whose values are the Avro records themselves. */
  public static <A extends SpecificRecord> StateSerde<A, A> of(Class<A> contract) {
    return of(contract, Function.identity(), Function.identity());
  }

  public byte[] toBytes(T value) {
    return value == null ? null : avro.toBytes(toAvro.apply(value));
  }

  /** The value, or null for none and for a value of the layouts before state was Avro. */
  public T fromBytes(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    if (!singleObject(bytes)) {
      if (earlierFormatReported.compareAndSet(false, true)) {
        LOG.warn("a stored {} in the format before state was Avro is read as absent (this and every later one)",
            avro.type().getSimpleName());
      }
      return null;
    }
    return fromAvro.apply(avro.fromBytes(bytes));
  }

  private static boolean singleObject(byte[] bytes) {
    return bytes.length >= 2 && bytes[0] == (byte) 0xC3 && bytes[1] == (byte) 0x01;
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
