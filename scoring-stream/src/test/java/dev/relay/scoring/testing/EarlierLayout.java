package dev.relay.scoring.testing;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * A store as an instance upgraded from a release before state was Avro finds it: one chosen value
 * sits in the hand-written layout of then (its format version byte, 1, then its fields).
 */
public final class EarlierLayout {

  /** A route mark as the earlier release wrote it: version 1, lastFactAt 42, no open window, dirty. */
  public static final byte[] BYTES = {1, 0, 0, 0, 0, 0, 0, 0, 42, -128, 0, 0, 0, 0, 0, 0, 0, 1};

  private EarlierLayout() {}

  /** {@code serde}, except that the instance {@code earlier} is stored as {@link #BYTES}. */
  public static <V> Serde<V> storing(Serde<V> serde, V earlier) {
    return Serdes.serdeFrom(
        (topic, value) -> value == earlier ? BYTES.clone() : serde.serializer().serialize(topic, value),
        serde.deserializer());
  }
}
