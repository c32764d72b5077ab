package dev.relay.dispatcher.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A key of the deadline index: when something is due for one number. Serialized as the 8-byte
 * big-endian epoch millisecond followed by the number, so the store's byte order is deadline order
 * and the punctuator reads only what is due.
 */
record Deadline(Instant at, String number) {

  static final Serde<Deadline> SERDE = new DeadlineSerde();

  Deadline {
    if (at.toEpochMilli() < 0) {
      // Two's complement puts negative millis after positive ones in byte order.
      throw new IllegalArgumentException("deadlines before 1970 do not sort: " + at);
    }
  }

  private static final class DeadlineSerde implements Serde<Deadline> {

    @Override
    public Serializer<Deadline> serializer() {
      return (topic, deadline) -> {
        if (deadline == null) {
          return null;
        }
        byte[] number = deadline.number().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(Long.BYTES + number.length)
            .putLong(deadline.at().toEpochMilli())
            .put(number)
            .array();
      };
    }

    @Override
    public Deserializer<Deadline> deserializer() {
      return (topic, bytes) -> {
        if (bytes == null) {
          return null;
        }
        if (bytes.length < Long.BYTES) {
          throw new SerializationException("a deadline key has at least 8 bytes, this one " + bytes.length);
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long millis = buffer.getLong();
        String number = new String(bytes, Long.BYTES, bytes.length - Long.BYTES, StandardCharsets.UTF_8);
        return new Deadline(Instant.ofEpochMilli(millis), number);
      };
    }
  }
}
