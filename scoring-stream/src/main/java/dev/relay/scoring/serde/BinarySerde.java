package dev.relay.scoring.serde;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A serde for scoring's own store values and repartitioned facts, which never leave the app: a
 * format version byte, then the fields written by hand. Compact, with no schema to ship, and the
 * version byte lets a later release read (or knowingly refuse) what an earlier one left in a
 * changelog.
 */
public final class BinarySerde<T> implements Serde<T> {

  /** Writes one value's fields. */
  @FunctionalInterface
  public interface Writer<T> {
    void write(DataOutputStream out, T value) throws IOException;
  }

  /** Reads one value's fields, as the writer of the same version wrote them. */
  @FunctionalInterface
  public interface Reader<T> {
    T read(DataInputStream in) throws IOException;
  }

  private final String typeName;
  private final byte version;
  private final Writer<T> writer;
  private final Reader<T> reader;

  public BinarySerde(String typeName, int version, Writer<T> writer, Reader<T> reader) {
    this.typeName = typeName;
    this.version = (byte) version;
    this.writer = writer;
    this.reader = reader;
  }

  public byte[] toBytes(T value) {
    if (value == null) {
      return null;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(version);
      writer.write(out, value);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("cannot encode " + typeName + ": " + e.getClass().getSimpleName(), e);
    }
    return bytes.toByteArray();
  }

  public T fromBytes(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      byte found = in.readByte();
      if (found != version) {
        throw new SerializationException("cannot decode " + typeName + ": format version " + found
            + ", this release reads " + version);
      }
      T value = reader.read(in);
      if (in.available() > 0) {
        throw new SerializationException("cannot decode " + typeName + ": " + in.available() + " trailing bytes");
      }
      return value;
    } catch (SerializationException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // The type only: never the payload.
      throw new SerializationException("cannot decode " + typeName + ": " + e.getClass().getSimpleName(), e);
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
